//! Rule-test input that is tedious to write by hand: the bucket series of a histogram.

use promdecl_gen::Alert;

/// Test input for histogram `name` (its family name; the `_bucket` sample is selected): from
/// time 0, `per_step` observations of `value` per evaluation interval for `steps` intervals, as
/// one cumulative series per bound of `buckets` and `+Inf`, each with `labels` (`a="x",b="y"`,
/// or empty) besides `le`.
///
/// The bounds come from the family's declaration (pass its bucket constant), so the input has
/// exactly the buckets the family exposes.
pub(crate) fn observations(
    name: &str,
    labels: &str,
    buckets: &[f64],
    value: f64,
    per_step: u32,
    steps: u32,
) -> Vec<(String, String)> {
    let separator = if labels.is_empty() { "" } else { "," };
    let bounds = buckets.iter().map(|b| b.to_string());
    bounds
        .chain(["+Inf".to_string()])
        .map(|le| {
            let counted = le == "+Inf" || le.parse::<f64>().is_ok_and(|b| value <= b);
            let series = format!(
                "{name}{bucket}{{{labels}{separator}le=\"{le}\"}}",
                bucket = promdecl_spec::BUCKET_SUFFIX
            );
            let values = match counted {
                true => format!("0+{per_step}x{steps}"),
                false => format!("0x{steps}"),
            };
            (series, values)
        })
        .collect()
}

/// Builder shorthand: an alert's firing or quiet input given as histogram observations.
pub(crate) trait HistogramInput: Sized {
    /// Adds [`observations`] as input under which the alert must fire.
    fn fires_with_observations(self, input: Vec<(String, String)>) -> Self;
    /// Adds [`observations`] as input under which the alert must stay quiet.
    fn quiet_with_observations(self, input: Vec<(String, String)>) -> Self;
}

impl HistogramInput for Alert {
    fn fires_with_observations(self, input: Vec<(String, String)>) -> Self {
        input.into_iter().fold(self, |alert, (series, values)| {
            alert.fires_with(series, values)
        })
    }

    fn quiet_with_observations(self, input: Vec<(String, String)>) -> Self {
        input.into_iter().fold(self, |alert, (series, values)| {
            alert.quiet_with(series, values)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::observations;

    #[test]
    fn buckets_at_or_above_the_value_count_every_observation() {
        let input = observations("x_seconds", r#"type="a""#, &[1.0, 10.0], 2.5, 3, 5);
        assert_eq!(
            input,
            [
                (r#"x_seconds_bucket{type="a",le="1"}"#.into(), "0x5".into()),
                (
                    r#"x_seconds_bucket{type="a",le="10"}"#.into(),
                    "0+3x5".into()
                ),
                (
                    r#"x_seconds_bucket{type="a",le="+Inf"}"#.into(),
                    "0+3x5".into()
                ),
            ]
        );
        let bare = observations("x_seconds", "", &[1.0], 20.0, 1, 2);
        assert_eq!(bare[0].0, r#"x_seconds_bucket{le="1"}"#);
        assert_eq!(bare[0].1, "0x2");
    }
}
