//! The seam between the store's record logic and the engine under it (SPEC §13).
//!
//! Every method of [`Store`](super::Store) is written once, over named trees of
//! ordered byte keys and byte values: get, insert, remove, compare-and-swap, ordered
//! scans and multi-tree transactions. A [`Backend`] provides those, either embedded
//! (sled, [`super::sled`]) or shared by several instances (PostgreSQL,
//! [`super::postgres`]). Keeping the seam this low means the key layout documented
//! in `store/mod.rs`, and every rule built on it (one transaction per security
//! change, compare-and-swap rotations, atomic throttle counters), is the same code
//! on both engines, and one contract suite checks both.

use std::path::Path;

use super::StoreError;

/// The trees (sled) or keyed rows of one table (PostgreSQL) of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tree {
    Meta,
    Users,
    Emails,
    EmailSkeletons,
    Sessions,
    UserSessions,
    Revoked,
    Audit,
    Throttle,
    Onetime,
    AccessTokens,
    Factors,
    PendingLogins,
    SignIns,
    Carried,
    Passkeys,
    PasskeyCeremonies,
}

impl Tree {
    /// Every tree, in a fixed order.
    pub const ALL: [Tree; 17] = [
        Tree::Meta,
        Tree::Users,
        Tree::Emails,
        Tree::EmailSkeletons,
        Tree::Sessions,
        Tree::UserSessions,
        Tree::Revoked,
        Tree::Audit,
        Tree::Throttle,
        Tree::Onetime,
        Tree::AccessTokens,
        Tree::Factors,
        Tree::PendingLogins,
        Tree::SignIns,
        Tree::Carried,
        Tree::Passkeys,
        Tree::PasskeyCeremonies,
    ];

    /// The tree's name in sled, and its `tree` column in PostgreSQL.
    pub fn name(self) -> &'static str {
        match self {
            Tree::Meta => "meta",
            Tree::Users => "users",
            Tree::Emails => "emails",
            Tree::EmailSkeletons => "email_skeletons",
            Tree::Sessions => "sessions",
            Tree::UserSessions => "user_sessions",
            Tree::Revoked => "revoked",
            Tree::Audit => "audit",
            Tree::Throttle => "throttle",
            Tree::Onetime => "onetime",
            Tree::AccessTokens => "access_tokens",
            Tree::Factors => "factors",
            Tree::PendingLogins => "pending_logins",
            Tree::SignIns => "sign_ins",
            Tree::Carried => "carried",
            Tree::Passkeys => "passkeys",
            Tree::PasskeyCeremonies => "passkey_ceremonies",
        }
    }

    /// The tree named `name`.
    pub fn named(name: &str) -> Option<Tree> {
        Tree::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether what the request path reads is derived from this tree: writes to it
    /// go into the change log other instances follow ([`Followed`]).
    pub fn is_followed(self) -> bool {
        matches!(self, Tree::Users | Tree::Revoked | Tree::AccessTokens)
    }
}

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// Entries in key order (or reverse order), read lazily.
pub type Entries<'a> = Box<dyn Iterator<Item = Result<Entry, StoreError>> + Send + 'a>;

/// Which keys a scan visits.
#[derive(Debug, Clone, Copy)]
pub enum Keys<'a> {
    /// Every key.
    All,
    /// Keys starting with these bytes.
    Prefix(&'a [u8]),
    /// Keys ordered before these bytes.
    Below(&'a [u8]),
}

/// How a transaction's work stops early.
#[derive(Debug)]
pub enum TxError {
    /// The work decided not to write anything (say, an address is taken): the
    /// transaction is rolled back and [`Backend::transaction`] answers `Ok(false)`.
    Refused,
    /// The engine saw a conflicting write: the backend runs the work again.
    Retry,
    /// Reading or writing failed; the transaction is rolled back.
    Store(StoreError),
}

impl From<StoreError> for TxError {
    fn from(e: StoreError) -> Self {
        TxError::Store(e)
    }
}

/// The reads and writes of one transaction; every tree is reachable.
pub trait Tx {
    /// The value under `key`, as this transaction sees it.
    fn get(&mut self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, TxError>;
    /// Writes `value` under `key`.
    fn insert(&mut self, tree: Tree, key: &[u8], value: &[u8]) -> Result<(), TxError>;
    /// Removes `key`.
    fn remove(&mut self, tree: Tree, key: &[u8]) -> Result<(), TxError>;
}

/// Work run inside a transaction; it may run more than once.
pub type TxWork<'a> = dyn FnMut(&mut dyn Tx) -> Result<(), TxError> + 'a;

/// A write to a followed tree, as the change log records it: applied in `seq`
/// order, these bring another instance's mirror up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    /// The position in the log; every committed write has a larger one than
    /// every write committed before it.
    pub seq: i64,
    /// The tree written.
    pub tree: Tree,
    /// The key written.
    pub key: Vec<u8>,
    /// The new value; `None` when the key was removed.
    pub value: Option<Vec<u8>>,
}

/// An engine under the store. Every method is synchronous; a backend that talks to
/// a server never blocks an async worker thread it does not own (see
/// `postgres/runtime.rs`).
pub trait Backend: Send + Sync {
    /// The value under `key`.
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Writes `value` under `key`.
    fn insert(&self, tree: Tree, key: &[u8], value: &[u8]) -> Result<(), StoreError>;
    /// Removes `key`, returning what it held: of two concurrent removals, one gets it.
    fn remove(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Replaces the value under `key` by `new` (`None` removes it) only if it is
    /// still `old` (`None`: absent); whether it did.
    fn compare_and_swap(
        &self,
        tree: Tree,
        key: &[u8],
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, StoreError>;
    /// The entries under `keys`, in key order, or reverse order if `reverse`.
    fn scan(&self, tree: Tree, keys: Keys<'_>, reverse: bool) -> Result<Entries<'_>, StoreError>;
    /// Whether the tree holds nothing.
    fn is_empty(&self, tree: Tree) -> Result<bool, StoreError>;
    /// Removes every entry of the tree.
    fn clear(&self, tree: Tree) -> Result<(), StoreError>;
    /// Runs `work` in one transaction: all its writes land, or none. `Ok(false)`
    /// when the work refused ([`TxError::Refused`]).
    fn transaction(&self, work: &mut TxWork<'_>) -> Result<bool, StoreError>;
    /// A number never handed out before by this store (audit keys).
    fn unique_id(&self) -> Result<u64, StoreError>;
    /// Makes every write so far durable (blocking).
    fn flush(&self) -> Result<(), StoreError>;
    /// Writes a consistent copy of the whole store into the empty directory `dir`,
    /// as a sled database.
    fn copy_to(&self, dir: &Path) -> Result<(), StoreError>;
    /// The writes to followed trees committed after `seq`, in order, up to `limit`
    /// of them. An embedded store has no other writer and no log: it answers none.
    fn changes_since(&self, seq: i64, limit: usize) -> Result<Vec<Followed>, StoreError> {
        let _ = (seq, limit);
        Ok(Vec::new())
    }
    /// The log position everything committed so far has reached (0 without a log).
    fn last_seq(&self) -> Result<i64, StoreError> {
        Ok(0)
    }
    /// Deletes change-log entries older than `keep` (an instance further behind
    /// than that reloads a snapshot instead); how many.
    fn prune_log(&self, keep: std::time::Duration) -> Result<usize, StoreError> {
        let _ = keep;
        Ok(0)
    }
    /// The engine's name, for messages.
    fn engine(&self) -> &'static str;
}
