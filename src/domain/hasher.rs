//! argon2id password hashing, kept off Rocket's async workers and bounded to
//! `max_concurrent_hashes` jobs at once, so a login flood queues instead of starving
//! every other request or growing memory without limit (SPEC §6, STYLE 6).
//!
//! Each job needs `argon2_memory_kib` of working memory. Rather than allocating and
//! freeing 19 MiB per hash (which glibc keeps on the heap afterwards, so RSS grows
//! with every burst), the hasher keeps one buffer per permitted job and reuses it:
//! memory is `max_concurrent_hashes × argon2_memory_kib`, allocated once.

use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rocket::tokio::sync::Semaphore;
use rocket::tokio::task;

use super::password::Password;

/// Hashing could not run (the worker pool is gone or argon2 refused its input).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// The argon2id service held in Rocket state.
#[derive(Clone)]
pub struct Hasher {
    argon: Argon2<'static>,
    permits: Arc<Semaphore>,
    /// Working memory of finished jobs, reused by the next ones; never more buffers
    /// than permits.
    buffers: Arc<Pool>,
    /// A hash of a random password: unknown emails are verified against it so they
    /// cost as much as a wrong password (no enumeration by timing).
    dummy: Arc<str>,
}

impl Hasher {
    /// Builds the hasher and its dummy hash (one argon2 run at start-up).
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
        max_concurrent: usize,
    ) -> Result<Hasher, HashError> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| HashError(e.to_string()))?;
        let params_blocks = params.block_count();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_password = Password::new(crate::domain::ids::random_token(24))
            .map_err(|e| HashError(e.to_string()))?;
        let buffers = Arc::new(Pool {
            free: Mutex::new(Vec::new()),
            blocks: params_blocks,
        });
        let dummy = hash_now(&argon, &dummy_password, &buffers)?;
        Ok(Hasher {
            argon,
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            buffers,
            dummy: dummy.into(),
        })
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let (argon, password) = (self.argon.clone(), password.clone());
        let buffers = self.buffers.clone();
        self.run(move || hash_now(&argon, &password, &buffers))
            .await?
    }

    /// Checks `password` against `phc`, or against the dummy hash when there is no
    /// account, so both cases take the same time. `false` for `None`.
    pub async fn verify(&self, password: &Password, phc: Option<&str>) -> bool {
        let exists = phc.is_some();
        let phc: Arc<str> = phc.map_or_else(|| self.dummy.clone(), Arc::from);
        let password = password.clone();
        let buffers = self.buffers.clone();
        let matched = self
            .run(move || verify_now(&phc, &password, &buffers).unwrap_or(false))
            .await
            .unwrap_or(false);
        exists && matched
    }

    /// Whether `phc` was made with other parameters than the configured ones, so it
    /// should be replaced after a successful login.
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(hash) = PasswordHash::new(phc) else {
            return true;
        };
        let current = self.argon.params();
        let same = hash.algorithm == argon2::ARGON2ID_IDENT
            && Params::try_from(&hash).is_ok_and(|p| {
                p.m_cost() == current.m_cost()
                    && p.t_cost() == current.t_cost()
                    && p.p_cost() == current.p_cost()
            });
        !same
    }

    /// Runs `job` on the blocking pool once a permit is free.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        task::spawn_blocking(job)
            .await
            .map_err(|e| HashError(e.to_string()))
    }
}

/// Reusable argon2 working memory, each buffer `blocks` long (the configured cost).
struct Pool {
    free: Mutex<Vec<Vec<Block>>>,
    blocks: usize,
}

/// Runs argon2 for `argon`'s parameters into `out`, with a pooled buffer when it is
/// big enough (hashes made under larger, older parameters get a one-off buffer).
fn compute(
    argon: &Argon2<'_>,
    password: &Password,
    salt: &[u8],
    out: &mut [u8],
    buffers: &Pool,
) -> Result<(), HashError> {
    let needed = argon.params().block_count();
    let pooled = buffers.free.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let mut memory = match pooled {
        Some(buffer) if buffer.len() >= needed => buffer,
        // Too small (a hash under larger, older parameters): a one-off buffer, and
        // the pooled one goes back.
        Some(buffer) => {
            buffers
                .free
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(buffer);
            vec![Block::default(); needed]
        }
        None => vec![Block::default(); buffers.blocks.max(needed)],
    };
    let result = argon
        .hash_password_into_with_memory(password.expose().as_bytes(), salt, out, &mut memory)
        .map_err(|e| HashError(e.to_string()));
    if memory.len() == buffers.blocks {
        buffers
            .free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(memory);
    }
    result
}

fn hash_now(argon: &Argon2<'_>, password: &Password, buffers: &Pool) -> Result<String, HashError> {
    let error = |e: argon2::password_hash::Error| HashError(e.to_string());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(error)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(argon, password, salt_bytes, &mut out, buffers)?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(error)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(error)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `phc` (compared in constant time).
fn verify_now(phc: &str, password: &Password, buffers: &Pool) -> Result<bool, HashError> {
    let error = |e: argon2::password_hash::Error| HashError(e.to_string());
    let hash = PasswordHash::new(phc).map_err(error)?;
    let algorithm = Algorithm::try_from(hash.algorithm).map_err(error)?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).map_err(|e| HashError(e.to_string()))?,
        None => Version::V0x13,
    };
    let params = Params::try_from(&hash).map_err(error)?;
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return Ok(false);
    };
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(error)?;
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    compute(&argon, password, salt_bytes, &mut out, buffers)?;
    let actual = Output::new(&out).map_err(error)?;
    // `Output`'s equality is constant-time (subtle).
    Ok(actual == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Hasher {
        Hasher::new(1024, 1, 1, 2).unwrap()
    }

    #[rocket::async_test]
    async fn a_hash_verifies_only_its_own_password() {
        let hasher = cheap();
        let right = Password::new("correct horse battery staple").unwrap();
        let wrong = Password::new("correct horse battery stapler").unwrap();
        let phc = hasher.hash(&right).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(hasher.verify(&right, Some(&phc)).await);
        assert!(!hasher.verify(&wrong, Some(&phc)).await);
        assert!(!hasher.verify(&right, None).await);
    }

    #[rocket::async_test]
    async fn hashes_interoperate_with_the_argon2_crates_own_phc_api() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let hasher = cheap();
        let password = Password::new("correct horse battery staple").unwrap();
        let ours = hasher.hash(&password).await.unwrap();
        let reference = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 1, 1, None).unwrap(),
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            reference
                .verify_password(b"correct horse battery staple", &parsed)
                .is_ok()
        );
        assert!(
            reference
                .verify_password(b"wrong horse battery staple", &parsed)
                .is_err()
        );
        // A hash made elsewhere, under other (larger) parameters, still verifies.
        let stronger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 2, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let theirs = stronger
            .hash_password(b"correct horse battery staple", &salt)
            .unwrap()
            .to_string();
        assert!(hasher.verify(&password, Some(&theirs)).await);
        let wrong = Password::new("correct horse battery stapler").unwrap();
        assert!(!hasher.verify(&wrong, Some(&theirs)).await);
    }

    #[rocket::async_test]
    async fn raised_parameters_ask_for_a_rehash() {
        let old = cheap();
        let phc = old
            .hash(&Password::new("x".repeat(12)).unwrap())
            .await
            .unwrap();
        assert!(!old.needs_rehash(&phc));
        let stronger = Hasher::new(2048, 2, 1, 2).unwrap();
        assert!(stronger.needs_rehash(&phc));
    }
}
