//! The audit log: one record per security event, keyed by time so it reads in order.

use rand::RngCore;

use super::{Store, StoreError, decode, encode};
use crate::domain::UserId;
use crate::domain::audit::AuditEvent;

impl Store {
    /// Appends an event (flushed with the next security-relevant write, or within
    /// sled's 500 ms background flush).
    pub fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&event.at.to_be_bytes());
        rand::rngs::OsRng.fill_bytes(&mut key[8..]);
        self.audit.insert(key, encode(event))?;
        Ok(())
    }

    /// Up to `limit` events, newest first, optionally only those about `user`.
    pub fn audit_events(
        &self,
        limit: usize,
        user: Option<&UserId>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let mut events = Vec::new();
        for raw in self.audit.iter().values().rev() {
            let event: AuditEvent = decode("audit", &raw?)?;
            if user.is_none_or(|u| event.user.as_ref() == Some(u)) {
                events.push(event);
                if events.len() == limit {
                    break;
                }
            }
        }
        Ok(events)
    }
}
