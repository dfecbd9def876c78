//! What the benchmarks share: a median of rounds, for the side-by-side figures printed after
//! criterion's own report.

use std::time::{Duration, Instant};

/// The median over `rounds` of the mean time of `iterations` calls of `f`.
pub fn median(rounds: usize, iterations: u32, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..iterations {
                f();
            }
            started.elapsed() / iterations
        })
        .collect();
    times.sort_unstable();
    times[rounds / 2]
}
