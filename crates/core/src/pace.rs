//! Long work split by pauses. The page verifies a million-node plan in a few seconds of
//! wasm, and a browser tab that does not get the thread back for that long stops
//! answering keys and clicks; so such work is an `async fn` that awaits a caller-given
//! pause between its steps. The page's pause yields to the browser (a paint, then
//! input); everyone else runs the work to the end at once with [`run`] and [`none`].

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

/// One pause, boxed: so each paced function is compiled once whatever pauses it (the
/// page's wasm holds one verifier, not one per kind of pause). A few allocations per run.
pub type Paused = Pin<Box<dyn Future<Output = ()>>>;

/// What paced work calls between its steps.
pub type Pause<'a> = &'a mut dyn FnMut() -> Paused;

/// A pause that does not wait: for work run straight through.
pub fn none() -> Paused {
    Box::pin(std::future::ready(()))
}

/// Runs `work`, whose pauses are all [`none`], to its end. Such a future is ready on its
/// first poll (nothing in it ever waits), so this polls it once, and only polls again if
/// a caller broke that rule.
pub fn run<T>(work: impl Future<Output = T>) -> T {
    let mut work = pin!(work);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = work.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_paced_work_to_its_end() {
        async fn steps(pause: Pause<'_>) -> u32 {
            let mut n = 0;
            for _ in 0..3 {
                n += 1;
                pause().await;
            }
            n
        }
        let mut pauses = 0;
        let n = run(steps(&mut || {
            pauses += 1;
            none()
        }));
        assert_eq!((n, pauses), (3, 3));
    }
}
