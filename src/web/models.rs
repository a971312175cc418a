//! What pages and the API show of sessions and accounts: typed view structs,
//! serialised alike into template contexts and JSON answers, so the two cannot
//! drift apart (SPEC §3 `/account`, §4 `GET /api/v1/sessions`).

use serde::Serialize;

use crate::auth::UserSummary;
use crate::clock::rfc3339;
use crate::domain::signins::Flag;
use crate::domain::{Session, SessionId, SessionKind};

/// One session as listed (SPEC §4 field names; times RFC 3339 in UTC).
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub id: String,
    pub kind: SessionKind,
    pub device: String,
    /// `null` in the API when no address was recorded; pages say "unknown".
    pub ip: Option<String>,
    pub created_at: String,
    pub last_seen_at: String,
    /// Whether it is the session of the request.
    pub current: bool,
    /// How it was authenticated (SPEC §10): `pwd`, then `otp` or `rcode`.
    pub amr: Vec<String>,
    /// 1 (password) or 2 (with a second factor).
    pub aal: u8,
}

impl SessionView {
    /// `sessions` as listed, `current` marking the session of the request.
    pub fn list(sessions: &[Session], current: Option<&SessionId>) -> Vec<SessionView> {
        sessions
            .iter()
            .map(|s| SessionView {
                id: s.id.to_string(),
                kind: s.kind,
                device: s.device.clone(),
                ip: s.ip.map(|ip| ip.to_string()),
                created_at: rfc3339(s.created_at),
                last_seen_at: rfc3339(s.last_seen_at),
                current: Some(&s.id) == current,
                amr: s.methods().split('+').map(str::to_owned).collect(),
                aal: s.aal(),
            })
            .collect()
    }

    /// `sessions` as a page lists them: an unrecorded address reads "unknown".
    pub fn page_list(sessions: &[Session], current: Option<&SessionId>) -> Vec<SessionView> {
        let mut rows = SessionView::list(sessions, current);
        for row in &mut rows {
            row.ip.get_or_insert_with(|| "unknown".to_owned());
        }
        rows
    }
}

/// One account on the admin pages.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub groups: Vec<String>,
    pub enabled: bool,
    /// How many sessions are open.
    pub sessions: usize,
    pub last_seen_at: Option<String>,
}

impl From<&UserSummary> for UserRow {
    fn from(row: &UserSummary) -> UserRow {
        UserRow {
            id: row.user.id.to_string(),
            email: row.user.email.clone(),
            groups: row.user.groups.clone(),
            enabled: !row.user.disabled,
            sessions: row.sessions.len(),
            last_seen_at: row.last_seen().map(rfc3339),
        }
    }
}

/// One personal access token as listed (SPEC §11; times RFC 3339 in UTC).
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    /// The id of its session (what `DELETE /api/v1/tokens/<id>` takes).
    pub id: String,
    pub name: String,
    /// `api` and/or forward-auth host names.
    pub scope: Vec<String>,
    pub created_at: String,
    /// `null` until it is first used.
    pub last_used_at: Option<String>,
    pub expires_at: String,
}

impl From<&crate::auth::TokenRow> for TokenView {
    fn from(row: &crate::auth::TokenRow) -> TokenView {
        let grant = &row.grant;
        TokenView {
            id: grant.session.to_string(),
            name: grant.name.clone(),
            scope: grant.scope.words(),
            created_at: rfc3339(grant.created_at),
            last_used_at: row.last_used_at.map(rfc3339),
            expires_at: rfc3339(grant.expires_at),
        }
    }
}

/// One new sign-in (SPEC §11), as the account and admin user pages show it and
/// `GET /api/v1/new-sign-ins` lists it.
#[derive(Debug, Serialize)]
pub struct NewSignInView {
    /// The session it opened.
    pub id: String,
    /// `Firefox on Linux from 203.0.113.0/24`.
    pub what: String,
    /// `Firefox on Linux`.
    pub device: String,
    /// `203.0.113.0/24`; `None` when the address was unknown.
    pub network: Option<String>,
    /// When, RFC 3339 (the page says "5 minutes ago").
    pub at: String,
}

impl NewSignInView {
    /// The views of `flags`, in their order.
    pub fn list(flags: &[Flag]) -> Vec<NewSignInView> {
        let view = |f: &Flag| NewSignInView {
            id: f.session.to_string(),
            what: f.place.describe(),
            device: f.place.device.clone(),
            network: f.place.network.map(|n| n.to_string()),
            at: rfc3339(f.at),
        };
        flags.iter().map(view).collect()
    }
}
