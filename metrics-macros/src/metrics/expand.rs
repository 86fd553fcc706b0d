//! Expansion: the validated model to tokens. Cannot fail.
//!
//! Code that depends on a field's type (the family traits, the kind assertion, the accessor's
//! series) is spanned on that type, and code that depends on a label's type on that label type,
//! so a type that does not fit is reported where it is written and not at `#[derive(Metrics)]`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use promdecl_spec::Kind;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;

use super::model::{Family, Label, Model, Native, Summary};
use crate::buckets::Buckets;
use crate::crate_path::CratePath;
use crate::label_value::expand::label_value_impl;
use crate::label_value::model::LabelEnum;
use crate::naming;

pub fn metrics(m: &Model) -> TokenStream {
    let (krate, ident, vis) = (&m.krate, &m.ident, &m.vis);
    let descs = m.families.iter().map(|f| descriptor(krate, f));
    let visits = m.families.iter().map(|f| {
        let (at, krate, field) = at_type(krate, f);
        let ty = &f.ty;
        quote_spanned!(at=> f(<#ty as #krate::__private::FamilyType>::as_any(&self.#field));)
    });
    let inits = m.families.iter().enumerate().map(|(i, f)| {
        let (at, krate, _) = at_type(krate, f);
        let (field, ty) = (&f.field, &f.ty);
        let init = quote_spanned! {at=>
            <#ty as #krate::__private::FamilyType>::from_desc(
                &<Self as #krate::Metrics>::FAMILIES[#i]
            )
        };
        quote!(#field: #init)
    });
    let plain = &m.plain;
    let checks = m.families.iter().map(|f| checks(krate, f));
    let items = items(m);
    quote! {
        #items

        const _: () = { #(#checks)* };

        #[automatically_derived]
        impl #krate::Metrics for #ident {
            const FAMILIES: &'static [#krate::FamilyDesc] = &[#(#descs),*];

            fn visit(&self, f: &mut dyn ::core::ops::FnMut(&dyn #krate::AnyFamily)) {
                #(#visits)*
            }
        }

        #[automatically_derived]
        impl #ident {
            /// Creates every family; enumerated label combinations start at zero.
            #vis fn new() -> Self {
                Self {
                    #(#inits,)*
                    #(#plain: ::core::default::Default::default(),)*
                }
            }
        }

        #[automatically_derived]
        impl ::core::default::Default for #ident {
            fn default() -> Self {
                Self::new()
            }
        }
    }
}

/// The label enums, accessors and removal methods: everything users call, also emitted by the
/// fallback.
pub fn items(m: &Model) -> TokenStream {
    let (krate, ident, vis) = (&m.krate, &m.ident, &m.vis);
    let accessors = m.families.iter().map(|f| {
        let removers = removers(krate, f, vis);
        let accessor = accessor(krate, f, vis);
        quote!(#accessor #removers)
    });
    let enums = labels_module(m);
    quote! {
        #enums

        #[automatically_derived]
        impl #ident {
            #(#accessors)*
        }
    }
}

/// Where code about the field's type goes: its span, the crate path and the field spanned on it.
fn at_type(krate: &CratePath, f: &Family) -> (Span, TokenStream, Ident) {
    let at = f.ty.span();
    let mut field = f.field.clone();
    field.set_span(at);
    (at, krate.spanned(at), field)
}

/// `<T as LabelValue>`, spanned on the label type `T`.
fn label_value_of(krate: &CratePath, ty: &syn::Type) -> TokenStream {
    let at = ty.span();
    let krate = krate.spanned(at);
    quote_spanned!(at=> <#ty as #krate::LabelValue>)
}

/// The path of a kind in the runtime crate.
fn kind_path(krate: &impl ToTokens, kind: Kind) -> TokenStream {
    let variant = match kind {
        Kind::Counter => quote!(Counter),
        Kind::Gauge => quote!(Gauge),
        Kind::Histogram => quote!(Histogram),
        Kind::Info => quote!(Info),
        Kind::Summary => quote!(Summary),
    };
    quote!(#krate::Kind::#variant)
}

fn option<T: ToTokens>(v: Option<T>) -> TokenStream {
    match v {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn descriptor(krate: &CratePath, f: &Family) -> TokenStream {
    let (name, help) = (&f.name, &f.help);
    let kind = kind_path(krate, f.kind);
    let unit = option(f.unit.as_deref());
    let note = option(f.note.as_deref());
    let labels = f.labels.iter().map(|l| {
        let n = &l.name;
        let values = option(l.ty.as_ref().map(|t| {
            let label_value = label_value_of(krate, t);
            quote!(#label_value::VALUES)
        }));
        quote!(#krate::LabelDesc { name: #n, values: #values })
    });
    let buckets = match &f.buckets {
        Some(Buckets::Values(v)) => {
            let v = v.iter().map(|x| Literal::f64_suffixed(*x));
            option(Some(quote!(&[#(#v),*])))
        }
        Some(Buckets::Path(p)) => option(Some(p)),
        // Native-only: no classic buckets.
        None if f.native.is_some() => option(Some(quote!(&[]))),
        None if f.kind == Kind::Histogram => option(Some(quote!(#krate::buckets::DEFAULT))),
        None => option(None::<TokenStream>),
    };
    let native = option(f.native.as_ref().map(|n| native_spec(krate, n)));
    let summary = option(f.summary.as_ref().map(|s| summary_spec(krate, s)));
    let max_series = option(f.max_series);
    let idle_timeout = option(
        f.idle_timeout
            .map(|secs| quote!(::core::time::Duration::from_secs(#secs))),
    );
    quote! {
        #krate::FamilyDesc {
            name: #name,
            kind: #kind,
            help: #help,
            unit: #unit,
            labels: &[#(#labels),*],
            buckets: #buckets,
            native: #native,
            summary: #summary,
            max_series: #max_series,
            idle_timeout: #idle_timeout,
            note: #note,
        }
    }
}

/// `NativeSpec::DEFAULT` or `NativeSpec::from_factor(f)`, then each other value given.
fn native_spec(krate: &CratePath, n: &Native) -> TokenStream {
    let mut spec = match n.factor {
        Some(f) => {
            let f = Literal::f64_suffixed(f);
            quote!(#krate::value::NativeSpec::from_factor(#f))
        }
        None => quote!(#krate::value::NativeSpec::DEFAULT),
    };
    if let Some(z) = n.zero_threshold {
        let z = Literal::f64_suffixed(z);
        spec = quote!(#spec.with_zero_threshold(#z));
    }
    if let Some(m) = n.max_buckets {
        let m = Literal::u32_suffixed(m);
        spec = quote!(#spec.with_max_buckets(#m));
    }
    spec
}

/// `SummarySpec::DEFAULT`, then each value given.
fn summary_spec(krate: &CratePath, s: &Summary) -> TokenStream {
    let mut spec = quote!(#krate::SummarySpec::DEFAULT);
    if let Some(q) = &s.quantiles {
        let q = q.iter().map(|x| Literal::f64_suffixed(*x));
        spec = quote!(#spec.with_quantiles(&[#(#q),*]));
    }
    if let Some(secs) = s.max_age {
        spec = quote!(#spec.with_max_age(::core::time::Duration::from_secs(#secs)));
    }
    if let Some(n) = s.age_buckets {
        let n = Literal::u32_suffixed(n);
        spec = quote!(#spec.with_age_buckets(#n));
    }
    spec
}

/// Compile-time checks the macro cannot make: the field type is a family of the declared kind,
/// a bucket preset named by path is valid, and the runtime takes the native spec (the macro
/// checked its values already; this keeps the runtime's limits the ones in force).
fn checks(krate: &CratePath, f: &Family) -> TokenStream {
    let (at, krate_at, _) = at_type(krate, f);
    let ty = &f.ty;
    let kind = kind_path(&krate_at, f.kind);
    let msg = format!(
        "field `{}` has a type that is not a {} family",
        f.field,
        f.kind.as_str()
    );
    let kind_check = quote_spanned! {at=>
        ::core::assert!(
            #krate_at::__private::same_kind(
                <#ty as #krate_at::__private::FamilyType>::KIND,
                #kind,
            ),
            #msg
        );
    };
    let bucket_check = match &f.buckets {
        Some(Buckets::Path(p)) => {
            let msg = format!(
                "bucket preset for `{}` must be non-empty, finite and strictly increasing",
                f.name
            );
            quote!(::core::assert!(#krate::__private::buckets_are_valid(#p), #msg);)
        }
        _ => quote!(),
    };
    let native_check = match &f.native {
        Some(n) => {
            let spec = native_spec(krate, n);
            let msg = format!("native spec of `{}` is out of range", f.name);
            quote!(::core::assert!(#spec.is_valid(), #msg);)
        }
        None => quote!(),
    };
    quote!(#kind_check #bucket_check #native_check)
}

fn accessor(krate: &CratePath, f: &Family, vis: &syn::Visibility) -> TokenStream {
    let field = &f.field;
    let (at, krate_at, field_at) = at_type(krate, f);
    let ty = &f.ty;
    let params = f.labels.iter().map(|l| {
        let p = &l.param;
        match &l.ty {
            Some(t) => quote!(#p: #t),
            None => quote!(#p: &str),
        }
    });
    let doc = accessor_doc(f);
    if f.kind == Kind::Info {
        let values = f.labels.iter().map(|l| {
            let p = &l.param;
            match &l.ty {
                Some(t) => {
                    let label_value = label_value_of(krate, t);
                    quote!(#label_value::as_str(#p))
                }
                None => quote!(#p),
            }
        });
        let set = quote_spanned!(at=> <#ty as #krate_at::__private::FamilyType>::series(&self.#field_at, &[], 0).set(&[#(#values),*]));
        return quote! {
            #[doc = #doc]
            #[doc = "\n\nSets the info labels, replacing the previous ones."]
            #vis fn #field(&self, #(#params),*) {
                #set;
            }
        };
    }
    let free = free_params(f);
    let slot = slot(krate, &f.labels);
    let family_type = quote_spanned!(at=> <#ty as #krate_at::__private::FamilyType>);
    // Series of a family without free-form labels are never removed: a plain reference.
    let (series, get) = if free.is_empty() {
        (
            quote_spanned!(at=> &#family_type::Series),
            quote_spanned!(at=> #family_type::fixed(&self.#field_at, #slot)),
        )
    } else {
        (
            quote_spanned!(at=> #krate_at::Handle<'_, #family_type::Series>),
            quote_spanned!(at=> #family_type::series(&self.#field_at, &[#(#free),*], #slot)),
        )
    };
    quote! {
        #[doc = #doc]
        #[inline]
        #vis fn #field(&self, #(#params),*) -> #series {
            #get
        }
    }
}

/// The accessor parameters of the free-form labels, in declared order.
fn free_params(f: &Family) -> Vec<&Ident> {
    f.labels
        .iter()
        .filter(|l| l.ty.is_none())
        .map(|l| &l.param)
        .collect()
}

/// `remove_<field>` and `remove_<field>_matching`, for a family with free-form labels: they
/// take the free-form values only, in declared order.
fn removers(krate: &CratePath, f: &Family, vis: &syn::Visibility) -> TokenStream {
    if !f.removable {
        return TokenStream::new();
    }
    let (at, krate_at, field_at) = at_type(krate, f);
    let ty = &f.ty;
    let family_type = quote_spanned!(at=> <#ty as #krate_at::__private::FamilyType>);
    let free = free_params(f);
    let [remove, remove_matching] = naming::remove_methods(&f.field);
    let (doc, doc_matching) = remover_docs(f, &remove);
    quote! {
        #[doc = #doc]
        #vis fn #remove(&self, #(#free: &str),*) -> bool {
            #family_type::remove(&self.#field_at, &[#(#free),*])
        }

        #[doc = #doc_matching]
        #vis fn #remove_matching(&self, #(#free: ::core::option::Option<&str>),*) -> usize {
            #family_type::remove_matching(&self.#field_at, &[#(#free),*])
        }
    }
}

fn remover_docs(f: &Family, remove_method: &Ident) -> (String, String) {
    let free: Vec<&str> = f
        .labels
        .iter()
        .filter(|l| l.ty.is_none())
        .map(|l| l.name.as_str())
        .collect();
    let (one, every) = match free.as_slice() {
        [label] => (
            format!("one `{label}` value"),
            format!("every `{label}` value"),
        ),
        _ => {
            let tuple = format!("(`{}`)", free.join("`, `"));
            (
                format!("one {tuple} value tuple"),
                format!("every {tuple} value tuple"),
            )
        }
    };
    let enumerated = if f.labels.iter().any(|l| l.ty.is_some()) {
        ", in every combination of the enumerated labels"
    } else {
        ""
    };
    let name = &f.name;
    let remove = format!(
        "Removes the series of `{name}` for {one}{enumerated}, freeing its slot in the series \
         budget. Returns whether it existed; updated again, it starts from zero as a new series."
    );
    let matching = format!(
        "Removes the series of `{name}` for {every} that matches{enumerated}: `Some(v)` matches \
         `v`, `None` any value. Returns how many were removed.\n\nLike [`Self::{remove_method}`] \
         for each match."
    );
    (remove, matching)
}

/// The dense slot of the enumerated labels' values: a mixed-radix number, first label first.
fn slot(krate: &CratePath, labels: &[Label]) -> TokenStream {
    labels
        .iter()
        .filter_map(|l| l.ty.as_ref().map(|t| (label_value_of(krate, t), &l.param)))
        .fold(quote!(0usize), |acc, (label_value, p)| {
            quote!((#acc * #label_value::VALUES.len() + #label_value::index(#p)))
        })
}

fn accessor_doc(f: &Family) -> String {
    let mut doc = format!("`{}` ({}): {}", f.name, f.kind.as_str(), f.help);
    if !f.labels.is_empty() {
        let names: Vec<&str> = f.labels.iter().map(|l| l.name.as_str()).collect();
        doc.push_str(&format!("\n\nLabels, in order: `{}`.", names.join("`, `")));
    }
    doc
}

/// `<struct>_labels`: the inline label enums in a module of their own, so that they collide
/// neither with the user's items (a label `result` makes `Result`) nor with another struct's.
/// Inside, code names only absolute paths: the crate path of `crate = "..."` may be relative to
/// the struct's module, so the `LabelValue` impls go next to the struct instead.
fn labels_module(m: &Model) -> TokenStream {
    if m.enums.is_empty() {
        return TokenStream::new();
    }
    let (module, vis, ident) = (&m.labels_module, &m.vis, &m.ident);
    let doc = format!(
        "Values of the labels of [`{ident}`] declared inline \
         (`labels = [name = [a, b]]`), generated by `#[derive(Metrics)]`: one enum per label."
    );
    let enums = m.enums.iter().map(inline_enum);
    let impls = m.enums.iter().map(|e| {
        let name = &e.ident;
        label_value_impl(&m.krate, e, &quote!(#module::#name))
    });
    quote! {
        #[doc = #doc]
        #vis mod #module {
            #(#enums)*
        }

        #(#impls)*
    }
}

/// One inline label enum, inside the labels module.
fn inline_enum(e: &LabelEnum) -> TokenStream {
    let ident = &e.ident;
    let doc = &e.doc;
    let variants = e.variants.iter().map(|(v, s)| {
        let d = format!("`{s}`");
        quote!(#[doc = #d] #v)
    });
    let all = e.variants.iter().map(|(v, _)| quote!(Self::#v));
    let n = e.variants.len();
    let str_arms = e.variants.iter().map(|(v, s)| quote!(Self::#v => #s));
    quote! {
        #[doc = #doc]
        // Values a program never records are still declared (and exposed at zero).
        #[allow(dead_code)]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash)]
        pub enum #ident { #(#variants,)* }

        #[automatically_derived]
        impl #ident {
            /// Every value, in slot order.
            pub const ALL: [Self; #n] = [#(#all),*];

            /// The exposed label value.
            pub const fn as_str(self) -> &'static str {
                match self { #(#str_arms,)* }
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}
