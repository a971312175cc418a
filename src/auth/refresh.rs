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
//! one reads the record again and is judged against the winner's rotation.

use super::{Auth, Client, Identity, InternalError, Issued};
use crate::clock::secs;
use crate::domain::audit::AuditKind;
use crate::domain::session::Liveness;
use crate::domain::{Session, SessionKind};
use crate::token::TokenClaims;

/// The outcome of a sliding refresh.
#[derive(Debug)]
pub enum Refreshed {
    /// A new token for the same session.
    Renewed(Identity, Box<Issued>),
    /// The session is over (idle, expired, revoked or unknown).
    Ended,
    /// A stale copy of the cookie was presented: the session has been revoked.
    ReuseDetected,
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

/// How many times a renewal re-reads a record that another request kept changing.
const CAS_ATTEMPTS: usize = 16;

impl Auth {
    /// Slides the session of an expired browser token forward.
    pub async fn refresh(
        &self,
        claims: &TokenClaims,
        client: &Client,
    ) -> Result<Refreshed, InternalError> {
        if self.live.admit(claims).is_none() {
            return Ok(Refreshed::Ended);
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
        let renewal = self
            .renew(&claims.session, client, judge, |_, _, _| true)
            .await?;
        Ok(match renewal {
            Renewal::Renewed(identity, issued) => Refreshed::Renewed(identity, issued),
            Renewal::Reused => Refreshed::ReuseDetected,
            Renewal::Ended | Renewal::Refused => Refreshed::Ended,
        })
    }

    /// Whether `session` may still be renewed at `now`.
    pub(super) fn is_alive(&self, session: &Session, now: i64) -> bool {
        match session.kind {
            SessionKind::Browser => {
                let idle = session.idle_timeout(
                    self.config.session_idle_timeout,
                    self.config.remember_idle_timeout,
                );
                session.liveness(now, idle) == Liveness::Alive
            }
            // An API session lives as long as its refresh tokens, within its cap.
            SessionKind::Api => {
                session.expires_at.is_none_or(|end| now < end)
                    && session.refresh.as_ref().is_some_and(|r| now < r.expires_at)
            }
        }
    }

    /// The shared skeleton of a renewal: the session must exist, be alive and belong
    /// to an admitted user; `judge` classifies the presented credential (given whether
    /// the grace window is open); `update` adjusts the record for that verdict and may
    /// refuse (`false`). Then the record gets a new access token, a new "last seen"
    /// and is swapped in and flushed before the caller answers.
    pub(super) async fn renew(
        &self,
        id: &crate::domain::SessionId,
        client: &Client,
        judge: impl Fn(&Session, bool) -> Verdict,
        mut update: impl FnMut(&mut Session, Verdict, i64) -> bool,
    ) -> Result<Renewal, InternalError> {
        for _ in 0..CAS_ATTEMPTS {
            let now = self.clock.now();
            let Some(read) = self.store.session_for_update(id)? else {
                return Ok(Renewal::Ended);
            };
            let mut session = read.session.clone();
            let user = self
                .live
                .user(&session.user_id)
                .filter(|u| u.enabled && !self.live.is_revoked(&session.id));
            let Some(user) = user else {
                return Ok(Renewal::Ended);
            };
            if !self.is_alive(&session, now) {
                self.end_session(&session.id).await?;
                return Ok(Renewal::Ended);
            }
            let grace_open = now - session.rotated_at <= secs(self.config.refresh_reuse_grace);
            let verdict = judge(&session, grace_open);
            match verdict {
                Verdict::Foreign => return Ok(Renewal::Refused),
                Verdict::Reused => {
                    self.audit(
                        AuditKind::CredentialReuse,
                        Some(session.user_id),
                        Some(session.id),
                        client,
                    );
                    self.end_session(&session.id).await?;
                    return Ok(Renewal::Reused);
                }
                Verdict::Current => {
                    session.rotation += 1;
                    session.rotated_at = now;
                }
                Verdict::WithinGrace => {}
            }
            if !update(&mut session, verdict, now) {
                return Ok(Renewal::Refused);
            }
            session.last_seen_at = now;
            if client.ip.is_some() {
                session.ip = client.ip;
            }
            let token = self.mint(&mut session, user.generation, now);
            if !self.store.replace_session(&read, &session)? {
                continue;
            }
            self.store.flush().await?;
            let identity = Identity {
                user,
                session: session.id,
                kind: session.kind.into(),
                auth_at: session.auth_at,
            };
            let issued = Issued {
                token,
                session,
                refresh_token: None,
            };
            return Ok(Renewal::Renewed(identity, Box::new(issued)));
        }
        rocket::warn!("session {id} kept changing during a renewal; refusing this one");
        Ok(Renewal::Refused)
    }
}

/// The outcome of [`Auth::renew`].
#[derive(Debug)]
pub(super) enum Renewal {
    /// New credentials (the caller adds a refresh token where it has one).
    Renewed(Identity, Box<Issued>),
    /// The session is over (gone, idle, past its cap, user disabled).
    Ended,
    /// A spent credential was presented: the session has been ended.
    Reused,
    /// The credential is not this session's, or the renewal was refused.
    Refused,
}
