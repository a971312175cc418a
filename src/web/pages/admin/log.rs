//! `GET /admin/audit`: the audit log, newest first, a page of events at a time,
//! optionally only one user's (as the user concerned or the actor).

use std::collections::HashMap;

use rocket::http::Status;
use rocket::{State, get};
use serde::Serialize;

use crate::auth::Auth;
use crate::clock::rfc3339;
use crate::domain::UserId;
use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::session::device_label;
use crate::web::admin::AdminUser;
use crate::web::csrf::Csrf;
use crate::web::error::{Error, Result};
use crate::web::views::{Page, Views};

/// Audit events per page.
const AUDIT_PAGE: usize = 50;

/// `admin_audit.html`'s context.
#[derive(Serialize)]
struct AuditPage {
    /// For the sign-out form in the navigation.
    csrf_token: String,
    events: Vec<AuditRow>,
    page: usize,
    prev: Option<usize>,
    next: Option<usize>,
    /// The user the log is filtered on, and their email.
    user: Option<String>,
    user_email: Option<String>,
}

/// One event as listed: what happened in words, who by email, the device parsed
/// from the user agent (SPEC §9).
#[derive(Serialize)]
struct AuditRow {
    at: String,
    kind: AuditKind,
    event: &'static str,
    user_id: Option<String>,
    user: Option<String>,
    actor: Option<String>,
    ip: Option<String>,
    device: Option<String>,
    /// How many times it happened (throttled refusals share one record per window).
    times: u32,
}

/// An event's name as the log shows it. Invite and reset links are told apart by
/// whom they are for: a reset link names its user, an invite nobody yet.
fn event_name(event: &AuditEvent) -> &'static str {
    match event.kind {
        AuditKind::Registered => "Account created",
        AuditKind::LoginSucceeded => "Signed in",
        AuditKind::LoginFailed => "Sign-in failed",
        AuditKind::LoggedOut => "Signed out",
        AuditKind::SessionRevoked => "Session revoked",
        AuditKind::OtherSessionsRevoked => "Other devices signed out",
        AuditKind::LoggedOutEverywhere => "Signed out everywhere",
        AuditKind::PasswordChanged => "Password changed",
        AuditKind::Reauthenticated => "Password confirmed",
        AuditKind::ReauthFailed => "Password confirmation failed",
        AuditKind::CredentialReuse => "Copied credential detected; session ended",
        AuditKind::Throttled => "Attempt throttled",
        AuditKind::UserDisabled => "Account disabled",
        AuditKind::UserEnabled => "Account enabled",
        AuditKind::GroupsChanged => "Groups changed",
        AuditKind::LinkCreated if event.user.is_some() => "Password reset link made",
        AuditKind::LinkCreated => "Invite link made",
        AuditKind::AccessTokenCreated => "Access token made",
        AuditKind::TotpEnabled => "Authenticator app added",
        AuditKind::TotpRemoved => "Authenticator app removed",
        AuditKind::RecoveryCodesCreated => "New recovery codes made",
        AuditKind::RecoveryCodeUsed => "Recovery code used",
        AuditKind::SecondFactorFailed => "Second-factor code wrong",
        AuditKind::FactorsReset => "Second factors reset",
        AuditKind::SecondFactorConfirmed => "Second factor confirmed",
        AuditKind::NewSignInFlagged => "New sign-in flagged",
        AuditKind::NewSignInDisowned => "New sign-in disowned",
        AuditKind::NewSignInDismissed => "New sign-in notice dismissed",
        AuditKind::PasskeyAdded => "Passkey added",
        AuditKind::PasskeyRemoved => "Passkey removed",
        AuditKind::PasskeyFailed => "Passkey refused",
    }
}

/// Emails of the users named in a page of events, each looked up once; a user
/// that no longer exists is shown by id.
struct Emails<'a> {
    auth: &'a Auth,
    known: HashMap<UserId, String>,
}

impl Emails<'_> {
    fn of(&mut self, id: Option<&UserId>) -> Option<String> {
        let id = id?;
        let auth = self.auth;
        let email = self
            .known
            .entry(*id)
            .or_insert_with(|| match auth.store().user(id) {
                Ok(Some(user)) => user.email,
                _ => id.to_string(),
            });
        Some(email.clone())
    }

    fn row(&mut self, event: &AuditEvent) -> AuditRow {
        AuditRow {
            at: rfc3339(event.at),
            kind: event.kind,
            event: event_name(event),
            user_id: event.user.map(|u| u.to_string()),
            user: self.of(event.user.as_ref()),
            actor: self.of(event.actor.as_ref()),
            ip: event.ip.map(|ip| ip.to_string()),
            device: event
                .user_agent
                .as_deref()
                .map(|agent| device_label(Some(agent))),
            times: event.repeated.saturating_add(1),
        }
    }
}

/// The audit log, newest first, `AUDIT_PAGE` events a page, optionally one user's.
#[get("/admin/audit?<page>&<user>")]
pub fn audit(
    page: Option<usize>,
    user: Option<&str>,
    _admin: AdminUser,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let page = page.unwrap_or(1).max(1);
    let filter = match user.filter(|u| !u.is_empty()) {
        Some(raw) => Some(UserId::parse(raw).ok_or(Error::NotFound)?),
        None => None,
    };
    let skip = (page - 1).saturating_mul(AUDIT_PAGE);
    // One extra event tells whether there is a next page.
    let mut events = auth
        .store()
        .audit_events(skip, AUDIT_PAGE + 1, filter.as_ref())?;
    let has_next = events.len() > AUDIT_PAGE;
    events.truncate(AUDIT_PAGE);
    let mut emails = Emails {
        auth,
        known: HashMap::new(),
    };
    let context = AuditPage {
        csrf_token: csrf.token().to_owned(),
        events: events.iter().map(|e| emails.row(e)).collect(),
        page,
        prev: (page > 1).then(|| page - 1),
        next: has_next.then(|| page + 1),
        user: filter.map(|u| u.to_string()),
        user_email: emails.of(filter.as_ref()),
    };
    Ok(views.render(Status::Ok, "admin_audit.html", &context))
}
