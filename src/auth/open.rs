//! Opening a data dir: the one way the server (the fairing) and the command line
//! assemble [`Auth`], so both prepare the directory alike (mode 0700, the store,
//! the key ring with its expired keys dropped, the hashing threads).

use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;

use super::Auth;
use crate::clock::{Clock, secs};
use crate::config::{Config, StoreKind};
use crate::hashing::{HashError, Hasher};
use crate::store::{Store, StoreError};
use crate::token::{KeyError, Keyring, Tokens};

/// Why a data dir cannot be opened; the message names what failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The directory cannot be created.
    #[error("cannot create data_dir {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    /// The store cannot be opened (held by another process, newer schema, …).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The key ring cannot be read or written.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The hashing threads cannot start.
    #[error(transparent)]
    Hash(#[from] HashError),
}

impl Auth {
    /// Opens `config.data_dir` (creating it with mode 0700), its store and key ring,
    /// starts the hashing threads and loads the in-memory mirror.
    pub fn open(config: Config, clock: Arc<dyn Clock>) -> Result<Auth, OpenError> {
        let data_dir = config.data_dir.clone();
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&data_dir)
            .map_err(|source| OpenError::DataDir {
                path: data_dir.display().to_string(),
                source,
            })?;
        let store = match (&config.store, &config.database_url) {
            (StoreKind::Postgres, Some(url)) => Store::open_postgres(&url.0)?,
            _ => Store::open(&data_dir.join("db"))?,
        };
        let keys_dir = data_dir.join("keys");
        if keys_dir.is_dir() {
            // The longest a token minted under a retired key can still be presented.
            let keep_for = [
                config.access_token_ttl,
                config.session_idle_timeout,
                config.remember_idle_timeout,
            ]
            .into_iter()
            .map(secs)
            .max()
            .unwrap_or_default();
            for number in Keyring::retire_old(&keys_dir, clock.now(), keep_for)? {
                rocket::info!("dropped signing key {number:04}: no live token can use it");
            }
        }
        let issuer = config.public_url.origin().ascii_serialization();
        let tokens = Tokens::new(Keyring::load_or_create(&keys_dir)?, issuer);
        let hasher = Hasher::new(
            config.argon2_memory_kib,
            config.argon2_iterations,
            config.argon2_parallelism,
            config.max_concurrent_hashes,
        )?
        .with_limits(config.max_hashes_per_account, config.max_queued_hashes);
        let vault = super::mfa::vault::Vault::load_or_create(&data_dir)?;
        Ok(Auth::new(config, store, tokens, hasher, clock, vault)?)
    }
}
