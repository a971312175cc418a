//! The audit log: one record per security event, keyed by time so it reads in order.

use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::audit::AuditEvent;

impl Store {
    /// Appends an event (flushed with the next security-relevant write, or within
    /// sled's 500 ms background flush).
    pub fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        // Time first, then sled's monotonic counter: events of one second keep
        // the order they happened in.
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&event.at.to_be_bytes());
        key[8..].copy_from_slice(&self.db.generate_id()?.to_be_bytes());
        self.audit.insert(key, encode(event))?;
        Ok(())
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
        for raw in self.audit.iter().values().rev() {
            let event: AuditEvent = decode("audit", &raw?)?;
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
