//! API sessions (SPEC §2, §4): a login that names its device, and the rotation of
//! refresh tokens with reuse detection, on the renewal rule shared with browser
//! cookies (`renew.rs`).
//!
//! A refresh token in the session's current set rotates: a new one replaces the whole
//! set and the spent ones move to `previous`. A token from `previous` presented
//! within `refresh_reuse_grace` of that rotation is a concurrent refresh from the same
//! device: it gets another valid pair (a *sibling* successor, added to the current
//! set) and nothing is revoked. A token from `previous` after the grace window, or
//! from the older `spent` list, is reuse: the session ends.

use super::renew::{Renewal, Verdict};
use super::sessions::login;
use super::{Auth, Client, Identity, Issued, LoginError};
use crate::domain::refresh::{RefreshToken, Standing, TokenDigest};
use crate::domain::{Email, Password, Session, SessionKind};
use crate::store::StoreError;

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

/// The API sessions capability; `auth.api()`.
#[derive(Clone, Copy)]
pub struct ApiSessions<'a>(pub(super) &'a Auth);

impl ApiSessions<'_> {
    /// Checks the credentials and opens an API session named `device_name` (or after
    /// the User-Agent); the issued pair carries the first refresh token.
    pub async fn login(
        self,
        email: &Email,
        password: &Password,
        device_name: Option<&str>,
        client: &Client,
    ) -> Result<(Identity, Issued), LoginError> {
        let device = device_name.and_then(clean_device_name);
        login(
            self.0,
            email,
            password,
            false,
            SessionKind::Api,
            device,
            client,
        )
        .await
    }

    /// Rotates a refresh token (SPEC §2): durable before it returns, so after a crash
    /// the old token is at most a grace-window sibling of the new one.
    pub async fn refresh(
        self,
        presented: &str,
        client: &Client,
    ) -> Result<TokenRefresh, StoreError> {
        let Some((session_id, digest)) = RefreshToken::parse(presented) else {
            return Ok(TokenRefresh::Invalid);
        };
        let (next, next_digest) = RefreshToken::generate(&session_id);
        let judge = |session: &Session, grace_open: bool| judge(session, &digest, grace_open);
        let update = |session: &mut Session, verdict: Verdict, now: i64| {
            let expires_at = self.0.refresh_expiry(session, now);
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
        let renewal = self.0.renew(&session_id, client, judge, update).await?;
        Ok(match renewal {
            Renewal::Renewed(identity, mut issued) => {
                issued.refresh_token = Some(next);
                TokenRefresh::Renewed(identity, issued)
            }
            Renewal::Reused => TokenRefresh::Reused,
            Renewal::Ended(_) | Renewal::Refused => TokenRefresh::Invalid,
        })
    }
}

/// How a presented refresh token (its `digest`) stands in `session`.
fn judge(session: &Session, digest: &TokenDigest, grace_open: bool) -> Verdict {
    let state = session
        .refresh
        .as_ref()
        .filter(|_| session.kind == SessionKind::Api);
    match state.map(|s| s.standing(digest)) {
        Some(Standing::Current) => Verdict::Current,
        Some(Standing::Previous) if grace_open => Verdict::WithinGrace,
        Some(Standing::Previous | Standing::Spent) => Verdict::Reused,
        Some(Standing::Unknown) | None => Verdict::Foreign,
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
