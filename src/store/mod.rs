//! The embedded store (sled). Nothing outside this module knows the key layout.
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
//! | `passkeys` | user id (16 bytes) | a list of [`StoredPasskey`](crate::domain::passkeys::StoredPasskey) as JSON: name, dates, the credential |
//! | `passkey_ceremonies` | SHA-256 of a ceremony id | [`Ceremony`](crate::domain::passkeys::Ceremony) as JSON: what it is bound to, the WebAuthn state, expiry |
//! | `audit` | Unix seconds (i64 BE) ‖ sled `generate_id` (u64 BE, monotonic) | [`AuditEvent`](crate::domain::audit::AuditEvent) as JSON |
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
mod change;
mod factors;
mod lock;
mod migrate;
mod onetime;
mod passkeys;
mod revoked;
mod sessions;
mod sweep;
mod throttle;
mod users;

use std::path::Path;
use std::sync::{Arc, Weak};

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
    /// A transaction could not commit.
    #[error("storage transaction failed: {0}")]
    Transaction(String),
    /// A record does not deserialise.
    #[error("corrupt record in tree `{tree}`: {reason}")]
    Corrupt { tree: &'static str, reason: String },
}

/// The open database: sled and its trees, and this process's claim on the
/// directory. Not `Clone`: there is exactly one handle, so dropping it is the known
/// point where the database is closed and the directory is free again.
pub struct Store {
    // Field order matters: every sled handle is dropped before `_claim` (fields drop
    // in declaration order), so the claim's drop sees sled closed.
    db: sled::Db,
    users: sled::Tree,
    emails: sled::Tree,
    email_skeletons: sled::Tree,
    sessions: sled::Tree,
    user_sessions: sled::Tree,
    revoked: sled::Tree,
    audit: sled::Tree,
    throttle: sled::Tree,
    onetime: sled::Tree,
    /// The sweeper's handles; it only ever holds them weakly.
    sweepable: Arc<Sweepable>,
    access_tokens: sled::Tree,
    factors: sled::Tree,
    pending_logins: sled::Tree,
    passkeys: sled::Tree,
    passkey_ceremonies: sled::Tree,
    _claim: lock::DirLock,
}

impl Store {
    /// Opens (creating if needed) the database under `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let lock = lock::DirLock::take(dir)?;
        // sled caches up to 1 GiB of pages by default; the hot path reads nothing from
        // it, so a small cache keeps memory flat with a million sessions on disk.
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .open()
            .map_err(|e| match e {
                sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => {
                    StoreError::Locked(dir.display().to_string())
                }
                sled::Error::Io(io) if io.to_string().contains("lock") => {
                    StoreError::Locked(dir.display().to_string())
                }
                other => StoreError::Sled(other),
            })?;
        let (meta, found) = schema_of(&db)?;
        let sweepable = Arc::new(Sweepable {
            sessions: db.open_tree("sessions")?,
            user_sessions: db.open_tree("user_sessions")?,
            revoked: db.open_tree("revoked")?,
            throttle: db.open_tree("throttle")?,
            onetime: db.open_tree("onetime")?,
            audit: db.open_tree("audit")?,
            emails: db.open_tree("emails")?,
            pending_logins: db.open_tree("pending_logins")?,
        });
        let store = Store {
            sweepable,
            users: db.open_tree("users")?,
            emails: db.open_tree("emails")?,
            email_skeletons: db.open_tree("email_skeletons")?,
            sessions: db.open_tree("sessions")?,
            user_sessions: db.open_tree("user_sessions")?,
            revoked: db.open_tree("revoked")?,
            audit: db.open_tree("audit")?,
            throttle: db.open_tree("throttle")?,
            onetime: db.open_tree("onetime")?,
            access_tokens: db.open_tree("access_tokens")?,
            factors: db.open_tree("factors")?,
            pending_logins: db.open_tree("pending_logins")?,
            passkeys: db.open_tree("passkeys")?,
            passkey_ceremonies: db.open_tree("passkey_ceremonies")?,
            db,
            _claim: lock,
        };
        store.migrate(&meta, found)?;
        Ok(store)
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
        let db = self.db.clone();
        rocket::tokio::task::spawn_blocking(move || db.flush())
            .await
            .map_err(|e| StoreError::Transaction(format!("flush did not finish: {e}")))??;
        Ok(())
    }

    /// Writes a consistent, compacted copy of the whole database into the empty
    /// directory `dir` (a new sled database). Consistent because the caller holds
    /// the store's lock, so nothing writes during the copy.
    pub fn copy_to(&self, dir: &Path) -> Result<(), StoreError> {
        self.db.flush()?;
        let copy = sled::Config::new().path(dir).open()?;
        copy.import(self.db.export());
        copy.flush()?;
        drop(copy);
        // The copy's files are complete only once sled's own threads let go of them.
        lock::wait_until_closed(dir);
        Ok(())
    }
}

/// Refuses a database written by a newer build; stamps a new one with
/// [`SCHEMA_VERSION`].
/// The `meta` tree and the schema version it records (`None` for a new store);
/// a version newer than this build's is refused.
fn schema_of(db: &sled::Db) -> Result<(sled::Tree, Option<u32>), StoreError> {
    let meta = db.open_tree("meta")?;
    let Some(raw) = meta.get("schema_version")? else {
        return Ok((meta, None));
    };
    let found = u32::from_be_bytes(raw.as_ref().try_into().map_err(|_| StoreError::Corrupt {
        tree: "meta",
        reason: "schema_version is not 4 bytes".into(),
    })?);
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found });
    }
    Ok((meta, Some(found)))
}

/// sled's page cache.
const CACHE_BYTES: u64 = 8 * 1024 * 1024;

fn decode<T: serde::de::DeserializeOwned>(tree: &'static str, raw: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(raw).map_err(|e| StoreError::Corrupt {
        tree,
        reason: e.to_string(),
    })
}

fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialise to JSON")
}
