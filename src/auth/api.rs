//! API sessions (SPEC §2, §4): a login that names its device, and the rotation of
//! refresh tokens with reuse detection, on the renewal rule shared with browser
//! cookies (`refresh.rs`).
//!
//! A refresh token in the session's current set rotates: a new one replaces the whole
//! set and the spent ones move to `previous`. A token from `previous` presented
//! within `refresh_reuse_grace` of that rotation is a concurrent refresh from the same
//! device: it gets another valid pair (a *sibling* successor, added to the current
//! set) and nothing is revoked. A token from `previous` after the grace window, or
//! from the older `spent` list, is reuse: the session ends.

use super::refresh::{Renewal, Verdict};
use super::{Auth, Client, Identity, InternalError, Issued, LoginError};
use crate::clock::secs;
use crate::domain::refresh::{RefreshState, RefreshToken, Standing};
use crate::domain::{Email, Password, Session, SessionKind};

/// Longest device name kept, in characters.
const DEVICE_NAME_MAX: usize = 64;

/// The outcome of presenting a refresh token.
#[derive(Debug)]
pub enum TokenRefresh {
    /// A new access token and refresh token for the same session.
    Renewed(Identity, Box<Issued>),
    /// Not a live refresh token (malformed, unknown, or its session is over).
    Invalid,
    /// A spent refresh token was presented after the grace window: the session has
    /// been ended.
    Reused,
}

impl Auth {
    /// Checks the credentials and opens an API session named `device_name` (or after
    /// the User-Agent); the issued pair carries the first refresh token.
    pub async fn login_api(
        &self,
        email: &Email,
        password: &Password,
        device_name: Option<&str>,
        client: &Client,
    ) -> Result<(Identity, Issued), LoginError> {
        let device = device_name.and_then(clean_device_name);
        self.login_as(email, password, false, SessionKind::Api, device, client)
            .await
    }

    /// Rotates a refresh token (SPEC §2): durable before it returns, so after a crash
    /// the old token is at most a grace-window sibling of the new one.
    pub async fn refresh_api(
        &self,
        presented: &str,
        client: &Client,
    ) -> Result<TokenRefresh, InternalError> {
        let Some((session_id, digest)) = RefreshToken::parse(presented) else {
            return Ok(TokenRefresh::Invalid);
        };
        let (next, next_digest) = RefreshToken::generate(&session_id);
        let judge = |session: &Session, grace_open: bool| {
            let state = session
                .refresh
                .as_ref()
                .filter(|_| session.kind == SessionKind::Api);
            match state.map(|s| s.standing(&digest)) {
                Some(Standing::Current) => Verdict::Current,
                Some(Standing::Previous) if grace_open => Verdict::WithinGrace,
                Some(Standing::Previous | Standing::Spent) => Verdict::Reused,
                Some(Standing::Unknown) | None => Verdict::Foreign,
            }
        };
        let update = |session: &mut Session, verdict: Verdict, now: i64| {
            let expires_at = self.refresh_expiry(session, now);
            let Some(state) = session.refresh.as_mut() else {
                return false;
            };
            match verdict {
                Verdict::Current => {
                    state.rotate(next_digest.clone(), expires_at);
                    true
                }
                Verdict::WithinGrace => state.add_sibling(next_digest.clone()),
                Verdict::Reused | Verdict::Foreign => false,
            }
        };
        Ok(
            match self.renew(&session_id, client, judge, update).await? {
                Renewal::Renewed(identity, mut issued) => {
                    issued.refresh_token = Some(next);
                    TokenRefresh::Renewed(identity, issued)
                }
                Renewal::Reused => TokenRefresh::Reused,
                Renewal::Ended | Renewal::Refused => TokenRefresh::Invalid,
            },
        )
    }

    /// Gives an API session a fresh refresh-token lineage (every earlier refresh
    /// token of it is forgotten) and returns its first token.
    pub(super) fn new_lineage(&self, session: &mut Session, now: i64) -> RefreshToken {
        let (token, digest) = RefreshToken::generate(&session.id);
        let expires_at = self.refresh_expiry(session, now);
        session.refresh = Some(RefreshState::new(digest, expires_at));
        token
    }

    /// When a refresh token issued now stops working: `refresh_token_ttl` from now,
    /// never past the session's absolute end.
    fn refresh_expiry(&self, session: &Session, now: i64) -> i64 {
        let expires_at = now + secs(self.config.refresh_token_ttl);
        session
            .expires_at
            .map_or(expires_at, |end| expires_at.min(end))
    }
}

/// A client-chosen device name made safe to show and store: no control characters,
/// trimmed, at most [`DEVICE_NAME_MAX`] characters; `None` when nothing is left.
fn clean_device_name(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(DEVICE_NAME_MAX)
        .collect();
    let cleaned = cleaned.trim_end().to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::clean_device_name;

    #[test]
    fn device_names_are_cleaned() {
        assert_eq!(
            clean_device_name("  Alice's phone\r\n").as_deref(),
            Some("Alice's phone")
        );
        assert_eq!(clean_device_name(" \t "), None);
        assert_eq!(clean_device_name(&"x".repeat(100)).unwrap().len(), 64);
    }
}
