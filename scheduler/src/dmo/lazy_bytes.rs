//! `DmoBytes`: a DMO's bytes; a large DMO's are allocated by pages on first write (`LazyBytes`), and a page never written reads as zeros.
//!
//! Why: an actor sizes its DMOs for the state it may hold (the replicated
//! key-value store's replicas allocate megabytes for their tables), while a
//! run writes a small part of them. Allocated and zeroed whole, the
//! DMOs of `configs/cluster_rkv.toml` took 8% of its instructions in
//! `memset` and most of its page faults. Small DMOs stay one vector: pages
//! cost their accesses 40-50 instructions more (`configs/cluster_rta.toml`
//! reads and writes small DMOs 170,000 times: 2.4% more instructions
//! when every DMO was paged). Reads and writes see exactly what a
//! zero-filled `Vec<u8>` of the same length would show.

/// Bytes per page: a page is allocated (zeroed) when a byte of it is first written.
const PAGE_BYTES: usize = 4096;

/// Largest DMO kept as one vector (16 pages); larger ones are paged.
const DENSE_MAX_BYTES: usize = 16 * PAGE_BYTES;

/// A DMO's bytes: one zeroed vector up to [`DENSE_MAX_BYTES`], else pages.
#[derive(Clone, Debug)]
pub(super) enum DmoBytes {
    Dense(Vec<u8>),
    Paged(LazyBytes),
}

impl DmoBytes {
    /// `len` bytes reading as zeros.
    pub(super) fn zeroed(len: usize) -> DmoBytes {
        if len <= DENSE_MAX_BYTES {
            DmoBytes::Dense(vec![0; len])
        } else {
            DmoBytes::Paged(LazyBytes::zeroed(len))
        }
    }

    /// Length in bytes.
    #[inline]
    pub(super) fn len(&self) -> usize {
        match self {
            DmoBytes::Dense(v) => v.len(),
            DmoBytes::Paged(p) => p.len(),
        }
    }

    /// Copies `buf.len()` bytes from `start` into `buf` (panics past the end).
    #[inline]
    pub(super) fn read(&self, start: usize, buf: &mut [u8]) {
        match self {
            DmoBytes::Dense(v) => buf.copy_from_slice(&v[start..start + buf.len()]),
            DmoBytes::Paged(p) => p.read(start, buf),
        }
    }

    /// Copies `data` to the bytes from `start` (panics past the end).
    #[inline]
    pub(super) fn write(&mut self, start: usize, data: &[u8]) {
        match self {
            DmoBytes::Dense(v) => v[start..start + data.len()].copy_from_slice(data),
            DmoBytes::Paged(p) => p.write(start, data),
        }
    }
}

/// `len` bytes in pages of [`PAGE_BYTES`] (the last may be shorter).
#[derive(Clone, Debug)]
pub(super) struct LazyBytes {
    len: usize,
    /// `None`: never written (reads as zeros).
    pages: Vec<Option<Box<[u8]>>>,
}

impl LazyBytes {
    /// `len` bytes reading as zeros; nothing is allocated but the page table.
    pub(super) fn zeroed(len: usize) -> LazyBytes {
        LazyBytes {
            len,
            pages: vec![None; len.div_ceil(PAGE_BYTES)],
        }
    }

    /// Length in bytes.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Pages allocated so far.
    #[cfg(test)]
    pub(super) fn pages_allocated(&self) -> usize {
        self.pages.iter().filter(|p| p.is_some()).count()
    }

    /// Panics if `start..start + n` runs past the end, as slicing a `Vec`
    /// would (callers check bounds first): once per read or write.
    fn check_range(&self, start: usize, n: usize) {
        assert!(
            start + n <= self.len,
            "bytes {start}..{} of {}",
            start + n,
            self.len
        );
    }

    /// Each page piece of `start..start + n` (in range): (page, offset in
    /// it, offset in the caller's buffer, length).
    fn pieces(start: usize, n: usize) -> impl Iterator<Item = (usize, usize, usize, usize)> {
        let mut done = 0;
        std::iter::from_fn(move || {
            if done == n {
                return None;
            }
            let at = start + done;
            let (page, off) = (at / PAGE_BYTES, at % PAGE_BYTES);
            let take = (PAGE_BYTES - off).min(n - done);
            let piece = (page, off, done, take);
            done += take;
            Some(piece)
        })
    }

    /// The page and offset of `start..start + n` (in range) if it lies
    /// within one page (most accesses: a field of a few bytes).
    #[inline]
    fn within_one_page(start: usize, n: usize) -> Option<(usize, usize)> {
        let (page, off) = (start / PAGE_BYTES, start % PAGE_BYTES);
        (n > 0 && off + n <= PAGE_BYTES).then_some((page, off))
    }

    /// Copies `buf.len()` bytes from `start` into `buf`.
    pub(super) fn read(&self, start: usize, buf: &mut [u8]) {
        self.check_range(start, buf.len());
        if let Some((page, off)) = Self::within_one_page(start, buf.len()) {
            match &self.pages[page] {
                Some(p) => buf.copy_from_slice(&p[off..off + buf.len()]),
                None => buf.fill(0),
            }
            return;
        }
        for (page, off, at, n) in Self::pieces(start, buf.len()) {
            let dst = &mut buf[at..at + n];
            match &self.pages[page] {
                Some(p) => dst.copy_from_slice(&p[off..off + n]),
                None => dst.fill(0),
            }
        }
    }

    /// Copies `data` to the bytes from `start`, allocating the pages it touches.
    pub(super) fn write(&mut self, start: usize, data: &[u8]) {
        self.check_range(start, data.len());
        if let Some((page, off)) = Self::within_one_page(start, data.len()) {
            self.page_mut(page)[off..off + data.len()].copy_from_slice(data);
            return;
        }
        for (page, off, at, n) in Self::pieces(start, data.len()) {
            self.page_mut(page)[off..off + n].copy_from_slice(&data[at..at + n]);
        }
    }

    /// Page `page`, allocated (zeroed) on its first write.
    #[inline]
    fn page_mut(&mut self, page: usize) -> &mut [u8] {
        let len = self.len;
        self.pages[page].get_or_insert_with(|| {
            let page_len = PAGE_BYTES.min(len - page * PAGE_BYTES);
            vec![0; page_len].into_boxed_slice()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Random writes and reads (across page ends, at the short last page)
    /// see what a zero-filled `Vec` sees, and only written pages exist.
    #[test]
    fn reads_and_writes_like_a_zeroed_vec() {
        let seed = 0x5eed_0d30;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let len = 5 * PAGE_BYTES + 123;
        let mut lazy = LazyBytes::zeroed(len);
        let mut plain = vec![0u8; len];
        assert_eq!(lazy.pages_allocated(), 0);
        let mut buf = vec![0u8; 3 * PAGE_BYTES];
        for step in 0..2_000 {
            let start = rng.gen_range(0..len);
            let n = rng.gen_range(0..=(len - start).min(2 * PAGE_BYTES + 7));
            if step % 3 == 0 && step < 1_500 {
                let data: Vec<u8> = (0..n).map(|_| rng.gen()).collect();
                lazy.write(start, &data);
                plain[start..start + n].copy_from_slice(&data);
            } else {
                lazy.read(start, &mut buf[..n]);
                assert_eq!(
                    &buf[..n],
                    &plain[start..start + n],
                    "seed {seed:#x} step {step}"
                );
            }
        }
        let mut all = vec![1u8; len];
        lazy.read(0, &mut all);
        assert_eq!(all, plain, "seed {seed:#x}");
        assert_eq!(lazy.len(), len);
    }

    /// Small DMOs are one vector, large ones pages; both read back what
    /// was written and zeros elsewhere.
    #[test]
    fn dmo_bytes_are_dense_when_small_and_paged_when_large() {
        for (len, paged) in [
            (100, false),
            (DENSE_MAX_BYTES, false),
            (DENSE_MAX_BYTES + 1, true),
        ] {
            let mut b = DmoBytes::zeroed(len);
            assert_eq!(matches!(b, DmoBytes::Paged(_)), paged, "{len} B");
            assert_eq!(b.len(), len);
            b.write(len - 3, &[1, 2, 3]);
            let mut out = [9u8; 5];
            b.read(len - 5, &mut out);
            assert_eq!(out, [0, 0, 1, 2, 3], "{len} B");
        }
    }

    #[test]
    fn only_written_pages_are_allocated() {
        let mut b = LazyBytes::zeroed(10 * PAGE_BYTES);
        b.write(PAGE_BYTES - 2, &[7, 7, 7, 7]);
        assert_eq!(b.pages_allocated(), 2);
        let mut out = [9u8; 6];
        b.read(PAGE_BYTES - 3, &mut out);
        assert_eq!(out, [0, 7, 7, 7, 7, 0]);
        b.write(0, &[]);
        assert_eq!(b.pages_allocated(), 2);
    }
}
