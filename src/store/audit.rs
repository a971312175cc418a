//! The audit log: one record per security event, keyed by time so it reads in order.
//! Throttled refusals are the exception: a flood of them would cost storage for
//! nothing, so all refusals of one user and address within a window share one
//! record that counts them (issue 15).

use sha2::{Digest, Sha256};

use super::backend::{Keys, Tree};
use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::audit::{AuditEvent, AuditKind, THROTTLED_WINDOW};

/// The key of the record that collects the throttled refusals of `event`'s user
/// and address in its window: the window's start, then a digest of who, with the
/// top bit set so it never equals a counter of [`Store::record`].
fn throttled_key(event: &AuditEvent) -> [u8; 16] {
    let window = event.at - event.at.rem_euclid(THROTTLED_WINDOW);
    let who = format!("{:?}|{:?}", event.user, event.ip);
    let digest = Sha256::digest(who.as_bytes());
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&window.to_be_bytes());
    key[8..].copy_from_slice(&digest[..8]);
    key[8] |= 0x80;
    key
}

impl Store {
    /// Appends an event (flushed with the next security-relevant write, or within
    /// sled's 500 ms background flush).
    pub fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        if event.kind == AuditKind::Throttled {
            return self.record_throttled(event);
        }
        // Time first, then sled's monotonic counter: events of one second keep
        // the order they happened in.
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&event.at.to_be_bytes());
        key[8..].copy_from_slice(&self.backend.unique_id()?.to_be_bytes());
        self.backend.insert(Tree::Audit, &key, &encode(event))
    }

    /// Counts one throttled refusal into its window's record (created by the first).
    fn record_throttled(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let fresh = encode(event);
        self.update(Tree::Audit, &throttled_key(event), |old| {
            let counted = old
                .and_then(|raw| decode::<AuditEvent>("audit", raw).ok())
                .map(|mut first| {
                    first.repeated = first.repeated.saturating_add(1);
                    encode(&first)
                });
            Some(counted.unwrap_or_else(|| fresh.clone()))
        })
    }

    /// Up to `limit` events, newest first, after skipping the `skip` newest,
    /// optionally only those about `user` (as the user concerned or the actor).
    pub fn audit_events(
        &self,
        skip: usize,
        limit: usize,
        user: Option<&UserId>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let mut skip = skip;
        let mut events = Vec::new();
        for entry in self.backend.scan(Tree::Audit, Keys::All, true)? {
            let event: AuditEvent = decode("audit", &entry?.1)?;
            if user
                .is_none_or(|u| event.user.as_ref() == Some(u) || event.actor.as_ref() == Some(u))
            {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                events.push(event);
                if events.len() == limit {
                    break;
                }
            }
        }
        Ok(events)
    }
}
