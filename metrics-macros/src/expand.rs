//! Expansion: the validated model to tokens. Cannot fail.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Buckets, Family, Kind, LabelEnum, Model};

fn opt_str(v: Option<&str>) -> TokenStream {
    match v {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

fn descriptor(f: &Family) -> TokenStream {
    let (name, help) = (&f.name, &f.help);
    let kind = format_ident!("{}", f.kind.variant());
    let unit = opt_str(f.unit.as_deref());
    let note = opt_str(f.note.as_deref());
    let labels = f.labels.iter().map(|l| {
        let n = &l.name;
        let values = match &l.ty {
            Some(t) => {
                quote!(::core::option::Option::Some(<#t as ::promdecl::LabelValue>::VALUES))
            }
            None => quote!(::core::option::Option::None),
        };
        quote!(::promdecl::LabelDesc { name: #n, values: #values })
    });
    let buckets = match &f.buckets {
        Some(Buckets::Values(v)) => {
            let v = v.iter().map(|x| Literal::f64_suffixed(*x));
            quote!(::core::option::Option::Some(&[#(#v),*]))
        }
        Some(Buckets::Path(p)) => quote!(::core::option::Option::Some(#p)),
        None if f.kind == Kind::Histogram => {
            quote!(::core::option::Option::Some(::promdecl::buckets::DEFAULT))
        }
        None => quote!(::core::option::Option::None),
    };
    let max_series = match f.max_series {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        ::promdecl::FamilyDesc {
            name: #name,
            kind: ::promdecl::Kind::#kind,
            help: #help,
            unit: #unit,
            labels: &[#(#labels),*],
            buckets: #buckets,
            max_series: #max_series,
            note: #note,
        }
    }
}

fn accessor(f: &Family, vis: &syn::Visibility) -> TokenStream {
    let field = &f.field;
    let params = f.labels.iter().map(|l| {
        let p = &l.param;
        match &l.ty {
            Some(t) => quote!(#p: #t),
            None => quote!(#p: &str),
        }
    });
    let mut doc = format!(
        "`{}` ({}): {}",
        f.name,
        f.kind.variant().to_lowercase(),
        f.help
    );
    if !f.labels.is_empty() {
        let names: Vec<&str> = f.labels.iter().map(|l| l.name.as_str()).collect();
        doc.push_str(&format!("\n\nLabels, in order: `{}`.", names.join("`, `")));
    }
    if f.kind == Kind::Info {
        let values = f.labels.iter().map(|l| {
            let p = &l.param;
            match &l.ty {
                Some(_) => quote!(::promdecl::LabelValue::as_str(#p)),
                None => quote!(#p),
            }
        });
        return quote! {
            #[doc = #doc]
            #[doc = "\n\nSets the info labels, replacing the previous ones."]
            #vis fn #field(&self, #(#params),*) {
                self.#field.set(&[#(#values),*]);
            }
        };
    }
    let free = f.labels.iter().filter(|l| l.ty.is_none()).map(|l| &l.param);
    let slot = f.labels.iter().filter_map(|l| l.ty.as_ref().map(|t| (t, &l.param))).fold(
        quote!(0usize),
        |acc, (t, p)| {
            quote!((#acc * <#t as ::promdecl::LabelValue>::VALUES.len() + ::promdecl::LabelValue::index(#p)))
        },
    );
    let ty = &f.ty;
    quote! {
        #[doc = #doc]
        #[inline]
        #vis fn #field(&self, #(#params),*) -> &<#ty as ::promdecl::__private::HasSeries>::Series {
            self.#field.get(&[#(#free),*], #slot)
        }
    }
}

pub fn metrics(m: &Model) -> TokenStream {
    let (ident, vis) = (&m.ident, &m.vis);
    let descs = m.families.iter().map(descriptor);
    let fields: Vec<_> = m.families.iter().map(|f| &f.field).collect();
    let inits = m.families.iter().enumerate().map(|(i, f)| {
        let (field, ty) = (&f.field, &f.ty);
        quote! {
            #field: <#ty as ::promdecl::__private::FamilyType>::from_desc(
                &<Self as ::promdecl::Metrics>::FAMILIES[#i]
            )
        }
    });
    let plain = &m.plain;
    let checks = m.families.iter().map(|f| {
        let ty = &f.ty;
        let kind = format_ident!("{}", f.kind.variant());
        let msg = format!(
            "field `{}` has a type that is not a {} family",
            f.field,
            f.kind.variant().to_lowercase()
        );
        let bucket_check = match &f.buckets {
            Some(Buckets::Path(p)) => {
                let msg = format!(
                    "bucket preset for `{}` must be non-empty, finite and strictly increasing",
                    f.name
                );
                quote!(::core::assert!(::promdecl::__private::buckets_are_valid(#p), #msg);)
            }
            _ => quote!(),
        };
        quote! {
            ::core::assert!(
                ::promdecl::__private::same_kind(
                    <#ty as ::promdecl::__private::FamilyType>::KIND,
                    ::promdecl::Kind::#kind,
                ),
                #msg
            );
            #bucket_check
        }
    });
    let items = items(m);
    quote! {
        #items

        const _: () = { #(#checks)* };

        #[automatically_derived]
        impl ::promdecl::Metrics for #ident {
            const FAMILIES: &'static [::promdecl::FamilyDesc] = &[#(#descs),*];

            fn visit(&self, f: &mut dyn ::core::ops::FnMut(&dyn ::promdecl::AnyFamily)) {
                #(f(::promdecl::__private::as_any(&self.#fields));)*
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

/// The label enums and accessors: everything users call, also emitted by the fallback.
pub fn items(m: &Model) -> TokenStream {
    let (ident, vis) = (&m.ident, &m.vis);
    let accessors = m.families.iter().map(|f| accessor(f, vis));
    let enums = m.enums.iter().map(|e| inline_enum(e, vis));
    quote! {
        #(#enums)*

        #[automatically_derived]
        impl #ident {
            #(#accessors)*
        }
    }
}

fn label_value_impl(e: &LabelEnum) -> TokenStream {
    let ident = &e.ident;
    let values = e.variants.iter().map(|(_, s)| s);
    let arms = e
        .variants
        .iter()
        .enumerate()
        .map(|(i, (v, _))| quote!(Self::#v => #i));
    quote! {
        #[automatically_derived]
        impl ::promdecl::LabelValue for #ident {
            const VALUES: &'static [&'static str] = &[#(#values),*];

            #[inline]
            fn index(self) -> usize {
                match self { #(#arms,)* }
            }
        }
    }
}

fn inline_enum(e: &LabelEnum, vis: &syn::Visibility) -> TokenStream {
    let ident = &e.ident;
    let doc = &e.doc;
    let variants = e.variants.iter().map(|(v, s)| {
        let d = format!("`{s}`");
        quote!(#[doc = #d] #v)
    });
    let all = e.variants.iter().map(|(v, _)| quote!(Self::#v));
    let n = e.variants.len();
    let str_arms = e.variants.iter().map(|(v, s)| quote!(Self::#v => #s));
    let trait_impl = label_value_impl(e);
    quote! {
        #[doc = #doc]
        // Values a program never records are still declared (and exposed at zero).
        #[allow(dead_code)]
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash)]
        #vis enum #ident { #(#variants,)* }

        #[automatically_derived]
        impl #ident {
            /// Every value, in slot order.
            #vis const ALL: [Self; #n] = [#(#all),*];

            /// The exposed label value.
            #vis const fn as_str(self) -> &'static str {
                match self { #(#str_arms,)* }
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Display for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #trait_impl
    }
}

pub fn label_value(e: &LabelEnum) -> TokenStream {
    label_value_impl(e)
}
