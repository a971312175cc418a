//! `GET/POST /login` and `POST /logout` (SPEC §3).

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::json;
use rocket::{Either, State, get, post};

use super::super::csrf::Csrf;
use super::super::forms::{CsrfOnly, LoginForm};
use super::super::redirect::target_or_fallback;
use super::super::session::{MaybeUser, clear_session_cookie, set_session_cookie};
use super::super::views::{Page, Views};
use crate::auth::{Auth, LoginError};
use crate::web::client::ClientInfo;
use crate::web::error::Result;

const INVALID: &str = "Invalid email or password.";

fn login_page(
    views: &Views,
    status: Status,
    csrf: &Csrf,
    email: &str,
    rd: Option<&str>,
    error: Option<&str>,
) -> Page {
    views.render(
        status,
        "login.html",
        json!({ "csrf_token": csrf.token(), "email": email, "rd": rd, "error": error }),
    )
}

/// The login form; a logged-in user goes straight on.
#[get("/login?<rd>")]
pub fn show(
    user: MaybeUser,
    csrf: Csrf,
    rd: Option<&str>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Either<Redirect, Page> {
    if user.0.is_some() {
        return Either::Left(Redirect::to(target_or_fallback(rd, auth.config())));
    }
    Either::Right(login_page(views, Status::Ok, &csrf, "", rd, None))
}

/// Checks the credentials, opens a new session and sends the user to `rd`.
#[post("/login", data = "<form>")]
pub async fn submit(
    form: Form<Contextual<'_, LoginForm>>,
    mut csrf: Csrf,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let rd = form.context.field_value("rd");
    let typed_email = form.context.field_value("email").unwrap_or_default();
    let Some(login) = &form.value else {
        // A malformed email cannot belong to an account: same answer as a wrong
        // password. Only an incomplete form gets its own message.
        let (status, message) = if super::super::forms::has_missing_field(&form.context) {
            (
                Status::UnprocessableEntity,
                "Enter your email and password.",
            )
        } else {
            (Status::Unauthorized, INVALID)
        };
        return Ok(Either::Right(login_page(
            views,
            status,
            &csrf,
            typed_email,
            rd,
            Some(message),
        )));
    };
    match auth
        .sessions()
        .login(&login.email, &login.password, login.remember, &client.0)
        .await
    {
        Ok((_, issued)) => {
            set_session_cookie(cookies, auth.config(), &issued, auth.now());
            csrf.rotate(cookies, auth.config());
            let target = target_or_fallback(login.rd.as_deref(), auth.config());
            Ok(Either::Left(Redirect::to(target)))
        }
        Err(LoginError::InvalidCredentials) => Ok(Either::Right(login_page(
            views,
            Status::Unauthorized,
            &csrf,
            typed_email,
            rd,
            Some(INVALID),
        ))),
        Err(LoginError::Throttled(wait)) => {
            let message = LoginError::Throttled(wait).to_string();
            let page = login_page(
                views,
                Status::TooManyRequests,
                &csrf,
                typed_email,
                rd,
                Some(&message),
            );
            Ok(Either::Right(page.retry_after(wait)))
        }
        Err(LoginError::Internal(e)) => Err(e.into()),
    }
}

/// Ends this browser's session and clears its cookie.
#[post("/logout", data = "<form>")]
pub async fn logout(
    form: Form<Contextual<'_, CsrfOnly>>,
    user: MaybeUser,
    mut csrf: Csrf,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    if let Some(user) = user.0 {
        auth.sessions().logout(&user.0, &client.0).await?;
    }
    clear_session_cookie(cookies, auth.config());
    csrf.rotate(cookies, auth.config());
    Ok(Redirect::to(auth.config().at("/login")))
}
