//! Enumerated label values.

/// A closed set of label values, mapped to dense slots.
///
/// Derive it with `#[derive(LabelValue)]` on a fieldless enum, or let `labels = [x = [a, b]]`
/// generate one (in the module `<struct>_labels` next to the struct: `ShopMetrics` ->
/// `shop_metrics_labels::X`). `bool` implements it as `"false"`/`"true"`.
///
/// ```
/// use promdecl::LabelValue;
///
/// #[derive(Clone, Copy, LabelValue)]
/// enum Outcome { Success, TimedOut }
///
/// assert_eq!(Outcome::TimedOut.as_str(), "timed_out");
/// assert_eq!(<Outcome as LabelValue>::VALUES, &["success", "timed_out"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a label value type",
    label = "derive `LabelValue` on a fieldless enum or use `bool`; for strings, write the label alone (free-form)"
)]
pub trait LabelValue: Copy + 'static {
    /// Every exposed value, in slot order.
    const VALUES: &'static [&'static str];

    /// The slot of this value: its position in [`LabelValue::VALUES`].
    fn index(self) -> usize;

    /// The exposed value.
    fn as_str(self) -> &'static str {
        Self::VALUES.get(self.index()).copied().unwrap_or("")
    }
}

impl LabelValue for bool {
    const VALUES: &'static [&'static str] = &["false", "true"];

    fn index(self) -> usize {
        usize::from(self)
    }
}
