//! The two lists the catalog keeps: a system's categories ([`system!`]) and the systems
//! themselves ([`catalog!`]). Each is written once; everything that walks it is generated.

/// Declares a system: one registered [`promdecl::Metrics`] struct per category, each titled as
/// its source document titles the category.
///
/// ```ignore
/// crate::macros::system! {
///     /// All CHORUS metric families.
///     pub struct Chorus {
///         /// `chorus_dht_*`.
///         dht: dht::Dht = "DHT Metrics",
///         /// `chorus_p2p_*`.
///         p2p: p2p::P2p = "P2P Network Metrics",
///     }
/// }
/// ```
///
/// generates the struct with one `pub` field of type `Arc<Category>` per category, and
/// `register(&Registry) -> Result<Self, RegistryError>`, `families()` (every category's
/// descriptors, in list order), `sections()` (one [`promdecl_gen::Section`] per category, with
/// its title, in list order: the generated reference's sections and dashboard rows), `Clone` and
/// a `Debug` that does not print series. Adding a category is one line in the list.
macro_rules! system {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                $field:ident: $category:ty = $title:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name {
            $(
                $(#[$field_meta])*
                pub $field: ::std::sync::Arc<$category>,
            )+
        }

        impl $name {
            #[doc = concat!("Registers every `", stringify!($name), "` category in `registry`.")]
            ///
            /// # Errors
            /// A [`promdecl::RegistryError`] when a family clashes with one already registered.
            pub fn register(
                registry: &::promdecl::Registry,
            ) -> ::std::result::Result<Self, ::promdecl::RegistryError> {
                ::std::result::Result::Ok(Self {
                    $($field: registry.register(<$category>::new())?,)+
                })
            }

            #[doc = concat!("The static descriptors of every `", stringify!($name), "` family, ")]
            /// category by category in list order.
            pub fn families() -> impl ::std::iter::Iterator<Item = &'static ::promdecl::FamilyDesc> {
                [$(<$category as ::promdecl::Metrics>::FAMILIES),+]
                    .into_iter()
                    .flatten()
            }

            #[doc = concat!("One section per `", stringify!($name), "` category, titled, in list order.")]
            pub fn sections() -> ::std::vec::Vec<::promdecl_gen::Section> {
                ::std::vec![$(::promdecl_gen::Section::of::<$category>($title)),+]
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

/// Lists the systems of the catalog, once: one row per system, named by its module.
///
/// ```ignore
/// catalog! {
///     /// CHORUS.
///     chorus: chorus::Chorus {
///         title: "CHORUS pkg/metrics",
///         seed: "chorus-pkg-metrics.md",
///         rules: chorus::alerts::rules,
///     },
/// }
/// ```
///
/// generates [`SYSTEMS`](crate::SYSTEMS) (the row's field name is the system's `name` and its
/// module, whose `workload::Workload` drives it),
/// [`Catalog`](crate::Catalog) with one field per system, and
/// [`register_all`](crate::register_all). `rules` (a `fn() -> Vec<promdecl_gen::RuleGroup>`) may
/// be left out when the document gives no rules. Adding a system is its module plus one row.
macro_rules! catalog {
    (
        $(
            $(#[$meta:meta])*
            $field:ident: $system:ty {
                title: $title:expr,
                seed: $seed:expr
                $(, rules: $rules:expr)?
                $(,)?
            }
        ),+ $(,)?
    ) => {
        /// Every system of the catalog, in list order.
        pub const SYSTEMS: &[$crate::System] = &[
            $($crate::System {
                name: stringify!($field),
                title: $title,
                seed: $seed,
                sections: <$system>::sections,
                rules: $crate::macros::catalog!(@rules $($rules)?),
                start: |registry| {
                    ::std::result::Result::Ok(::std::boxed::Box::new(
                        $crate::$field::workload::Workload::new(<$system>::register(registry)?),
                    ))
                },
            },)+
        ];

        /// Every system registered into one registry.
        #[derive(Debug)]
        pub struct Catalog {
            $(
                $(#[$meta])*
                pub $field: $system,
            )+
        }

        /// Registers every system; fails if any two declare the same name differently.
        ///
        /// # Errors
        /// A [`RegistryError`](promdecl::RegistryError) when a family clashes with one already
        /// registered.
        pub fn register_all(
            registry: &::promdecl::Registry,
        ) -> ::std::result::Result<Catalog, ::promdecl::RegistryError> {
            ::std::result::Result::Ok(Catalog {
                $($field: <$system>::register(registry)?,)+
            })
        }
    };
    (@rules $rules:expr) => { $rules };
    (@rules) => { ::std::vec::Vec::new };
}

pub(crate) use {catalog, system};
