//! Helpers shared by the parallel engine's tests.

use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on its own thread; a hang becomes a failure after a minute.
pub(super) fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // the receiver only goes away when the test already failed
        if tx.send(f()).is_err() {
            eprintln!("the test stopped waiting");
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the run hung instead of ending")
}
