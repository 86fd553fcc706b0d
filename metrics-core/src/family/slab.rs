//! A grow-only arena of values that never move: what a reader borrows stays valid for as
//! long as the arena lives, without a guard.
//!
//! Elements come in chunks, each made whole (every element initialised) when the arena first
//! needs it. Chunks double from one element up to [`CHUNK`] and stay at that size, so a family
//! of a few series makes a few (a histogram's series own kilobytes of lanes on a large
//! machine), and memory beyond the elements in use is bounded by one chunk.

use std::fmt;

/// Elements per chunk once the arena holds as many: 64 keeps the chunk table short for a large
/// family, and the unused tail small.
const CHUNK: usize = 64;
/// Doubling chunks before the first full one: 1, 1, 2, 4, 8, 16 and 32 elements.
const SMALL_CHUNKS: usize = CHUNK.trailing_zeros() as usize + 1;

pub(super) struct Slab<T> {
    chunks: boxcar::Vec<Box<[T]>>,
}

/// The chunk holding element `i`, and `i`'s place in it.
#[inline(always)]
fn locate(i: usize) -> (usize, usize) {
    if i < CHUNK {
        // Chunk `k > 0` starts at `2^(k-1)`: `k` is the bit length of `i`.
        let k = (usize::BITS - i.leading_zeros()) as usize;
        (k, i - ((1 << k) >> 1))
    } else {
        (SMALL_CHUNKS - 1 + i / CHUNK, i % CHUNK)
    }
}

/// Elements in chunk `k`.
fn chunk_len(k: usize) -> usize {
    match k {
        0 => 1,
        k if k < SMALL_CHUNKS => 1 << (k - 1),
        _ => CHUNK,
    }
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
        let (chunk, at) = locate(i);
        self.chunks.get(chunk)?.get(at)
    }

    /// Makes room for elements `0..len`, initialising new chunks with `make`. Callers
    /// serialise growth (the family's creation lock), so chunks are pushed in order.
    pub(super) fn reserve(&self, len: usize, mut make: impl FnMut() -> T) {
        while self.capacity() < len {
            let k = self.chunks.count();
            self.chunks
                .push((0..chunk_len(k)).map(|_| make()).collect());
        }
    }

    /// Number of elements made so far.
    pub(super) fn capacity(&self) -> usize {
        match self.chunks.count() {
            n if n <= SMALL_CHUNKS => (1 << n) >> 1,
            n => CHUNK * (n - SMALL_CHUNKS + 1),
        }
    }
}

impl<T> fmt::Debug for Slab<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slab({} elements)", self.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_fill_chunks_in_order_without_gaps() {
        let mut next = 0;
        let mut chunk_start = 0;
        for k in 0..SMALL_CHUNKS + 3 {
            for at in 0..chunk_len(k) {
                assert_eq!(locate(next), (k, at), "element {next}");
                next += 1;
            }
            chunk_start += chunk_len(k);
            assert_eq!(chunk_start, next);
        }
        let slab = Slab::new();
        let mut made = 0;
        slab.reserve(3, || {
            made += 1;
            made
        });
        assert_eq!((slab.capacity(), made), (4, 4), "chunks of 1, 1 and 2");
        assert_eq!(slab.get(3), Some(&4));
        assert_eq!(slab.get(4), None);
        for len in [5, 64, 65, 200] {
            slab.reserve(len, || 0);
            let made: usize = (0..slab.chunks.count()).map(chunk_len).sum();
            assert_eq!(slab.capacity(), made);
            assert!(made >= len && made - len < CHUNK.max(len), "{len}: {made}");
        }
        assert_eq!(slab.capacity(), 256);
    }
}
