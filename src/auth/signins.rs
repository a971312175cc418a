//! New sign-in notices (SPEC §11): every sign-in records its place (device and
//! network) for its user; one from a place not seen for them in 90 days (their
//! very first sign-in aside) waits as a notice on `/account` and the admin user
//! page until the user dismisses it or disowns it ("Not me": that session ends
//! and the user is led to change the password). All three are audited.

use super::{Auth, Client, Identity, Sessions};
use crate::domain::audit::AuditKind;
use crate::domain::session::device_label;
use crate::domain::signins::{Flag, Place};
use crate::domain::{Session, SessionId, SessionKind, UserId};
use crate::store::StoreError;

impl Auth {
    /// Records the sign-in that opened `session`; a failure is logged, never fatal
    /// (the sign-in itself stands).
    pub(super) fn note_sign_in(&self, session: &Session, client: &Client) {
        if session.kind == SessionKind::Token {
            return;
        }
        let device = device_label(client.user_agent.as_deref());
        let place = Place::of(device, client.ip, self.config.ipv6_prefix_length);
        let now = self.clock.now();
        let noted = self.store.edit_sign_ins(&session.user_id, |record| {
            record.note(session.id, place.clone(), now)
        });
        match noted {
            Ok(true) => {
                let (user, id) = (Some(session.user_id), Some(session.id));
                self.audit(AuditKind::NewSignInFlagged, user, id, client);
            }
            Ok(false) => {}
            Err(e) => rocket::warn!("could not record a sign-in's place: {e}"),
        }
    }
}

impl Sessions<'_> {
    /// The new sign-ins of `user` waiting to be looked at, newest first, except
    /// the one of `current` (the device that just signed in knows it did).
    pub fn new_sign_ins(
        self,
        user: &UserId,
        current: Option<&SessionId>,
    ) -> Result<Vec<Flag>, StoreError> {
        let mut flags = self.0.store.sign_ins(user)?.flags;
        flags.retain(|f| Some(&f.session) != current);
        flags.reverse();
        Ok(flags)
    }

    /// "Not me": ends the session of the flagged sign-in `id` and forgets the
    /// notice; `false` (nothing touched) when `me` has no such notice.
    pub async fn disown_sign_in(
        self,
        me: &Identity,
        id: &SessionId,
        client: &Client,
    ) -> Result<bool, StoreError> {
        if !self.take_notice(&me.user.id, id)? {
            return Ok(false);
        }
        self.revoke(me, id, client).await?;
        let user = Some(me.user.id);
        self.0
            .audit(AuditKind::NewSignInDisowned, user, Some(*id), client);
        Ok(true)
    }

    /// Forgets the notice of sign-in `id`; `false` when `user` has no such notice.
    pub async fn dismiss_sign_in(
        self,
        user: &UserId,
        id: &SessionId,
        client: &Client,
    ) -> Result<bool, StoreError> {
        if !self.take_notice(user, id)? {
            return Ok(false);
        }
        self.0.store.flush().await?;
        self.0.audit(
            AuditKind::NewSignInDismissed,
            Some(*user),
            Some(*id),
            client,
        );
        Ok(true)
    }

    fn take_notice(self, user: &UserId, id: &SessionId) -> Result<bool, StoreError> {
        let taken = self.0.store.edit_sign_ins(user, |record| record.take(id))?;
        Ok(taken.is_some())
    }
}
