//! The machine's raw argon2id capacity at Portcullis's default cost, for comparison
//! with login throughput (`scripts/bench-login.sh`, docs/BENCHMARKS.md).
//!
//!     cargo run --release --example argon2_capacity -- [threads] [hashes-per-thread]
//!
//! Each thread hashes with the argon2 crate directly (m=19456 KiB, t=2, p=1), reusing
//! its own working memory, and the total rate is printed in hashes per second.

use std::time::Instant;

use argon2::{Algorithm, Argon2, Block, Params, Version};

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let per_thread: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let params = Params::new(19456, 2, 1, None).expect("valid parameters");
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let params = params.clone();
            scope.spawn(move || {
                let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                let mut memory = vec![Block::default(); params.block_count()];
                let mut out = [0u8; 32];
                for i in 0..per_thread {
                    let salt = (i as u64).to_le_bytes().repeat(2);
                    argon
                        .hash_password_into_with_memory(
                            b"correct horse battery staple",
                            &salt,
                            &mut out,
                            &mut memory,
                        )
                        .expect("hashing works");
                }
            });
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let total = threads * per_thread;
    println!(
        "{total} hashes on {threads} threads in {elapsed:.2} s: {:.1} hashes/s",
        total as f64 / elapsed
    );
}
