//! The actions on one user (SPEC §3 admin rows): each needs an administrator who
//! confirmed their password recently and a CSRF token, and answers `303` back to
//! the user's page with a notice saying what was done, or that page with the
//! refusal. Each builds an [`AdminOp`] and runs it; an administrator whose
//! confirmation is stale reaches [`carry`](super::carry) instead.

use rocket::http::CookieJar;
use rocket::request::FromParam;
use rocket::{State, post};

use super::UserPage;
use super::ops::AdminOp;
use crate::auth::Auth;
use crate::domain::user::parse_groups;
use crate::domain::{SessionId, UserId};
use crate::web::admin::AdminAction;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::Result;
use crate::web::forms::{Answer, NoFields, answer};
use crate::web::params::found;
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

/// An action on one user named by the last segment of its path,
/// `/admin/users/<id>/<action>`. Any other name does not match [`act`], and the
/// stale-confirmation route behind it answers `404`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    /// `disable`: every token and session of the account dies on its next request.
    Disable,
    /// `enable`: the account works again.
    Enable,
    /// `logout-everywhere`: every session of the user ends, every token they hold dies.
    LogoutEverywhere,
    /// `groups`: the user's groups become the form's comma-separated list.
    Groups,
    /// `reset-link`: a one-time password reset link, shown once on the user page.
    ResetLink,
    /// `reset-factors`: every second factor of the user goes (SPEC §10), and every
    /// session of theirs ends.
    ResetFactors,
}

impl UserAction {
    /// The action on `user`; `groups` is the submitted list, read only by
    /// [`UserAction::Groups`] (a bad list is refused here).
    pub fn op(self, user: UserId, groups: &str) -> Result<AdminOp> {
        Ok(match self {
            UserAction::Disable => AdminOp::Disable { user },
            UserAction::Enable => AdminOp::Enable { user },
            UserAction::LogoutEverywhere => AdminOp::LogoutEverywhere { user },
            UserAction::Groups => AdminOp::Groups {
                user,
                groups: parse_groups(groups)?,
            },
            UserAction::ResetLink => AdminOp::ResetLink { user },
            UserAction::ResetFactors => AdminOp::ResetFactors { user },
        })
    }
}

impl<'a> FromParam<'a> for UserAction {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, &'a str> {
        Ok(match param {
            "disable" => UserAction::Disable,
            "enable" => UserAction::Enable,
            "logout-everywhere" => UserAction::LogoutEverywhere,
            "groups" => UserAction::Groups,
            "reset-link" => UserAction::ResetLink,
            "reset-factors" => UserAction::ResetFactors,
            _ => return Err(param),
        })
    }
}

/// Takes one of the [`UserAction`]s on the user; the groups form's `groups` field
/// is the only field any of them reads.
#[post("/admin/users/<id>/<action>", data = "<form>")]
pub async fn act(
    id: Result<UserId, &str>,
    action: UserAction,
    form: CsrfForm<'_, NoFields>,
    admin: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let user = found(id)?;
    let op = action.op(user, form.field("groups"));
    perform(op, &user, &form.csrf, &admin, cookies, auth, views).await
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
    let (user, op) = revocation(id, sid)?;
    perform(Ok(op), &user, &form.csrf, &action, cookies, auth, views).await
}

/// The revocation of session `sid` of user `id`, and the user; a malformed id of
/// either is a `404`.
pub(super) fn revocation(
    id: Result<UserId, &str>,
    sid: Result<SessionId, &str>,
) -> Result<(UserId, AdminOp)> {
    let user = found(id)?;
    let session = found(sid)?;
    Ok((user, AdminOp::RevokeSession { user, session }))
}
