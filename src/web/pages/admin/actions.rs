//! The actions on one user (SPEC §3 admin rows): each needs an administrator who
//! confirmed their password recently and a CSRF token, and answers `303` back to
//! the user's page, or that page with the refusal.

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{State, post, uri};

use super::{FLASH_COOKIE, UserPage, link_url, parse_user};
use crate::auth::Auth;
use crate::domain::user::parse_groups;
use crate::domain::{SessionId, UserId};
use crate::web::admin::AdminAction;
use crate::web::csrf::CsrfForm;
use crate::web::error::{Error, Result};
use crate::web::forms::{Answer, GroupsForm, NoFields, answer};
use crate::web::pages::links;
use crate::web::redirect;
use crate::web::views::Views;

fn back_to(auth: &Auth, id: &UserId) -> Redirect {
    redirect(auth.config(), uri!(super::user(id)))
}

/// Disables or re-enables the account, back to its page (or the refusal shown there).
async fn set_disabled(
    disabled: bool,
    id: Result<UserId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    auth: &Auth,
    views: &Views,
) -> Answer {
    let id = parse_user(id)?;
    let accounts = auth.accounts();
    let outcome = match accounts.set_disabled(&id, disabled, &action.client).await {
        Ok(()) => Ok(back_to(auth, &id)),
        Err(e) => Err(e.into()),
    };
    answer(views, outcome, || UserPage::load(auth, &form.csrf, &id))
}

/// Disables the account: every token and session of it dies on its next request.
#[post("/admin/users/<id>/disable", data = "<form>")]
pub async fn disable(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    set_disabled(true, id, form, action, auth, views).await
}

/// Re-enables the account.
#[post("/admin/users/<id>/enable", data = "<form>")]
pub async fn enable(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    set_disabled(false, id, form, action, auth, views).await
}

/// Ends every session of the user and kills every token they hold.
#[post("/admin/users/<id>/logout-everywhere", data = "<_form>")]
pub async fn logout_everywhere(
    id: Result<UserId, &str>,
    _form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let id = parse_user(id)?;
    auth.accounts().summary(&id)?.ok_or(Error::NotFound)?;
    auth.sessions()
        .log_out_everywhere(&id, &action.client)
        .await?;
    Ok(back_to(auth, &id))
}

/// Ends one session of the user; a session of anyone else is a 404.
#[post("/admin/users/<id>/sessions/<sid>/revoke", data = "<_form>")]
pub async fn revoke_session(
    id: Result<UserId, &str>,
    sid: Result<SessionId, &str>,
    _form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let id = parse_user(id)?;
    let sid = sid.map_err(|_| Error::NotFound)?;
    match auth
        .sessions()
        .revoke_by_admin(&id, &sid, &action.client)
        .await?
    {
        true => Ok(back_to(auth, &id)),
        false => Err(Error::NotFound),
    }
}

/// Replaces the user's groups (a comma-separated list).
#[post("/admin/users/<id>/groups", data = "<form>")]
pub async fn groups(
    id: Result<UserId, &str>,
    form: CsrfForm<'_, GroupsForm>,
    action: AdminAction,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let id = parse_user(id)?;
    let raw = form.field("groups");
    let outcome = async {
        let groups = parse_groups(raw)?;
        auth.accounts()
            .set_groups(&id, groups, &action.client)
            .await?;
        Ok(back_to(auth, &id))
    }
    .await;
    answer(views, outcome, || UserPage::load(auth, &form.csrf, &id))
}

/// Makes a one-time password reset link, shown once on the user page.
#[post("/admin/users/<id>/reset-link", data = "<_form>")]
pub async fn reset_link(
    id: Result<UserId, &str>,
    _form: CsrfForm<'_, NoFields>,
    action: AdminAction,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let id = parse_user(id)?;
    auth.accounts().summary(&id)?.ok_or(Error::NotFound)?;
    let token = auth.links().create_reset(id, &action.client).await?;
    let url = link_url(auth, uri!(links::reset_show(token.as_str())));
    let flash = Cookie::build((FLASH_COOKIE, format!("{id} {url}")))
        .path(auth.config().at("/admin"))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(auth.config().cookie_secure())
        .max_age(rocket::time::Duration::minutes(5));
    cookies.add_private(flash);
    Ok(back_to(auth, &id))
}
