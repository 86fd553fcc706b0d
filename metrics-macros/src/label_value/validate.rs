//! Validation of a label enum: one `check_*` per rule, errors accumulated.

use darling::error::Accumulator;
use darling::Error;
use proc_macro2::Span;
use syn::Ident;

use crate::naming::or_list;

use super::input::{LabelValueInput, VariantAttrs};
use super::model::{LabelEnum, Model};

/// The conversions `rename_all` accepts.
const RENAME_RULES: &[&str] = &[
    "snake_case",
    "kebab-case",
    "lowercase",
    "UPPERCASE",
    "SCREAMING_SNAKE_CASE",
    "PascalCase",
];

/// The rule values follow without `rename_all`.
const DEFAULT_RULE: &str = "snake_case";

pub fn label_value(input: LabelValueInput) -> darling::Result<Model> {
    let mut errors = Error::accumulator();
    let a = &input.attrs;
    check_generics(&mut errors, &a.generics);
    let rule = check_rename_all(&mut errors, a.rename_all.as_ref());
    let variants = match &a.data {
        darling::ast::Data::Enum(v) => v,
        darling::ast::Data::Struct(_) => unreachable!("checked in input"),
    };
    check_not_empty(&mut errors, variants, input.span);
    let mut out: Vec<(Ident, String)> = Vec::new();
    for v in variants {
        if !check_fieldless(&mut errors, v) {
            continue;
        }
        check_no_discriminant(&mut errors, v);
        let value = match &v.rename {
            Some(r) => (**r).clone(),
            None => convert_case(rule, &v.ident.to_string()),
        };
        check_unique_value(&mut errors, &out, &value, &v.ident);
        out.push((v.ident.clone(), value));
    }
    errors.finish_with(Model {
        krate: a.krate.clone(),
        label: LabelEnum {
            ident: a.ident.clone(),
            doc: String::new(),
            variants: out,
        },
    })
}

fn check_generics(errors: &mut Accumulator, g: &syn::Generics) {
    if !g.params.is_empty() {
        errors.push(Error::custom("label enums cannot be generic").with_span(&g.params));
    }
}

/// The rule variant names follow; an unknown one is reported and the default used, so it causes
/// no second error.
fn check_rename_all<'a>(
    errors: &mut Accumulator,
    rename_all: Option<&'a darling::util::SpannedValue<String>>,
) -> &'a str {
    let Some(rule) = rename_all else {
        return DEFAULT_RULE;
    };
    if RENAME_RULES.contains(&rule.as_str()) {
        return rule.as_str();
    }
    let choices = or_list(RENAME_RULES.iter().map(|r| format!("\"{r}\"")));
    errors.push(
        Error::custom(format!(
            "unknown `rename_all = \"{}\"`; use {choices}",
            rule.as_str()
        ))
        .with_span(&rule.span()),
    );
    DEFAULT_RULE
}

fn check_not_empty(errors: &mut Accumulator, variants: &[VariantAttrs], span: Span) {
    if variants.is_empty() {
        errors.push(Error::custom("a label enum needs at least one variant").with_span(&span));
    }
}

fn check_fieldless(errors: &mut Accumulator, v: &VariantAttrs) -> bool {
    if !v.fields.is_unit() {
        errors.push(
            Error::custom("label values are fieldless variants; remove the fields")
                .with_span(&v.ident),
        );
    }
    v.fields.is_unit()
}

fn check_no_discriminant(errors: &mut Accumulator, v: &VariantAttrs) {
    if let Some(d) = &v.discriminant {
        errors.push(
            Error::custom(
                "label enums take no explicit discriminants; slots follow declaration order",
            )
            .with_span(d),
        );
    }
}

fn check_unique_value(
    errors: &mut Accumulator,
    seen: &[(Ident, String)],
    value: &str,
    variant: &Ident,
) {
    if seen.iter().any(|(_, s)| s == value) {
        errors.push(
            Error::custom(format!("two variants are exposed as `{value}`; rename one"))
                .with_span(variant),
        );
    }
}

/// `variant` (PascalCase) under one of the [`RENAME_RULES`].
fn convert_case(rule: &str, variant: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for (i, c) in variant.char_indices() {
        if c.is_uppercase() && i > 0 || words.is_empty() {
            words.push(String::new());
        }
        if let Some(w) = words.last_mut() {
            w.push(c.to_ascii_lowercase());
        }
    }
    match rule {
        "kebab-case" => words.join("-"),
        "lowercase" => words.concat(),
        "SCREAMING_SNAKE_CASE" => words.join("_").to_uppercase(),
        "UPPERCASE" => words.concat().to_uppercase(),
        "PascalCase" => variant.to_string(),
        _ => words.join("_"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_converts() {
        let converted: Vec<String> = RENAME_RULES
            .iter()
            .map(|r| convert_case(r, "TimedOut"))
            .collect();
        assert_eq!(
            converted,
            [
                "timed_out",
                "timed-out",
                "timedout",
                "TIMEDOUT",
                "TIMED_OUT",
                "TimedOut"
            ]
        );
    }
}
