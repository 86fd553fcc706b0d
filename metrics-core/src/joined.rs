//! Several strings in one allocation: the cached label text of never-removed series.

/// Several strings back to back in one allocation.
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
