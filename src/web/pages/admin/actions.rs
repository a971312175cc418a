//! The actions on one user (SPEC §3 admin rows): each needs an administrator who
//! confirmed their password recently and a CSRF token, and answers `303` back to
//! the user's page with a notice saying what was done, or that page with the
//! refusal. Each builds an [`AdminOp`] and runs it; an administrator whose
//! confirmation is stale reaches [`carry`](super::carry) instead.

use rocket::http::CookieJar;
use rocket::{State, post};

use super::ops::AdminOp;
use super::{UserPage, parse_user};
use crate::auth::Auth;
use crate::domain::user::parse_groups;
use crate::domain::{SessionId, UserId};
use crate::web::admin::AdminAction;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::{Error, Result};
use crate::web::forms::{Answer, GroupsForm, NoFields, answer};
use crate::web::views::Views;

/// Runs `op` (built from the form, or refused while building it) and answers: back
/// to the user's page, or that page with the refusal.
async fn perform(
    op: Result<AdminOp>,
    id: &UserId,
    csrf: &Csrf,
    action: &AdminAction,
    cookies: &CookieJar<'_>,
    auth: &Auth,
    views: &Views,
) -> Answer {
    let outcome = match op {
        Ok(op) => op.run(auth, &action.client, cookies).await,
        Err(e) => Err(e),
    };
    answer(views, outcome, || UserPage::load(auth, csrf, id))
}

/// Disables the account: every token and session of it dies on its next request.
#[post("/admin/users/<id>/disable", data = "<form>")]
pub async fn disable(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let user = parse_user(id)?;
    let op = Ok(AdminOp::Disable { user });
    perform(op, &user, &form.csrf, &action, cookies, auth, views).await
}

/// Re-enables the account.
#[post("/admin/users/<id>/enable", data = "<form>")]
pub async fn enable(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let user = parse_user(id)?;
    let op = Ok(AdminOp::Enable { user });
    perform(op, &user, &form.csrf, &action, cookies, auth, views).await
}

/// Ends every session of the user and kills every token they hold.
#[post("/admin/users/<id>/logout-everywhere", data = "<form>")]
pub async fn logout_everywhere(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let user = parse_user(id)?;
    let op = Ok(AdminOp::LogoutEverywhere { user });
    perform(op, &user, &form.csrf, &action, cookies, auth, views).await
}

/// Ends one session of the user; a session of anyone else is a 404.
#[post("/admin/users/<id>/sessions/<sid>/revoke", data = "<form>")]
pub async fn revoke_session(
    id: Result<UserId, &str>,
    sid: Result<SessionId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let user = parse_user(id)?;
    let session = sid.map_err(|_| Error::NotFound)?;
    let op = Ok(AdminOp::RevokeSession { user, session });
    perform(op, &user, &form.csrf, &action, cookies, auth, views).await
}

/// Replaces the user's groups (a comma-separated list).
#[post("/admin/users/<id>/groups", data = "<form>")]
pub async fn groups(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, GroupsForm>,
    action: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let user = parse_user(id)?;
    let op = parse_groups(form.field("groups"))
        .map(|groups| AdminOp::Groups { user, groups })
        .map_err(Error::from);
    perform(op, &user, &form.csrf, &action, cookies, auth, views).await
}

/// Makes a one-time password reset link, shown once on the user page.
#[post("/admin/users/<id>/reset-link", data = "<form>")]
pub async fn reset_link(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let user = parse_user(id)?;
    let op = Ok(AdminOp::ResetLink { user });
    perform(op, &user, &form.csrf, &action, cookies, auth, views).await
}

/// Removes every second factor of the user (SPEC §10): every session of theirs ends.
#[post("/admin/users/<id>/reset-factors", data = "<form>")]
pub async fn reset_factors(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let user = parse_user(id)?;
    let op = Ok(AdminOp::ResetFactors { user });
    perform(op, &user, &form.csrf, &action, cookies, auth, views).await
}
