//! Histogram bucket specs: `[0.1, 1.0]`, `exponential(start, factor, count)`,
//! `linear(start, width, count)` or the path of a `&[f64]` const, turned into bounds and checked.

use darling::{Error, FromMeta};
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Ident};

/// `buckets = ...`, as written.
pub enum BucketSpec {
    /// `[0.1, 0.5, 1.0]`: each value with its span.
    Literal(Vec<(f64, Span)>, Span),
    /// `exponential(start, factor, count)` or `linear(start, width, count)`.
    Generated {
        func: Ident,
        args: Vec<(f64, Span)>,
        span: Span,
    },
    /// `SOME_CONST`: a `&'static [f64]` checked at compile time by a const assertion.
    Path(syn::Path),
}

/// Checked bucket bounds.
pub enum Buckets {
    Values(Vec<f64>),
    Path(syn::Path),
}

/// The largest `count` a generator takes.
const MAX_GENERATED: f64 = 1000.0;

impl BucketSpec {
    /// The whole spec, for errors about it.
    pub fn span(&self) -> Span {
        match self {
            BucketSpec::Literal(_, s) | BucketSpec::Generated { span: s, .. } => *s,
            BucketSpec::Path(p) => p.span(),
        }
    }

    /// The bounds, or the first mistake in them.
    pub fn resolve(&self) -> darling::Result<Buckets> {
        let (values, span) = match self {
            BucketSpec::Path(p) => return Ok(Buckets::Path(p.clone())),
            BucketSpec::Literal(v, s) => (v.clone(), *s),
            BucketSpec::Generated { func, args, span } => (generate(func, args, *span)?, *span),
        };
        check_bounds(&values, span)?;
        Ok(Buckets::Values(
            values.into_iter().map(|(v, _)| v).collect(),
        ))
    }
}

/// The bounds a generator call produces, each spanned on the call.
fn generate(func: &Ident, args: &[(f64, Span)], span: Span) -> darling::Result<Vec<(f64, Span)>> {
    let (start, step, count) = check_generator_args(func, args, span)?;
    let values: Vec<f64> = match func.to_string().as_str() {
        "exponential" => {
            if start <= 0.0 || step <= 1.0 {
                return Err(Error::custom(
                    "`exponential(start, factor, count)` needs start > 0 and factor > 1",
                )
                .with_span(&span));
            }
            (0..count).map(|i| start * step.powi(i as i32)).collect()
        }
        "linear" => {
            if step <= 0.0 {
                return Err(
                    Error::custom("`linear(start, width, count)` needs width > 0").with_span(&span),
                );
            }
            (0..count).map(|i| start + step * i as f64).collect()
        }
        other => {
            return Err(Error::custom(format!(
                "unknown bucket generator `{other}`; use `exponential` or `linear`"
            ))
            .with_span(func))
        }
    };
    Ok(values.into_iter().map(|v| (v, span)).collect())
}

/// `(start, step, count)`: three numbers, the count whole and from 1 to 1000.
fn check_generator_args(
    func: &Ident,
    args: &[(f64, Span)],
    span: Span,
) -> darling::Result<(f64, f64, usize)> {
    let [(start, _), (step, _), (count, _)] = args else {
        let msg = if args.len() < 3 {
            format!("`{func}` takes three numbers: `{func}(start, step, count)`")
        } else {
            format!("`{func}` takes `(start, step, count)` with a whole count from 1 to 1000")
        };
        return Err(Error::custom(msg).with_span(&span));
    };
    if *count < 1.0 || count.fract() != 0.0 || *count > MAX_GENERATED {
        return Err(Error::custom(format!(
            "`{func}` takes `(start, step, count)` with a whole count from 1 to 1000"
        ))
        .with_span(&span));
    }
    Ok((*start, *step, *count as usize))
}

/// Non-empty, finite, strictly increasing.
fn check_bounds(values: &[(f64, Span)], span: Span) -> darling::Result<()> {
    if values.is_empty() {
        return Err(Error::custom(
            "`buckets` is empty; list at least one upper bound (`+Inf` is added for you)",
        )
        .with_span(&span));
    }
    let mut previous: Option<f64> = None;
    for (v, s) in values {
        if !v.is_finite() {
            return Err(
                Error::custom("bucket bounds must be finite; `+Inf` is added for you").with_span(s),
            );
        }
        match previous {
            Some(p) if *v == p => {
                return Err(Error::custom(format!(
                    "duplicate bucket bound `{v}`; list each bound once"
                ))
                .with_span(s))
            }
            Some(p) if *v < p => {
                return Err(Error::custom(format!(
                    "bucket bounds must increase; `{v}` comes after `{p}`"
                ))
                .with_span(s))
            }
            _ => previous = Some(*v),
        }
    }
    Ok(())
}

/// A number literal, possibly negated.
fn number(expr: &Expr) -> darling::Result<(f64, Span)> {
    let span = expr.span();
    let bad = || Error::custom("expected a number literal").with_span(expr);
    match expr {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Float(f) => f.base10_parse::<f64>().map_err(|_| bad()),
            syn::Lit::Int(i) => i.base10_parse::<f64>().map_err(|_| bad()),
            _ => Err(bad()),
        }
        .map(|v| (v, span)),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => {
            number(&u.expr).map(|(v, _)| (-v, span))
        }
        Expr::Group(g) => number(&g.expr),
        _ => Err(bad()),
    }
}

/// Every number in `exprs`, each mistake reported.
fn numbers<'a>(exprs: impl IntoIterator<Item = &'a Expr>) -> darling::Result<Vec<(f64, Span)>> {
    let mut errors = Error::accumulator();
    let values = exprs
        .into_iter()
        .filter_map(|e| errors.handle(number(e)))
        .collect();
    errors.finish_with(values)
}

impl FromMeta for BucketSpec {
    fn from_expr(expr: &Expr) -> darling::Result<Self> {
        let span = expr.span();
        match expr {
            Expr::Array(a) => Ok(BucketSpec::Literal(numbers(&a.elems)?, span)),
            Expr::Call(c) => {
                let func = match &*c.func {
                    Expr::Path(p) => p.path.get_ident().cloned(),
                    _ => None,
                }
                .ok_or_else(|| {
                    Error::custom(
                        "expected `exponential(start, factor, count)` or `linear(start, width, count)`",
                    )
                    .with_span(&c.func)
                })?;
                let args = numbers(&c.args)?;
                Ok(BucketSpec::Generated { func, args, span })
            }
            Expr::Path(p) => Ok(BucketSpec::Path(p.path.clone())),
            _ => Err(Error::custom(
                "expected a list `[0.1, 1.0]`, `exponential(start, factor, count)`, \
                 `linear(start, width, count)` or the path of a `&[f64]` const",
            )
            .with_span(expr)),
        }
    }
}
