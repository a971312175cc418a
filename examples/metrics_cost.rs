//! What recording one guard check in the metrics costs (docs/BENCHMARKS.md): the
//! two clock reads and the histogram observation `Sessions::check_presented` adds,
//! against the two clock reads alone, on one thread.
//!
//!     cargo run --release --example metrics_cost [millions]

use std::hint::black_box;
use std::time::{Duration, Instant};

use portcullis::ops::metrics::Metrics;

fn per_op(n: u64, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / n as f64
}

fn main() {
    let millions: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let n = millions * 1_000_000;
    let metrics = Metrics::default();
    let mut sink = Duration::ZERO;
    for round in 1..=3 {
        let clock_only = per_op(n, || {
            let started = Instant::now();
            sink += black_box(started.elapsed());
        });
        let recorded = per_op(n, || {
            let started = Instant::now();
            metrics.guard(black_box(started.elapsed()));
        });
        println!(
            "round {round}: clock reads {clock_only:.1} ns, clock reads + histogram {recorded:.1} ns, recording {:.1} ns per check",
            recorded - clock_only
        );
    }
    black_box(sink);
}
