//! The password hashing cost: at least OWASP's minimum, and measured here: one
//! hash with the configured parameters must not take so long that logins crawl.

use std::time::{Duration, Instant};

use super::Check;
use crate::config::Config;

/// OWASP's equivalent argon2id settings (memory KiB, iterations), one lane.
const OWASP: [(u32, u32); 5] = [
    (47_104, 1),
    (19_456, 2),
    (12_288, 3),
    (9_216, 4),
    (7_168, 5),
];

/// One hash slower than this makes logins feel stuck and the hash queue long.
pub const TOO_SLOW: Duration = Duration::from_secs(1);

/// Hashes once with the configured parameters and judges the cost.
pub fn check(config: &Config) -> Check {
    match measure(config) {
        Ok(elapsed) => judge(config, elapsed),
        Err(e) => Check::fail(
            format!("argon2 cannot hash with these parameters: {e}"),
            "fix argon2_memory_kib / argon2_iterations / argon2_parallelism",
        ),
    }
}

fn measure(config: &Config) -> Result<Duration, argon2::Error> {
    let params = argon2::Params::new(
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.argon2_parallelism,
        Some(32),
    )?;
    let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 32];
    let started = Instant::now();
    hasher.hash_password_into(b"portcullis doctor", b"doctor-salt-0123", &mut out)?;
    Ok(started.elapsed())
}

/// The verdict on the parameters, given how long one hash took.
pub fn judge(config: &Config, elapsed: Duration) -> Check {
    let (m, t) = (config.argon2_memory_kib, config.argon2_iterations);
    let ms = elapsed.as_millis();
    let peak_mib = u64::from(m) * config.max_concurrent_hashes as u64 / 1024;
    if !OWASP.iter().any(|&(min_m, min_t)| m >= min_m && t >= min_t) {
        return Check::fail(
            format!(
                "argon2 memory {m} KiB × {t} iteration(s) is below OWASP's minimum: stolen hashes are cheap to crack"
            ),
            "use at least argon2_memory_kib = 19456 and argon2_iterations = 2 (hashes are upgraded at the next login)",
        );
    }
    if elapsed > TOO_SLOW {
        return Check::fail(
            format!(
                "one argon2 hash takes {ms} ms on this machine: logins wait that long and queue behind each other"
            ),
            "lower argon2_iterations (never below OWASP's minimum), or give the server faster CPUs",
        );
    }
    Check::pass(format!(
        "one argon2 hash takes {ms} ms here; at most {peak_mib} MiB for {} at once",
        config.max_concurrent_hashes
    ))
}
