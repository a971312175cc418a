//! `GET /account` and the session actions on it (SPEC §3).

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::json;
use rocket::{State, get, post};

use super::super::client::ClientInfo;
use super::super::csrf::Csrf;
use super::super::forms::CsrfOnly;
use super::super::session::{AuthUser, clear_session_cookie};
use super::super::views::{Page, Views};
use crate::auth::Auth;
use crate::domain::SessionId;
use crate::web::error::{Error, Result};

/// The user's email, groups and sessions, with the actions on them.
#[get("/account")]
pub fn show(user: AuthUser, csrf: Csrf, auth: &State<Auth>, views: &State<Views>) -> Result<Page> {
    let me = &user.0;
    let sessions = super::session_rows(&auth.sessions().list(&me.user.id)?, Some(&me.session));
    Ok(views.render(
        Status::Ok,
        "account.html",
        json!({
            "csrf_token": csrf.token(),
            "user": { "email": me.user.email, "groups": me.user.groups },
            "is_admin": me.user.is_admin(),
            "sessions": sessions,
        }),
    ))
}

/// Ends one of the user's own sessions; someone else's id is a 404 and untouched.
#[post("/account/sessions/<id>/revoke", data = "<form>")]
pub async fn revoke(
    id: Result<SessionId, &str>,
    form: Form<Contextual<'_, CsrfOnly>>,
    user: AuthUser,
    csrf: Csrf,
    client: ClientInfo,
    auth: &State<Auth>,
) -> Result<Redirect> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let id = id.map_err(|_| Error::NotFound)?;
    if auth.sessions().revoke(&user.0, &id, &client.0).await? {
        Ok(Redirect::to(auth.config().at("/account")))
    } else {
        Err(Error::NotFound)
    }
}

/// Signs out every other device; this one stays.
#[post("/account/sessions/revoke-others", data = "<form>")]
pub async fn revoke_others(
    form: Form<Contextual<'_, CsrfOnly>>,
    user: AuthUser,
    csrf: Csrf,
    client: ClientInfo,
    auth: &State<Auth>,
) -> Result<Redirect> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let me = &user.0;
    auth.sessions().end_others(me, &client.0).await?;
    Ok(Redirect::to(auth.config().at("/account")))
}

/// Ends every session of the user, this one included, and kills every token they
/// hold by bumping their generation.
#[post("/account/logout-everywhere", data = "<form>")]
pub async fn logout_everywhere(
    form: Form<Contextual<'_, CsrfOnly>>,
    user: AuthUser,
    mut csrf: Csrf,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    auth.sessions()
        .log_out_everywhere(&user.0.user.id, &client.0)
        .await?;
    clear_session_cookie(cookies, auth.config());
    csrf.rotate(cookies, auth.config());
    Ok(Redirect::to(auth.config().at("/login")))
}
