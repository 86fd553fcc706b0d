//! The free-form values of one stored tuple, joined into one allocation.
//!
//! The values are joined by `0xFF`, a byte no UTF-8 text contains, so joining is unambiguous:
//! a key of `len` bytes is one allocation of `len` bytes.

/// Separates the values of a tuple in a key's text.
const SEPARATOR: u8 = 0xFF;

/// A stored tuple's values, joined.
pub(crate) type Key = Box<[u8]>;

/// Bytes `values` take joined.
#[inline(always)]
fn joined_len(values: &[&str]) -> usize {
    values
        .iter()
        .map(|v| v.len() + 1)
        .sum::<usize>()
        .saturating_sub(1)
}

/// Makes `key` hold `values`, in place when it has their length (a slot taken back after a
/// removal usually does: label values of one family tend to have one length).
pub(crate) fn set_key(key: &mut Key, values: &[&str]) {
    if let [one] = values {
        match key.len() == one.len() {
            true => key.copy_from_slice(one.as_bytes()),
            false => *key = one.as_bytes().into(),
        }
        return;
    }
    let mut joined = std::mem::take(key).into_vec();
    joined.clear();
    joined.reserve_exact(joined_len(values));
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            joined.push(SEPARATOR);
        }
        joined.extend_from_slice(v.as_bytes());
    }
    *key = joined.into_boxed_slice();
}

/// Whether `key` holds exactly `values`.
#[inline(always)]
pub(crate) fn matches(key: &[u8], values: &[&str]) -> bool {
    if let [one] = values {
        return key == one.as_bytes();
    }
    let mut text = key;
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

/// The `count` values `key` holds, in declared order.
pub(crate) fn parts(key: &[u8], count: usize) -> impl Iterator<Item = &str> {
    let whole = (count == 1).then_some(key);
    let split = (count > 1).then(|| key.split(|&b| b == SEPARATOR));
    // Joined from `&str`s and split at the separator they cannot contain.
    whole
        .into_iter()
        .chain(split.into_iter().flatten())
        .map(|part| std::str::from_utf8(part).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(values: &[&str]) -> Key {
        let mut k = Key::default();
        set_key(&mut k, values);
        k
    }

    #[test]
    fn keys_match_their_values_only() {
        for values in [&["a"][..], &["peer-1", "topic"], &["", ""], &["x", "", "y"]] {
            let k = key(values);
            assert!(matches(&k, values), "{values:?}");
            assert_eq!(parts(&k, values.len()).collect::<Vec<_>>(), values);
            assert!(!matches(&k, &["a", "b", "c", "d"]));
        }
        let k = key(&["ab", "c"]);
        assert!(!matches(&k, &["a", "bc"]));
        assert!(!matches(&k, &["ab"]));
        let long = "é".repeat(600);
        assert!(matches(&key(&[&long, "x"]), &[&long, "x"]));
    }

    #[test]
    fn a_key_is_rewritten_in_place_or_reallocated() {
        let mut k = key(&["peer-1"]);
        let at = k.as_ptr();
        set_key(&mut k, &["peer-2"]);
        assert_eq!(
            (&*k, k.as_ptr()),
            (&b"peer-2"[..], at),
            "same length: in place"
        );
        set_key(&mut k, &["peer-10"]);
        assert!(matches(&k, &["peer-10"]) && !matches(&k, &["peer-1"]));
        set_key(&mut k, &["a", "b"]);
        assert_eq!(parts(&k, 2).collect::<Vec<_>>(), ["a", "b"]);
    }
}
