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
    /// When a sweep last found the key touched, in ms of its family's
    /// clock; wraps after 49 days, which only delays an expiry.
    seen: AtomicU32,
    /// Whether an accessor reached the key since the last sweep.
    touched: AtomicBool,
    /// What a free slot holds: matches nothing.
    vacant: bool,
    /// Values joined: a key of one needs no scan for separators.
    parts: u8,
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

/// The key of `values`. It starts touched, so the next sweep records when it was first seen
/// (no clock read on the path that creates series).
pub(crate) fn new_key(values: &[&str]) -> Key {
    let header = Header {
        seen: AtomicU32::new(0),
        touched: AtomicBool::new(true),
        vacant: false,
        parts: u8::try_from(values.len()).unwrap_or(u8::MAX),
    };
    if let [one] = values {
        return ThinArc::from_header_and_slice(header, one.as_bytes());
    }
    let mut joined = Vec::with_capacity(joined_len(values));
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            joined.push(SEPARATOR);
        }
        joined.extend_from_slice(v.as_bytes());
    }
    ThinArc::from_header_and_slice(header, &joined)
}

/// What a free slot holds.
pub(crate) fn vacant_key() -> Key {
    let header = Header {
        seen: AtomicU32::new(0),
        touched: AtomicBool::new(false),
        vacant: true,
        parts: 0,
    };
    ThinArc::from_header_and_slice(header, &[])
}

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
            return text == one.as_bytes();
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
        let (text, parts) = (&self.slice, self.header.header.parts);
        let whole = (parts == 1).then_some(text);
        let split = (parts > 1).then(|| text.split(|&b| b == SEPARATOR));
        // Joined from `&str`s and split at the separator they cannot contain.
        whole
            .into_iter()
            .chain(split.into_iter().flatten())
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
            let key = new_key(values);
            assert!(key.matches(values), "{values:?}");
            assert_eq!(key.parts().collect::<Vec<_>>(), values);
            assert!(!key.matches(&["a", "b", "c", "d"]));
        }
        let key = new_key(&["ab", "c"]);
        assert!(!key.matches(&["a", "bc"]));
        assert!(!key.matches(&["ab"]));
        assert!(!vacant_key().matches(&[""]));
        assert!(vacant_key().parts().next().is_none());
        let long = "é".repeat(600);
        assert!(new_key(&[&long, "x"]).matches(&[&long, "x"]));
    }
}
