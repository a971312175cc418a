//! Renewing a session's credentials, for browsers (sliding cookies) and API clients
//! (refresh tokens) alike (SPEC §2).
//!
//! Both follow one rule. Each renewal with the session's *current* credential bumps
//! the rotation counter and stamps `rotated_at`. A credential spent by the latest
//! rotation is another tab or a concurrent request that raced it, and is served
//! within `refresh_reuse_grace` without rotating again; after the grace window, or
//! for anything spent earlier, the credential was copied and used elsewhere, so the
//! whole session is ended. For a cookie the credential is the `rot` claim of an
//! expired token; for an API client it is the refresh token (see `api.rs`).
//!
//! The changed record is written by compare-and-swap: a renewal that raced another
//! one reads the record again and is judged against the winner's rotation. A
//! session found idle or past its lifetime is ended for [`EndReason::Expired`], a
//! copied credential for [`EndReason::CopiedCredential`].

use std::sync::Arc;

use super::commit::Audit;
use super::{Admission, Auth, Client, Identity, Issued, Sessions, UserView};
use crate::clock::secs;
use crate::domain::audit::AuditKind;
use crate::domain::{EndReason, Session, SessionId, SessionKind};
use crate::store::{Change, Ends, StoreError, Versioned};
use crate::token::TokenClaims;

/// The outcome of a sliding refresh.
#[derive(Debug)]
pub enum Refreshed {
    /// A new token for the same session.
    Renewed(Identity, Box<Issued>),
    /// The session is over, for this reason (a copied cookie ends it as
    /// [`EndReason::CopiedCredential`]).
    Ended(EndReason),
}

/// How a presented credential relates to the session's rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// The latest credential: rotate.
    Current,
    /// Spent by the latest rotation, and the grace window is open: serve, no rotation.
    WithinGrace,
    /// Spent, and not excused by the grace window: end the session.
    Reused,
    /// Not a credential of this session: refuse, touch nothing.
    Foreign,
}

/// The outcome of [`Auth::renew`].
#[derive(Debug)]
pub(super) enum Renewal {
    /// New credentials (the caller adds a refresh token where it has one).
    Renewed(Identity, Box<Issued>),
    /// The session is over (gone, idle, past its cap, user disabled), for this reason.
    Ended(EndReason),
    /// A spent credential was presented: the session has been ended.
    Reused,
    /// The credential is not this session's, or the renewal was refused.
    Refused,
}

/// How many times a renewal re-reads a record that another request kept changing.
const CAS_ATTEMPTS: usize = 16;

impl Sessions<'_> {
    /// Slides the session of an expired browser token forward.
    pub async fn refresh(
        self,
        claims: &TokenClaims,
        client: &Client,
    ) -> Result<Refreshed, StoreError> {
        let auth = self.0;
        match auth.mirror.admit(claims) {
            Admission::Admitted(_) => {}
            Admission::Ended(reason) => return Ok(Refreshed::Ended(reason)),
            Admission::Unknown => return Ok(Refreshed::Ended(EndReason::Unknown)),
        }
        let judge = |session: &Session, grace_open: bool| {
            if session.user_id != claims.user || session.kind != SessionKind::Browser {
                Verdict::Foreign
            } else if claims.rotation == session.rotation {
                Verdict::Current
            } else if claims.rotation + 1 == session.rotation && grace_open {
                Verdict::WithinGrace
            } else {
                Verdict::Reused
            }
        };
        let renewal = auth
            .renew(&claims.session, client, judge, |_, _, _| true)
            .await?;
        Ok(match renewal {
            Renewal::Renewed(identity, issued) => Refreshed::Renewed(identity, issued),
            Renewal::Reused => Refreshed::Ended(EndReason::CopiedCredential),
            Renewal::Ended(reason) => Refreshed::Ended(reason),
            Renewal::Refused => Refreshed::Ended(EndReason::Unknown),
        })
    }
}

impl Auth {
    /// Whether `session` may still be renewed at `now`.
    fn is_alive(&self, session: &Session, now: i64) -> bool {
        // A personal access token is never renewed: it ends at its expiry.
        session.kind != SessionKind::Token && super::sweep::is_alive(&self.config, session, now)
    }

    /// The shared skeleton of a renewal: the session must exist, be alive and belong
    /// to an admitted user; `judge` classifies the presented credential (given whether
    /// the grace window is open); `update` adjusts the record for that verdict and may
    /// refuse (`false`). Then the record gets a new access token, a new "last seen"
    /// and is swapped in and flushed before the caller answers.
    pub(super) async fn renew(
        &self,
        id: &SessionId,
        client: &Client,
        judge: impl Fn(&Session, bool) -> Verdict,
        mut update: impl FnMut(&mut Session, Verdict, i64) -> bool,
    ) -> Result<Renewal, StoreError> {
        for _ in 0..CAS_ATTEMPTS {
            let Some(read) = self.store.session_for_update(id)? else {
                return Ok(Renewal::Ended(self.why_gone(id)));
            };
            if let Some(renewal) = self.renew_from(&read, client, &judge, &mut update).await? {
                return Ok(renewal);
            }
        }
        rocket::warn!("session {id} kept changing during a renewal; refusing this one");
        Ok(Renewal::Refused)
    }

    /// One attempt of [`Auth::renew`] on the record as `read`; `None` when another
    /// request changed it meanwhile (read it again).
    async fn renew_from(
        &self,
        read: &Versioned,
        client: &Client,
        judge: &impl Fn(&Session, bool) -> Verdict,
        update: &mut impl FnMut(&mut Session, Verdict, i64) -> bool,
    ) -> Result<Option<Renewal>, StoreError> {
        let (session, now) = (&read.session, self.clock.now());
        let user = match self.renewable(session, now) {
            Ok(user) => user,
            Err(reason) => {
                if reason == EndReason::Expired {
                    self.end(session, EndReason::Expired, None, client).await?;
                }
                return Ok(Some(Renewal::Ended(reason)));
            }
        };
        let grace_open = now - session.rotated_at <= secs(self.config.refresh_reuse_grace);
        let verdict = judge(session, grace_open);
        let mut renewed = session.clone();
        match verdict {
            Verdict::Foreign => return Ok(Some(Renewal::Refused)),
            Verdict::Reused => {
                let audit = Audit(AuditKind::CredentialReuse, Some(session.id));
                let reason = EndReason::CopiedCredential;
                self.end(session, reason, Some(audit), client).await?;
                return Ok(Some(Renewal::Reused));
            }
            Verdict::Current => renewed.rotate(now),
            Verdict::WithinGrace => {}
        }
        if !update(&mut renewed, verdict, now) {
            return Ok(Some(Renewal::Refused));
        }
        let Some(issued) = self.swap_in(read, renewed, user.generation, client, now)? else {
            return Ok(None);
        };
        self.store.flush().await?;
        let identity = Identity::of(user, &issued.session);
        Ok(Some(Renewal::Renewed(identity, Box::new(issued))))
    }

    /// The user `session` may be renewed for at `now`, or why it is over: revoked,
    /// its user disabled, or idle or past its lifetime ([`EndReason::Expired`]).
    fn renewable(&self, session: &Session, now: i64) -> Result<Arc<UserView>, EndReason> {
        if let Some(reason) = self.mirror.ended(&session.id) {
            return Err(reason);
        }
        let user = self.mirror.user(&session.user_id).filter(|u| u.enabled);
        let user = user.ok_or(EndReason::Disabled)?;
        if !self.is_alive(session, now) {
            return Err(EndReason::Expired);
        }
        Ok(user)
    }

    /// Stamps the renewed record (last seen, address, a new token) and swaps it in;
    /// `None` when another request changed the record since `read`.
    fn swap_in(
        &self,
        read: &Versioned,
        mut session: Session,
        generation: u64,
        client: &Client,
        now: i64,
    ) -> Result<Option<Issued>, StoreError> {
        if self.counts(&session, client) {
            session.last_seen_at = now;
        }
        if client.ip.is_some() {
            session.ip = client.ip;
        }
        let token = self.mint(&mut session, generation, now);
        if !self.store.replace_session(read, &session)? {
            return Ok(None);
        }
        Ok(Some(Issued {
            token,
            session,
            refresh_token: None,
        }))
    }

    /// Ends one session found during a renewal.
    async fn end(
        &self,
        session: &Session,
        reason: EndReason,
        audit: Option<Audit>,
        client: &Client,
    ) -> Result<(), StoreError> {
        let change = Change::end(session.user_id, Ends::One(session.id), reason);
        self.commit(change, audit, client).await?;
        Ok(())
    }

    /// Why a session that is not in the store any more ended, as far as is known.
    fn why_gone(&self, id: &SessionId) -> EndReason {
        self.mirror.ended(id).unwrap_or(EndReason::Unknown)
    }
}
