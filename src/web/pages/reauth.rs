//! `GET/POST /reauth`: confirm the password to unlock sensitive actions (SPEC §3).

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::json;
use rocket::{Either, State, get, post};

use super::super::client::ClientInfo;
use super::super::csrf::Csrf;
use super::super::forms::ReauthForm;
use super::super::redirect::target_or_fallback;
use super::super::session::{AuthUser, set_session_cookie};
use super::super::views::{Page, Views};
use crate::auth::Auth;
use crate::web::error::Result;

fn reauth_page(
    views: &Views,
    status: Status,
    csrf: &Csrf,
    rd: Option<&str>,
    error: Option<&str>,
) -> Page {
    views.render(
        status,
        "reauth.html",
        json!({ "csrf_token": csrf.token(), "rd": rd, "error": error }),
    )
}

/// The confirmation form.
#[get("/reauth?<rd>")]
pub fn show(_user: AuthUser, csrf: Csrf, rd: Option<&str>, views: &State<Views>) -> Page {
    reauth_page(views, Status::Ok, &csrf, rd, None)
}

/// Checks the password; on success the session is fresh for `reauth_window`.
#[post("/reauth", data = "<form>")]
pub async fn submit(
    form: Form<Contextual<'_, ReauthForm>>,
    user: AuthUser,
    csrf: Csrf,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let rd = form.context.field_value("rd");
    let wrong = || {
        Either::Right(reauth_page(
            views,
            Status::Unauthorized,
            &csrf,
            rd,
            Some("That password is not correct."),
        ))
    };
    let Some(confirm) = &form.value else {
        return Ok(wrong());
    };
    match auth
        .accounts()
        .reauthenticate(&user.0, &confirm.password, &client.0)
        .await?
    {
        Some(issued) => {
            set_session_cookie(cookies, auth.config(), &issued, auth.now());
            Ok(Either::Left(Redirect::to(target_or_fallback(
                rd,
                auth.config(),
            ))))
        }
        None => Ok(wrong()),
    }
}
