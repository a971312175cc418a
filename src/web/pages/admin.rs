//! The admin panel (SPEC §3 admin rows): users, one user's sessions and the actions
//! on them, invites, and the audit log. Every page needs [`AdminUser`]; every action
//! also needs a fresh password confirmation ([`AdminAction`]) and a CSRF token, and
//! answers `303` back to the page it was taken on.

use std::collections::HashMap;

use rocket::form::{Contextual, Form};
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::response::Redirect;
use rocket::serde::json::{Value, json};
use rocket::{Either, State, get, post};

use super::super::admin::{AdminAction, AdminUser};
use super::super::csrf::Csrf;
use super::super::forms::{CsrfOnly, GroupsForm, InviteForm};
use super::super::views::{Page, Views};
use super::session_rows;
use crate::auth::{AdminError, Auth, LinkError, UserSummary};
use crate::clock::rfc3339;
use crate::domain::user::parse_groups;
use crate::domain::{SessionId, UserId};
use crate::web::error::{Error, Result};

/// Audit events per page.
const AUDIT_PAGE: usize = 50;

/// Private cookie carrying a freshly made reset URL to the page the admin lands on.
const FLASH_COOKIE: &str = "portcullis_admin_link";

fn link_url(auth: &Auth, path: &str) -> String {
    let base = auth.config().public_url.as_str().trim_end_matches('/');
    format!("{base}{path}")
}

fn user_row(row: &UserSummary) -> Value {
    json!({
        "id": row.user.id.to_string(),
        "email": row.user.email,
        "groups": row.user.groups,
        "enabled": !row.user.disabled,
        "sessions": row.sessions.len(),
        "last_seen_at": row.last_seen().map(rfc3339),
    })
}

/// The user list, with the invite form.
#[get("/admin")]
pub fn users(
    admin: AdminUser,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let rows: Vec<Value> = auth.accounts().summaries()?.iter().map(user_row).collect();
    Ok(views.render(
        Status::Ok,
        "admin.html",
        json!({
            "csrf_token": csrf.token(),
            "me": admin.0.0.user.email,
            "users": rows,
            "invites_allowed": auth.config().registration != crate::config::Registration::Closed,
        }),
    ))
}

fn parse_user(id: Result<UserId, &str>) -> Result<UserId> {
    id.map_err(|_| Error::NotFound)
}

fn user_page(
    auth: &Auth,
    views: &Views,
    status: Status,
    csrf: &Csrf,
    id: &UserId,
    notice: Option<(&str, &str)>,
) -> Result<Page> {
    let row = auth.accounts().summary(id)?.ok_or(Error::NotFound)?;
    let (error, reset_url) = match notice {
        Some(("error", text)) => (Some(text), None),
        Some((_, url)) => (None, Some(url)),
        None => (None, None),
    };
    Ok(views.render(
        status,
        "admin_user.html",
        json!({
            "csrf_token": csrf.token(),
            "user": user_row(&row),
            "created_at": rfc3339(row.user.created_at),
            "sessions": session_rows(&row.sessions, None),
            "error": error,
            "reset_url": reset_url,
        }),
    ))
}

/// One user and their sessions.
#[get("/admin/users/<id>")]
pub fn user(
    id: Result<UserId, &str>,
    _admin: AdminUser,
    csrf: Csrf,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let id = parse_user(id)?;
    let flash = cookies
        .get_private(FLASH_COOKIE)
        .map(|c| c.value().to_owned());
    if flash.is_some() {
        cookies.remove_private(Cookie::build(FLASH_COOKIE).path(auth.config().at("/admin")));
    }
    // The flash is only shown on the page of the user it was made for.
    let flash = flash.and_then(|v| {
        let (user, url) = v.split_once(' ')?;
        (user == id.to_string()).then(|| url.to_owned())
    });
    let notice = flash.as_deref().map(|url| ("reset", url));
    user_page(auth, views, Status::Ok, &csrf, &id, notice)
}

fn back_to(auth: &Auth, id: &UserId) -> Redirect {
    Redirect::to(auth.config().at(&format!("/admin/users/{id}")))
}

/// An admin action's refusal, shown on the user page.
fn refused(
    auth: &Auth,
    views: &Views,
    csrf: &Csrf,
    id: &UserId,
    error: AdminError,
) -> Result<Either<Redirect, Page>> {
    match error {
        AdminError::NotFound => Err(Error::NotFound),
        AdminError::Internal(e) => Err(e.into()),
        AdminError::LastAdmin => {
            let message = AdminError::LastAdmin.to_string();
            let page = user_page(
                auth,
                views,
                Status::Conflict,
                csrf,
                id,
                Some(("error", &message)),
            )?;
            Ok(Either::Right(page))
        }
    }
}

/// The checks every action shares: CSRF, then a valid user id.
fn action_target(
    csrf: &Csrf,
    form: &Form<Contextual<'_, CsrfOnly>>,
    id: Result<UserId, &str>,
) -> Result<UserId> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    parse_user(id)
}

/// Disables or re-enables the account, back to its page (or the refusal shown there).
async fn set_disabled(
    disabled: bool,
    id: Result<UserId, &str>,
    form: Form<Contextual<'_, CsrfOnly>>,
    action: AdminAction,
    csrf: Csrf,
    auth: &Auth,
    views: &Views,
) -> Result<Either<Redirect, Page>> {
    let id = action_target(&csrf, &form, id)?;
    match auth
        .accounts()
        .set_disabled(&id, disabled, &action.client)
        .await
    {
        Ok(()) => Ok(Either::Left(back_to(auth, &id))),
        Err(e) => refused(auth, views, &csrf, &id, e),
    }
}

/// Disables the account: every token and session of it dies on its next request.
#[post("/admin/users/<id>/disable", data = "<form>")]
pub async fn disable(
    id: Result<UserId, &str>,
    form: Form<Contextual<'_, CsrfOnly>>,
    action: AdminAction,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    set_disabled(true, id, form, action, csrf, auth, views).await
}

/// Re-enables the account.
#[post("/admin/users/<id>/enable", data = "<form>")]
pub async fn enable(
    id: Result<UserId, &str>,
    form: Form<Contextual<'_, CsrfOnly>>,
    action: AdminAction,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    set_disabled(false, id, form, action, csrf, auth, views).await
}

/// Ends every session of the user and kills every token they hold.
#[post("/admin/users/<id>/logout-everywhere", data = "<form>")]
pub async fn logout_everywhere(
    id: Result<UserId, &str>,
    form: Form<Contextual<'_, CsrfOnly>>,
    action: AdminAction,
    csrf: Csrf,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let id = action_target(&csrf, &form, id)?;
    auth.accounts().summary(&id)?.ok_or(Error::NotFound)?;
    let client = action.client;
    auth.sessions().log_out_everywhere(&id, &client).await?;
    Ok(back_to(auth, &id))
}

/// Ends one session of the user; a session of anyone else is a 404.
#[post("/admin/users/<id>/sessions/<sid>/revoke", data = "<form>")]
pub async fn revoke_session(
    id: Result<UserId, &str>,
    sid: Result<SessionId, &str>,
    form: Form<Contextual<'_, CsrfOnly>>,
    action: AdminAction,
    csrf: Csrf,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let id = action_target(&csrf, &form, id)?;
    let sid = sid.map_err(|_| Error::NotFound)?;
    let client = action.client;
    if auth.sessions().revoke_by_admin(&id, &sid, &client).await? {
        Ok(back_to(auth, &id))
    } else {
        Err(Error::NotFound)
    }
}

/// Replaces the user's groups (a comma-separated list).
#[post("/admin/users/<id>/groups", data = "<form>")]
pub async fn groups(
    id: Result<UserId, &str>,
    form: Form<Contextual<'_, GroupsForm>>,
    action: AdminAction,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let id = parse_user(id)?;
    let raw = form.context.field_value("groups").unwrap_or_default();
    let groups = match parse_groups(raw) {
        Ok(groups) => groups,
        Err(e) => {
            let message = e.to_string();
            let page = user_page(
                auth,
                views,
                Status::UnprocessableEntity,
                &csrf,
                &id,
                Some(("error", &message)),
            )?;
            return Ok(Either::Right(page));
        }
    };
    let client = action.client;
    match auth.accounts().set_groups(&id, groups, &client).await {
        Ok(()) => Ok(Either::Left(back_to(auth, &id))),
        Err(e) => refused(auth, views, &csrf, &id, e),
    }
}

/// Makes a one-time password reset link, shown once on the user page.
#[post("/admin/users/<id>/reset-link", data = "<form>")]
pub async fn reset_link(
    id: Result<UserId, &str>,
    form: Form<Contextual<'_, CsrfOnly>>,
    action: AdminAction,
    csrf: Csrf,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let id = action_target(&csrf, &form, id)?;
    auth.accounts().summary(&id)?.ok_or(Error::NotFound)?;
    let client = action.client;
    let token = auth.links().create_reset(id, &client).await?;
    let url = link_url(auth, &format!("/reset/{token}"));
    let flash = Cookie::build((FLASH_COOKIE, format!("{id} {url}")))
        .path(auth.config().at("/admin"))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(auth.config().cookie_secure())
        .max_age(rocket::time::Duration::minutes(5));
    cookies.add_private(flash);
    Ok(back_to(auth, &id))
}

/// Makes a one-time invite link (optionally into groups) and shows it.
#[post("/admin/invites", data = "<form>")]
pub async fn invite(
    form: Form<Contextual<'_, InviteForm>>,
    action: AdminAction,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let raw = form.context.field_value("groups").unwrap_or_default();
    let client = action.client;
    let outcome = match parse_groups(raw) {
        Ok(groups) => auth
            .links()
            .create_invite(groups.clone(), &client)
            .await
            .map(|t| (t, groups)),
        Err(e) => {
            return Ok(invite_page(
                views,
                Status::UnprocessableEntity,
                &csrf,
                None,
                Some(&e.to_string()),
            ));
        }
    };
    match outcome {
        Ok((token, groups)) => {
            let url = link_url(auth, &format!("/invite/{token}"));
            let expires = rfc3339(auth.now() + crate::domain::onetime::INVITE_TTL);
            let shown = json!({ "url": url, "groups": groups, "expires_at": expires });
            Ok(invite_page(views, Status::Ok, &csrf, Some(shown), None))
        }
        Err(LinkError::Internal(e)) => Err(e.into()),
        Err(e) => Ok(invite_page(
            views,
            Status::Forbidden,
            &csrf,
            None,
            Some(&e.to_string()),
        )),
    }
}

fn invite_page(
    views: &Views,
    status: Status,
    csrf: &Csrf,
    invite: Option<Value>,
    error: Option<&str>,
) -> Page {
    views.render(
        status,
        "admin_invite.html",
        json!({ "csrf_token": csrf.token(), "invite": invite, "error": error }),
    )
}

/// The audit log, newest first, `AUDIT_PAGE` events a page, optionally one user's.
#[get("/admin/audit?<page>&<user>")]
pub fn audit(
    page: Option<usize>,
    user: Option<&str>,
    _admin: AdminUser,
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
    let mut emails: HashMap<UserId, String> = HashMap::new();
    let mut email_of = |id: &Option<UserId>| -> Option<String> {
        let id = id.as_ref()?;
        if let Some(known) = emails.get(id) {
            return Some(known.clone());
        }
        let email = match auth.store().user(id) {
            Ok(Some(u)) => u.email,
            _ => id.to_string(),
        };
        emails.insert(*id, email.clone());
        Some(email)
    };
    let rows: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({
                "at": rfc3339(e.at),
                "kind": e.kind,
                "user_id": e.user.map(|u| u.to_string()),
                "user": email_of(&e.user),
                "actor": email_of(&e.actor),
                "ip": e.ip.map(|ip| ip.to_string()),
                "user_agent": e.user_agent,
            })
        })
        .collect();
    let filter_id = filter.map(|u| u.to_string());
    Ok(views.render(
        Status::Ok,
        "admin_audit.html",
        json!({
            "events": rows,
            "page": page,
            "prev": (page > 1).then(|| page - 1),
            "next": has_next.then(|| page + 1),
            "user": filter_id,
            "user_email": email_of(&filter),
        }),
    ))
}
