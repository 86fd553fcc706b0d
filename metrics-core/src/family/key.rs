//! The free-form values of one stored tuple, with its idleness bookkeeping, in one allocation.
//!
//! The values are joined by `0xFF` (a byte no UTF-8 text contains, so joining is unambiguous)
//! into the byte slice of a thin reference-counted allocation (`triomphe::ThinArc`: one pointer
//! wide, so an `arc_swap` cell can hold it), of `len + 24` bytes.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};

use triomphe::ThinArc;

/// Separates the values of a tuple in a key's text.
const SEPARATOR: u8 = 0xFF;

/// A stored tuple's values.
pub(crate) type Key = ThinArc<Header, u8>;

#[derive(Debug)]
pub(crate) struct Header {
    /// When a sweep last found the key touched (or it was created), in ms of its family's
    /// clock; wraps after 49 days, which only delays an expiry.
    seen: AtomicU32,
    /// Whether an accessor reached the key since the last sweep.
    touched: AtomicBool,
    /// What a free slot holds: matches nothing.
    vacant: bool,
}

/// Bytes `values` take joined.
#[inline(always)]
pub(crate) fn joined_len(values: &[&str]) -> usize {
    values
        .iter()
        .map(|v| v.len() + 1)
        .sum::<usize>()
        .saturating_sub(1)
}

/// `a == b` without a call into `memcmp`: label values are short, and a hit always compares.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let words = |s: &[u8]| -> [u8; 8] { s.first_chunk::<8>().copied().unwrap_or_default() };
    let mut at = 0;
    while at + 8 <= a.len() {
        if words(&a[at..]) != words(&b[at..]) {
            return false;
        }
        at += 8;
    }
    // The last 8 bytes, overlapping what was compared.
    let tail = a.len() - 8;
    words(&a[tail..]) == words(&b[tail..])
}

/// The key of `values`.
pub(crate) fn new_key(values: &[&str], now_ms: u32) -> Key {
    let bytes = values.iter().enumerate().flat_map(|(i, v)| {
        let separator = (i > 0).then_some(SEPARATOR);
        separator.into_iter().chain(v.bytes())
    });
    let header = Header {
        seen: AtomicU32::new(now_ms),
        touched: AtomicBool::new(false),
        vacant: false,
    };
    ThinArc::from_header_and_iter(header, ExactLen(bytes, joined_len(values)))
}

/// What a free slot holds.
pub(crate) fn vacant_key() -> Key {
    let header = Header {
        seen: AtomicU32::new(0),
        touched: AtomicBool::new(false),
        vacant: true,
    };
    ThinArc::from_header_and_slice(header, &[])
}

/// An iterator of a length known beforehand (what `from_header_and_iter` needs).
struct ExactLen<I>(I, usize);

impl<I: Iterator> Iterator for ExactLen<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        let item = self.0.next()?;
        self.1 -= 1;
        Some(item)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.1, Some(self.1))
    }
}

impl<I: Iterator> ExactSizeIterator for ExactLen<I> {}

/// What a slot's key says.
pub(crate) trait KeyOps {
    /// Whether the key holds exactly `values`.
    fn matches(&self, values: &[&str]) -> bool;
    /// The values, in declared order (none for the vacant key).
    fn parts(&self) -> impl Iterator<Item = &str>;
    fn is_vacant(&self) -> bool;
    /// Marks the key used since the last sweep.
    fn touch(&self);
    fn touched(&self) -> bool;
    /// Clears `touched`, returning it.
    fn take_touched(&self) -> bool;
    fn seen(&self) -> u32;
    fn set_seen(&self, ms: u32);
}

impl KeyOps for Key {
    #[inline(always)]
    fn matches(&self, values: &[&str]) -> bool {
        let mut text = &self.slice;
        if self.header.header.vacant {
            return false;
        }
        if let [one] = values {
            return same_bytes(text, one.as_bytes());
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                match text.split_first() {
                    Some((&SEPARATOR, rest)) => text = rest,
                    _ => return false,
                }
            }
            match text.strip_prefix(v.as_bytes()) {
                Some(rest) => text = rest,
                None => return false,
            }
        }
        text.is_empty()
    }

    fn parts(&self) -> impl Iterator<Item = &str> {
        let vacant = self.is_vacant();
        self.slice
            .split(|&b| b == SEPARATOR)
            .filter(move |_| !vacant)
            // Joined from `&str`s and split at the separator they cannot contain.
            .map(|part| std::str::from_utf8(part).unwrap_or_default())
    }

    fn is_vacant(&self) -> bool {
        self.header.header.vacant
    }

    /// A read first, so a hot key's line is not written on every lookup.
    #[inline(always)]
    fn touch(&self) {
        let touched = &self.header.header.touched;
        if !touched.load(Relaxed) {
            touched.store(true, Relaxed);
        }
    }

    fn touched(&self) -> bool {
        self.header.header.touched.load(Relaxed)
    }

    fn take_touched(&self) -> bool {
        self.header.header.touched.swap(false, Relaxed)
    }

    fn seen(&self) -> u32 {
        self.header.header.seen.load(Relaxed)
    }

    fn set_seen(&self, ms: u32) {
        self.header.header.seen.store(ms, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_their_values_only() {
        for values in [&["a"][..], &["peer-1", "topic"], &["", ""], &["x", "", "y"]] {
            let key = new_key(values, 0);
            assert!(key.matches(values), "{values:?}");
            assert_eq!(key.parts().collect::<Vec<_>>(), values);
            assert!(!key.matches(&["a", "b", "c", "d"]));
        }
        let key = new_key(&["ab", "c"], 0);
        assert!(!key.matches(&["a", "bc"]));
        assert!(!key.matches(&["ab"]));
        assert!(!vacant_key().matches(&[""]));
        assert!(vacant_key().parts().next().is_none());
        let long = "é".repeat(600);
        assert!(new_key(&[&long, "x"], 0).matches(&[&long, "x"]));
    }
}
