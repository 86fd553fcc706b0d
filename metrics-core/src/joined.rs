//! Several strings in one allocation: series keys and their cached label text.

/// Several strings back to back in one allocation: fewer allocations per series, and a hit
/// compares one buffer.
#[derive(Debug)]
pub(crate) struct Joined {
    text: Box<str>,
    /// End of each part but the last in `text` (empty for one part: no allocation).
    splits: Box<[usize]>,
}

impl Joined {
    /// Joins `n` parts, part `i` being whatever `write(i, buffer)` appends.
    pub(crate) fn build(
        n: usize,
        capacity: usize,
        mut write: impl FnMut(usize, &mut String),
    ) -> Self {
        let mut text = String::with_capacity(capacity);
        let mut splits = Vec::with_capacity(n.saturating_sub(1));
        for i in 0..n {
            if i > 0 {
                splits.push(text.len());
            }
            write(i, &mut text);
        }
        Self {
            text: text.into(),
            splits: splits.into(),
        }
    }

    /// The free-form values of one entry.
    pub(crate) fn key(values: &[&str]) -> Self {
        let len = values.iter().map(|v| v.len()).sum();
        Self::build(values.len(), len, |i, out| {
            out.push_str(values.get(i).copied().unwrap_or_default())
        })
    }

    /// Whether the parts are exactly `values`.
    #[inline(always)]
    pub(crate) fn matches(&self, values: &[&str]) -> bool {
        match values {
            [one] => self.splits.is_empty() && self.text.as_bytes() == one.as_bytes(),
            _ => {
                self.splits.len() + 1 == values.len()
                    && self.text.len() == values.iter().map(|v| v.len()).sum::<usize>()
                    && self.parts().zip(values).all(|(a, b)| a == *b)
            }
        }
    }

    pub(crate) fn parts(&self) -> impl Iterator<Item = &str> {
        let ends = self.splits.iter().copied().chain([self.text.len()]);
        let mut start = 0;
        ends.map(move |end| {
            let part = self.text.get(start..end).unwrap_or("");
            start = end;
            part
        })
    }
}
