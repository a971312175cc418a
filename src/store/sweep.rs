//! What the sweeper (SPEC §12) deletes, in store terms: sessions past their end,
//! revoked entries whose tokens have all expired, throttle counters past their
//! window, expired one-time links, expired personal access token grants, audit
//! records older than the retention, and sign-in places unseen for 90 days.
//!
//! The sweeper runs on its own thread and may outlive a request, but never the
//! store: it holds the engine through a [`Weak`](std::sync::Weak) handle
//! ([`Store::sweepable`](super::Store::sweepable)), so a store being dropped is
//! never kept open by it (the directory lock waits for sled to close, `lock.rs`).

use std::sync::Arc;

use super::backend::{Backend, Keys, Tree};
use super::revoked::{decode_entry, encode_entry};
use super::sessions::index_key;
use super::{StoreError, decode, encode};
use crate::domain::access::Grant;
use crate::domain::factors::PendingLogin;
use crate::domain::onetime::OneTime;
use crate::domain::signins::SignIns;
use crate::domain::throttle::{Counter, IP_WINDOW, MAX_DELAY, MAX_FAILURES, REGISTER_WINDOW};
use crate::domain::{EndReason, Session, SessionId};

/// How long change-log entries are kept: far longer than any running instance
/// lags; one that was cut off longer reloads a snapshot when it reconnects.
pub const LOG_KEPT: std::time::Duration = std::time::Duration::from_secs(3600);

/// What the sweeper prunes: the store's engine.
pub struct Sweepable {
    pub(super) backend: Arc<dyn Backend>,
}

/// Sessions after a pass: how many were deleted, how many are alive, and the
/// deleted ones whose tokens may still be unexpired (now in the revoked set).
#[derive(Debug, Default)]
pub struct SweptSessions {
    /// Records deleted.
    pub deleted: usize,
    /// Records left, all alive.
    pub live: usize,
    /// Deleted sessions moved into the revoked set: (session, until).
    pub revoked: Vec<(SessionId, i64)>,
}

impl Sweepable {
    /// Deletes every session `alive` refuses at `now`. One whose tokens may still be
    /// unexpired moves into the revoked set (as [`EndReason::Expired`]) in the same
    /// transaction, like any other ending; a record rewritten meanwhile is left.
    pub fn sweep_sessions(
        &self,
        now: i64,
        alive: impl Fn(&Session) -> bool,
    ) -> Result<SweptSessions, StoreError> {
        let mut swept = SweptSessions::default();
        for entry in self.backend.scan(Tree::Sessions, Keys::All, false)? {
            let (key, raw) = entry?;
            let Ok(session) = decode::<Session>("sessions", &raw) else {
                continue;
            };
            if alive(&session) {
                swept.live += 1;
                continue;
            }
            let revocable = session.token_exp > now;
            let deleted = self.backend.transaction(&mut |tx| {
                if tx.get(Tree::Sessions, &key)?.as_deref() != Some(raw.as_slice()) {
                    return Err(super::backend::TxError::Refused);
                }
                tx.remove(Tree::Sessions, &key)?;
                tx.remove(
                    Tree::UserSessions,
                    &index_key(&session.user_id, &session.id),
                )?;
                if revocable {
                    let value = encode_entry(session.token_exp, &EndReason::Expired);
                    tx.insert(Tree::Revoked, session.id.as_bytes(), &value)?;
                }
                Ok(())
            })?;
            if deleted {
                swept.deleted += 1;
                if revocable {
                    swept.revoked.push((session.id, session.token_exp));
                }
            } else {
                swept.live += 1;
            }
        }
        Ok(swept)
    }

    /// Deletes the revoked entries whose tokens have all expired by `now`.
    pub fn prune_revoked(&self, now: i64) -> Result<usize, StoreError> {
        self.remove_where(Tree::Revoked, |_, value| decode_entry(value).0 <= now)
    }

    /// Deletes throttle counters that no longer hold anything back: IP windows
    /// that have closed, and failure counts of addresses without an account once
    /// their longest back-off is over. An account's own count is kept (it is what
    /// locks it after a hundred failures, and there is one per account at most).
    pub fn prune_throttle(&self, now: i64) -> Result<usize, StoreError> {
        self.remove_where(Tree::Throttle, |key, value| {
            let counter = Counter::from_bytes(value);
            if key.starts_with(b"ip:") {
                counter.since + IP_WINDOW <= now
            } else if key.starts_with(b"reg:") {
                counter.since + REGISTER_WINDOW <= now
            } else if let Some(email) = key.strip_prefix(b"acct:") {
                counter.count < MAX_FAILURES
                    && counter.since + MAX_DELAY <= now
                    && matches!(self.backend.get(Tree::Emails, email), Ok(None))
            } else {
                false
            }
        })
    }

    /// Deletes one-time links that have expired (used ones are deleted when used).
    pub fn prune_links(&self, now: i64) -> Result<usize, StoreError> {
        self.remove_where(Tree::Onetime, |_, raw| {
            decode::<OneTime>("onetime", raw).is_ok_and(|link| !link.usable(now))
        })
    }

    /// Deletes pending logins (SPEC §10) whose five minutes are over, and any
    /// record that cannot be read.
    pub fn prune_pending_logins(&self, now: i64) -> Result<usize, StoreError> {
        self.remove_where(Tree::PendingLogins, |_, raw| {
            decode::<PendingLogin>("pending_logins", raw).map_or(true, |p| p.expires_at <= now)
        })
    }

    /// Deletes personal access token grants past their expiry or whose session is
    /// gone (SPEC §11, §12).
    pub fn prune_grants(&self, now: i64) -> Result<usize, StoreError> {
        let backend = &self.backend;
        self.remove_where(Tree::AccessTokens, |key, raw| {
            let expired = decode::<Grant>("access_tokens", raw).is_ok_and(|g| g.expires_at <= now);
            expired
                || backend
                    .get(Tree::Sessions, key)
                    .is_ok_and(|found| found.is_none())
        })
    }

    /// Deletes audit records from before `before` (Unix seconds).
    pub fn prune_audit(&self, before: i64) -> Result<usize, StoreError> {
        let before = before.to_be_bytes();
        let mut removed = 0;
        for entry in self
            .backend
            .scan(Tree::Audit, Keys::Below(&before), false)?
        {
            self.backend.remove(Tree::Audit, &entry?.0)?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Deletes change-log entries older than [`LOG_KEPT`] (PostgreSQL only).
    pub fn prune_log(&self) -> Result<usize, StoreError> {
        self.backend.prune_log(LOG_KEPT)
    }

    /// Makes the deletions durable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.backend.flush()
    }

    /// Removes each entry of `tree` that `doomed` picks, unless it changed meanwhile.
    /// Forgets the places users signed in from that were not seen for 90 days
    /// (SPEC §11; each user's newest one stays); how many. A record a sign-in
    /// changes meanwhile waits for the next pass.
    pub fn prune_sign_ins(&self, now: i64) -> Result<usize, StoreError> {
        let mut forgotten = 0;
        for entry in self.backend.scan(Tree::SignIns, Keys::All, false)? {
            let (key, old) = entry?;
            let Ok(mut record) = decode::<SignIns>("sign_ins", &old) else {
                continue;
            };
            let gone = record.forget_stale(now);
            if gone > 0
                && self.backend.compare_and_swap(
                    Tree::SignIns,
                    &key,
                    Some(&old),
                    Some(&encode(&record)),
                )?
            {
                forgotten += gone;
            }
        }
        Ok(forgotten)
    }

    fn remove_where(
        &self,
        tree: Tree,
        doomed: impl Fn(&[u8], &[u8]) -> bool,
    ) -> Result<usize, StoreError> {
        let mut removed = 0;
        for entry in self.backend.scan(tree, Keys::All, false)? {
            let (key, value) = entry?;
            if doomed(&key, &value)
                && self
                    .backend
                    .compare_and_swap(tree, &key, Some(&value), None)?
            {
                removed += 1;
            }
        }
        Ok(removed)
    }
}
