//! Worker thread pools kept between runs: an engine borrows an idle pool of the size it needs (or builds one) and gives it back when dropped.
//!
//! Why: each worker thread has its own allocator heap. A pool built for
//! one run and dropped with it takes its heaps along, so the next run's
//! workers allocate from fresh pages, which the kernel must zero on first
//! touch (2 MB at a time with transparent huge pages): on the 2-thread
//! leaf-spine example in a process that runs it repeatedly (the speed
//! example, a sweep), page clearing took 7.8% of the CPU samples on 2
//! threads against 2.2% on 1. A kept pool's workers reuse the memory their
//! last run freed.
//!
//! A pool serves one engine at a time: the workers of a run spin on each
//! other, so two runs sharing one pool's threads could each wait for a job
//! stuck behind the other's. Idle pools are bounded per thread count
//! ([`MAX_IDLE_PER_SIZE`]); one given back beyond that is dropped, its
//! threads ending.

use std::sync::Mutex;

/// Idle pools kept at most per thread count (their threads sleep in rayon
/// until used): a sweep running two cluster scenarios at once keeps two.
pub(super) const MAX_IDLE_PER_SIZE: usize = 2;

/// Pools not lent to any engine.
static IDLE: Mutex<Vec<rayon::ThreadPool>> = Mutex::new(Vec::new());

/// A pool lent to one engine: given back to the idle set when dropped.
pub(super) struct LentPool {
    pool: Option<rayon::ThreadPool>,
}

impl LentPool {
    /// An idle pool of `threads` threads, or a new one.
    pub(super) fn borrow(threads: usize) -> Result<LentPool, rayon::ThreadPoolBuildError> {
        let kept = {
            let mut idle = IDLE.lock().unwrap_or_else(|p| p.into_inner());
            idle.iter()
                .position(|p| p.current_num_threads() == threads)
                .map(|i| idle.swap_remove(i))
        };
        let pool = match kept {
            Some(pool) => pool,
            None => rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?,
        };
        Ok(LentPool { pool: Some(pool) })
    }

    /// The pool's thread count.
    pub(super) fn threads(&self) -> usize {
        self.pool.as_ref().map_or(1, |p| p.current_num_threads())
    }

    /// The pool (present until the drop).
    pub(super) fn pool(&self) -> Option<&rayon::ThreadPool> {
        self.pool.as_ref()
    }
}

impl Drop for LentPool {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            let mut idle = IDLE.lock().unwrap_or_else(|p| p.into_inner());
            let threads = pool.current_num_threads();
            let same_size = idle.iter().filter(|p| p.current_num_threads() == threads);
            if same_size.count() < MAX_IDLE_PER_SIZE {
                idle.push(pool);
            }
        }
    }
}

/// Runs `f` inside a pool of `threads` threads (rayon's parallel
/// iterators in `f` use them), borrowed from the idle pools and given back:
/// a model built this way is allocated by the threads that will then run
/// it, from heaps that stay warm.
pub fn install_in_pool<R: Send>(
    threads: usize,
    f: impl FnOnce() -> R + Send,
) -> Result<R, rayon::ThreadPoolBuildError> {
    let lent = LentPool::borrow(threads)?;
    Ok(match lent.pool() {
        Some(pool) => pool.install(f),
        None => f(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pool given back is lent again to the next engine of its size (its
    /// threads, and their heaps, are the same), never to two at once.
    #[test]
    fn a_returned_pool_is_lent_again_and_never_twice_at_once() {
        // a size no other test of this process asks for (idle pools are
        // bounded per size, so other tests' pools cannot push these out)
        let threads = 7;
        let first = LentPool::borrow(threads).unwrap();
        // a pool's identity: its worker threads
        let id = |p: &LentPool| {
            let mut ids: Vec<String> = p
                .pool()
                .unwrap()
                .broadcast(|_| format!("{:?}", std::thread::current().id()));
            ids.sort();
            ids
        };
        let first_id = id(&first);
        let second = LentPool::borrow(threads).unwrap();
        assert_ne!(id(&second), first_id, "two engines at once get two pools");
        assert_eq!(second.threads(), threads);
        drop(second);
        drop(first);
        let again = LentPool::borrow(threads).unwrap();
        let third = LentPool::borrow(threads).unwrap();
        let ids = [id(&again), id(&third)];
        assert!(
            ids.contains(&first_id),
            "the idle pools are lent again: {ids:?}"
        );
        assert_ne!(ids[0], ids[1]);
    }
}
