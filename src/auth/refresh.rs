//! Sliding browser sessions and copied-cookie detection (SPEC §2).
//!
//! An expired but authentic token whose session is alive gets a successor. Each
//! successor bumps the session's rotation counter; the token carries the counter it
//! was minted under. A token one rotation behind is another tab that raced the
//! refresh and is served within `refresh_reuse_grace`; anything older means the cookie
//! was copied and used elsewhere, so the session is ended.

use super::{Auth, Client, Identity, InternalError, Issued};
use crate::clock::secs;
use crate::domain::audit::AuditKind;
use crate::domain::session::Liveness;
use crate::token::TokenClaims;

/// The outcome of a sliding refresh.
#[derive(Debug)]
pub enum Refreshed {
    /// A new token for the same session.
    Renewed(Identity, Issued),
    /// The session is over (idle, expired, revoked or unknown).
    Ended,
    /// A stale copy of the cookie was presented: the session has been revoked.
    ReuseDetected,
}

impl Auth {
    /// Slides the session of an expired browser token forward.
    pub async fn refresh(
        &self,
        claims: &TokenClaims,
        client: &Client,
    ) -> Result<Refreshed, InternalError> {
        let now = self.clock.now();
        let Some(mut session) = self.store.session(&claims.session)? else {
            return Ok(Refreshed::Ended);
        };
        let Some(user) = self.live.admit(claims) else {
            return Ok(Refreshed::Ended);
        };
        if session.user_id != claims.user {
            return Ok(Refreshed::Ended);
        }
        let idle = session.idle_timeout(
            self.config.session_idle_timeout,
            self.config.remember_idle_timeout,
        );
        if session.liveness(now, idle) != Liveness::Alive {
            self.end_session(&session.id).await?;
            return Ok(Refreshed::Ended);
        }
        let grace = secs(self.config.refresh_reuse_grace);
        if claims.rotation == session.rotation {
            session.rotation += 1;
            session.rotated_at = now;
        } else if claims.rotation + 1 != session.rotation || now - session.rotated_at > grace {
            self.audit(
                AuditKind::CredentialReuse,
                Some(session.user_id),
                Some(session.id),
                client,
            );
            self.end_session(&session.id).await?;
            return Ok(Refreshed::ReuseDetected);
        }
        session.last_seen_at = now;
        if client.ip.is_some() {
            session.ip = client.ip;
        }
        let token = self.mint(&mut session, user.generation, now);
        self.store.put_session(&session)?;
        self.store.flush().await?;
        let identity = Identity {
            user,
            session: session.id,
            kind: claims.kind,
            auth_at: session.auth_at,
        };
        Ok(Refreshed::Renewed(identity, Issued { token, session }))
    }
}
