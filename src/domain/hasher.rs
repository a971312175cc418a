//! argon2id password hashing, kept off Rocket's async workers and bounded to
//! `max_concurrent_hashes` jobs at once, so a login flood queues instead of starving
//! every other request or growing memory without limit (SPEC §6, STYLE 6).

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
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
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_password = Password::new(crate::domain::ids::random_token(24))
            .map_err(|e| HashError(e.to_string()))?;
        let dummy = hash_now(&argon, &dummy_password)?;
        Ok(Hasher {
            argon,
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy: dummy.into(),
        })
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let (argon, password) = (self.argon.clone(), password.clone());
        self.run(move || hash_now(&argon, &password)).await?
    }

    /// Checks `password` against `phc`, or against the dummy hash when there is no
    /// account, so both cases take the same time. `false` for `None`.
    pub async fn verify(&self, password: &Password, phc: Option<&str>) -> bool {
        let exists = phc.is_some();
        let phc: Arc<str> = phc.map_or_else(|| self.dummy.clone(), Arc::from);
        let (argon, password) = (self.argon.clone(), password.clone());
        let matched = self
            .run(move || {
                PasswordHash::new(&phc)
                    .and_then(|hash| argon.verify_password(password.expose().as_bytes(), &hash))
                    .is_ok()
            })
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

fn hash_now(argon: &Argon2<'_>, password: &Password) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
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
