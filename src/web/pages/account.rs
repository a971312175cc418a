//! `GET /account` and the session actions on it (SPEC §3).

use rocket::form::{Contextual, Form};
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::serde::json::json;
use rocket::{State, get, post};

use super::super::csrf::Csrf;
use super::super::forms::CsrfOnly;
use super::super::session::AuthUser;
use super::super::views::{Page, Views};
use crate::auth::Auth;
use crate::clock::rfc3339;
use crate::domain::SessionId;
use crate::error::{Error, Result};

/// The user's email, groups and sessions, with the actions on them.
#[get("/account")]
pub fn show(user: AuthUser, csrf: Csrf, auth: &State<Auth>, views: &State<Views>) -> Result<Page> {
    let me = &user.0;
    let sessions: Vec<_> = auth
        .sessions_of(&me.user.id)?
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id.to_string(),
                "kind": s.kind,
                "device": s.device,
                "ip": s.ip.map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into()),
                "created_at": rfc3339(s.created_at),
                "last_seen_at": rfc3339(s.last_seen_at),
                "current": s.id == me.session,
            })
        })
        .collect();
    Ok(views.render(
        Status::Ok,
        "account.html",
        json!({
            "csrf_token": csrf.token(),
            "user": { "email": me.user.email, "groups": me.user.groups },
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
    auth: &State<Auth>,
) -> Result<Redirect> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let id = id.map_err(|_| Error::NotFound)?;
    if auth.end_own_session(&user.0.user.id, &id).await? {
        Ok(Redirect::to("/account"))
    } else {
        Err(Error::NotFound)
    }
}
