//! A grow-only arena of values that never move: what a reader borrows stays valid for as
//! long as the arena lives, without a guard.
//!
//! Elements come in chunks of [`CHUNK`], each made whole (every element initialised) when the
//! arena first needs it, so memory beyond the elements in use is bounded by one chunk.

use std::fmt;

/// Elements per chunk: 64 keeps the unused tail of a small family small (64 counters are
/// 512 bytes) while the chunk table stays short for a large one.
const CHUNK: usize = 64;

pub(super) struct Slab<T> {
    chunks: boxcar::Vec<Box<[T]>>,
}

impl<T> Slab<T> {
    pub(super) fn new() -> Self {
        Self {
            chunks: boxcar::Vec::new(),
        }
    }

    /// Element `i`, if its chunk exists.
    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    /// Makes room for elements `0..len`, initialising new chunks with `make`. Callers
    /// serialise growth (the family's creation lock), so chunks are pushed in order.
    pub(super) fn reserve(&self, len: usize, mut make: impl FnMut() -> T) {
        while self.chunks.count() * CHUNK < len {
            self.chunks.push((0..CHUNK).map(|_| make()).collect());
        }
    }

    /// Number of elements made so far.
    pub(super) fn capacity(&self) -> usize {
        self.chunks.count() * CHUNK
    }
}

impl<T> fmt::Debug for Slab<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slab({} elements)", self.capacity())
    }
}
