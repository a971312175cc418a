//! The one revocation primitive. Every way a session ends (logout, revoking one,
//! signing out the others, log out everywhere, a password change or reset, disabling
//! an account, a group change, a renewal finding its session idle or its credential
//! copied, the command line) and every change to an account's standing is a
//! [`Change`] committed here, in this order:
//!
//! 1. the store writes it in one call ([`Store::commit`](crate::store::Store::commit));
//! 2. one flush makes it durable, before anyone is told (SPEC §2);
//! 3. the mirror publishes it, so the very next request is judged by it;
//! 4. the audit log records it.

use super::{Auth, Client};
use crate::domain::audit::{AuditEvent, AuditKind, sanitise};
use crate::domain::{SessionId, UserId};
use crate::store::{Change, Ended, Ends, StoreError};

/// What the audit log records about a change: the event, and the session it
/// concerns (the acting one, or the one ended).
pub(super) struct Audit(pub AuditKind, pub Option<SessionId>);

impl Auth {
    /// Commits `change` (see the module documentation) and returns the sessions it
    /// ended. A change that was to end one session and found none that was the
    /// user's did nothing, and is not audited.
    pub(super) async fn commit(
        &self,
        change: Change,
        audit: Option<Audit>,
        client: &Client,
    ) -> Result<Vec<Ended>, StoreError> {
        let ended = self.store.commit(&change)?;
        self.store.flush().await?;
        self.mirror.publish(&change, &ended, self.clock.now());
        self.catch_up();
        let did_nothing = matches!(change.ends(), Some((Ends::One(_), _))) && ended.is_empty();
        if let Some((_, reason)) = change.ends()
            && !did_nothing
        {
            self.metrics.revoked(reason.code());
        }
        if let Some(Audit(kind, session)) = audit
            && !did_nothing
        {
            self.audit(kind, Some(change.user()), session, client);
        }
        Ok(ended)
    }

    /// Appends an audit event; a failure to record is logged, never fatal.
    pub(super) fn audit(
        &self,
        kind: AuditKind,
        user: Option<UserId>,
        session: Option<SessionId>,
        client: &Client,
    ) {
        self.metrics.audited(kind);
        let event = AuditEvent {
            at: self.clock.now(),
            kind,
            user,
            session,
            actor: client.actor,
            ip: client.ip,
            user_agent: client.user_agent.as_deref().map(sanitise),
            repeated: 0,
        };
        if let Err(e) = self.store.record(&event) {
            rocket::error!("could not record audit event {kind:?}: {e}");
        }
    }
}
