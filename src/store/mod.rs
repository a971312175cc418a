//! The store. Nothing outside this module knows the key layout. It is written once
//! over named trees of ordered byte keys ([`backend::Backend`]), kept either in the
//! embedded sled database (`embedded.rs`, the default) or in PostgreSQL, shared by
//! several instances (SPEC §13).
//!
//! # Layout (schema version 4)
//!
//! | tree | key | value |
//! |---|---|---|
//! | `meta` | `schema_version` | u32, big-endian |
//! | `meta` | `skeleton_unicode_version` | the Unicode version (`18.0.0`) whose confusables built `email_skeletons` |
//! | `users` | user id (16 bytes) | [`User`](crate::domain::User) as JSON; `email` as typed, in NFKC |
//! | `emails` | normalised address, [`Email::key`](crate::domain::Email::key) (UTF-8) | user id (16 bytes) |
//! | `email_skeletons` | UTS #39 skeleton of an address, [`Email::skeletons`](crate::domain::Email::skeletons) (UTF-8) | user id (16 bytes): the account that looks like this |
//! | `sessions` | session id (16 bytes) | [`Session`](crate::domain::Session) as JSON |
//! | `user_sessions` | user id ‖ session id (32 bytes) | empty: lists a user's sessions |
//! | `revoked` | session id (16 bytes) | i64 big-endian: until when tokens of it may be unexpired ‖ why it ended ([`EndReason`](crate::domain::EndReason) as JSON) |
//! | `throttle` | `acct:` normalised address · `ip:` address · `reg:` address | count (u32 BE) ‖ Unix seconds (i64 BE) |
//! | `onetime` | SHA-256 of a setup/invite/reset token | [`OneTime`](crate::domain::onetime::OneTime) as JSON |
//! | `access_tokens` | session id (16 bytes) | [`Grant`](crate::domain::access::Grant) as JSON: a personal access token's name, scope, generation and SHA-256 digest |
//! | `factors` | user id (16 bytes) | [`Factors`](crate::domain::factors::Factors) as JSON: sealed TOTP secret, recovery-code digests |
//! | `pending_logins` | SHA-256 of a pending-login token | [`PendingLogin`](crate::domain::factors::PendingLogin) as JSON |
//! | `sign_ins` | user id (16 bytes) | [`SignIns`](crate::domain::signins::SignIns) as JSON: places a user signed in from, new sign-ins waiting to be looked at (opened on use; an older build ignores it) |
//! | `carried` | SHA-256 of the claim of an admin action waiting for a password confirmation | until when it may be carried out (Unix seconds, i64 BE) |
//! | `passkeys` | user id (16 bytes) | a list of [`StoredPasskey`](crate::domain::passkeys::StoredPasskey) as JSON: name, dates, the credential |
//! | `passkey_ceremonies` | SHA-256 of a ceremony id | [`Ceremony`](crate::domain::passkeys::Ceremony) as JSON: what it is bound to, the WebAuthn state, expiry |
//! | `audit` | Unix seconds (i64 BE) ‖ sled `generate_id` (u64 BE, monotonic) | [`AuditEvent`](crate::domain::audit::AuditEvent) as JSON |
//!
//! On PostgreSQL each tree is the rows of `portcullis_kv` whose `tree` column names
//! it, with the same keys and values (`postgres/schema.sql`); writes to `users`,
//! `revoked` and `access_tokens` also go into the change log other instances follow.
//!
//! Schema 1 keyed `emails` by the lower-cased address and had no `email_skeletons`;
//! `migrate.rs` rebuilds both at the first start of this build.
//!
//! Records are JSON so that a field added later deserialises old records with its
//! default; a change that old code could misread bumps [`SCHEMA_VERSION`].
//! (API sessions added the optional `refresh` field to session records: the SHA-256
//! digests of their refresh tokens. Older records read as having none; a build that
//! does not know the field ignores it, and if it rewrites such a record the refresh
//! token merely stops working (fail closed), so that change needed no new version.)
//!
//! Why sessions end is recorded since the reasons of SPEC §9, without a new schema
//! version: a `revoked` value is the old eight bytes followed by the reason, and an
//! old value (the eight bytes alone) reads as an unknown reason; user records gained
//! the optional `retired` list (why their latest generations were retired), absent
//! in old records. An older build that meets a new `revoked` value fails closed: it
//! cannot read the time, so it keeps refusing the session and never prunes the
//! entry; it ignores `retired`, and if it rewrites a user record the reasons are
//! merely lost, the generation still counts. Nothing can be misread into letting a
//! token through, and a downgrade stays possible, so this needed no new version (schema 2
//! came later, with the normalised email index).
//!
//! Personal access tokens (SPEC §11) added the `access_tokens` tree and the session
//! kind `token` without a new version: an older build ignores the tree, and reading
//! a `token` session fails as a corrupt record (an error, never a token let through).
//!
//! Schema 3 added the `factors` and `pending_logins` trees (second factors, SPEC
//! §10); nothing is rewritten. The version is bumped all the same because a build
//! that does not know them would let a user with a second factor in on the password
//! alone: an older build refuses a schema-3 store instead (fail closed).
//!
//! The `carried` tree (an admin action kept across a password confirmation is
//! carried out once, SPEC §9) came without a new version: an older build ignores
//! it, and its entries are pruned when the next one is kept.
//! Schema 4 added the `passkeys` and `passkey_ceremonies` trees; nothing is
//! rewritten, and the version is bumped for the same reason as 3's: an older build
//! would let a user whose only second factor is a passkey in on the password alone.
//!
//! Every change that ends sessions or retires a generation is one
//! [`Store::commit`]: a single transaction over `users`, `sessions`,
//! `user_sessions` and `revoked`, so a crash never leaves a session removed but not
//! revoked.
//!
//! A session record is rewritten by compare-and-swap when a token or refresh token
//! rotates ([`Store::replace_session`]): the new digests and the spent ones land in
//! one write, so two concurrent refreshes cannot both rotate, and a session removed
//! meanwhile stays removed.
//!
//! Every write that matters for security is flushed before the caller acknowledges
//! it (SPEC §2); sled alone would only flush every 500 ms.
//!
//! Beside sled's files the directory holds `portcullis.lock`, locked while a
//! [`Store`] is open: another process is refused at once, and dropping the store
//! waits for sled's own threads to close the database before letting go (`lock.rs`).

mod access;
mod audit;
pub mod backend;
mod carried;
mod change;
mod copy;
mod embedded;
mod factors;
pub mod followed;
mod lock;
mod migrate;
mod onetime;
mod passkeys;
pub mod postgres;
mod record;
mod revoked;
mod sessions;
mod signins;
mod sweep;
mod throttle;
mod users;

use std::path::Path;
use std::sync::{Arc, Weak};

use backend::{Backend, Tree};

pub use change::{Change, Ended, Ends};
pub use revoked::Revoked;
pub use sessions::Versioned;
pub use sweep::{Sweepable, SweptSessions};
pub use users::InsertUserError;

/// The layout this build reads and writes.
pub const SCHEMA_VERSION: u32 = 4;

/// The store cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process (usually a running server) holds the database.
    #[error(
        "the data directory {0} is in use by another Portcullis process; stop the server or use the admin pages"
    )]
    Locked(String),
    /// The data was written by a newer Portcullis.
    #[error(
        "the data directory uses schema version {found}, this build understands up to {SCHEMA_VERSION}"
    )]
    NewerSchema { found: u32 },
    /// The database directory cannot be created or locked.
    #[error("cannot use the data directory {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// sled reported an error.
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    /// PostgreSQL refused, or cannot be reached (the message names no secret).
    #[error("database error: {0}")]
    Database(String),
    /// A transaction could not commit.
    #[error("storage transaction failed: {0}")]
    Transaction(String),
    /// A record does not deserialise.
    #[error("corrupt record in tree `{tree}`: {reason}")]
    Corrupt { tree: &'static str, reason: String },
}

/// The open database, on whichever engine ([`Backend`]), and this process's
/// claim on it. Not `Clone`: there is exactly one handle, so dropping it is the
/// known point where the database is closed and the directory is free again.
pub struct Store {
    backend: Arc<dyn Backend>,
    /// The sweeper's handle; it only ever holds it weakly.
    sweepable: Arc<Sweepable>,
    /// The same engine when it is PostgreSQL, for following its change log.
    postgres: Option<Arc<postgres::Postgres>>,
}

impl Store {
    /// Opens (creating if needed) the embedded database under `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::on(Arc::new(embedded::Embedded::open(dir)?))
    }

    /// Connects to the PostgreSQL database at `url` (SPEC §13), creating or
    /// upgrading its schema.
    pub fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let engine = Arc::new(postgres::Postgres::open(url)?);
        let mut store = Store::on(engine.clone())?;
        store.postgres = Some(engine);
        Ok(store)
    }

    /// The store over `backend`, brought up to this build's layout.
    pub fn on(backend: Arc<dyn Backend>) -> Result<Store, StoreError> {
        let found = schema_of(backend.as_ref())?;
        let store = Store {
            sweepable: Arc::new(Sweepable {
                backend: backend.clone(),
            }),
            backend,
            postgres: None,
        };
        store.migrate(found)?;
        Ok(store)
    }

    /// Follows the writes other instances commit after log position `seq`
    /// (`None` on an embedded store, which has no other writer).
    pub fn follow(
        &self,
        seq: i64,
        apply: impl Fn(&[backend::Followed]) + Send + Sync + 'static,
    ) -> Option<postgres::Follower> {
        self.postgres.as_ref().map(|pg| pg.follow(seq, apply))
    }

    /// The engine under the store.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// What the sweeper prunes, held weakly: once the store is dropped the
    /// sweeper finds nothing to do.
    pub fn sweepable(&self) -> Weak<Sweepable> {
        Arc::downgrade(&self.sweepable)
    }

    /// Makes every write so far durable.
    ///
    /// The wait happens on one of tokio's blocking threads, not through sled's
    /// `flush_async`: that waits on sled's own pool of seven threads, which also
    /// writes the log buffers, so eight requests flushing at once (a login flood
    /// with cheap hashing, found by `scripts/soak.sh`) left no thread to write and
    /// the server hung for good.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let backend = self.backend.clone();
        rocket::tokio::task::spawn_blocking(move || backend.flush())
            .await
            .map_err(|e| StoreError::Transaction(format!("flush did not finish: {e}")))??;
        Ok(())
    }

    /// Writes a consistent, compacted copy of the whole database into the empty
    /// directory `dir` (a new sled database). Consistent because the caller holds
    /// the store's lock, so nothing writes during the copy.
    pub fn copy_to(&self, dir: &Path) -> Result<(), StoreError> {
        self.backend.copy_to(dir)
    }

    /// Changes `key` of `tree` by `edit` atomically (a compare-and-swap loop, as
    /// sled's `update_and_fetch`): `edit` may run more than once; `None` removes.
    fn update(
        &self,
        tree: Tree,
        key: &[u8],
        mut edit: impl FnMut(Option<&[u8]>) -> Option<Vec<u8>>,
    ) -> Result<(), StoreError> {
        loop {
            let old = self.backend.get(tree, key)?;
            let new = edit(old.as_deref());
            if old.is_none() && new.is_none() {
                return Ok(());
            }
            if self
                .backend
                .compare_and_swap(tree, key, old.as_deref(), new.as_deref())?
            {
                return Ok(());
            }
        }
    }
}

/// The schema version the store records (`None` for a new store); a version
/// newer than this build's is refused.
fn schema_of(backend: &dyn Backend) -> Result<Option<u32>, StoreError> {
    let Some(raw) = backend.get(Tree::Meta, b"schema_version")? else {
        return Ok(None);
    };
    let found = u32::from_be_bytes(raw.as_slice().try_into().map_err(|_| StoreError::Corrupt {
        tree: "meta",
        reason: "schema_version is not 4 bytes".into(),
    })?);
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found });
    }
    Ok(Some(found))
}

fn decode<T: serde::de::DeserializeOwned>(tree: &'static str, raw: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(raw).map_err(|e| StoreError::Corrupt {
        tree,
        reason: e.to_string(),
    })
}

fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialise to JSON")
}
