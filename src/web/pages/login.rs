//! `GET/POST /login` and `POST /logout` (SPEC §3).

use rocket::form::Context;
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::{Either, State, get, post, uri};
use serde::Serialize;

use crate::auth::{Auth, LoginError};
use crate::config::Config;
use crate::web::client::ClientInfo;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::{Error, Result};
use crate::web::forms::{Answer, FormPage, LoginForm, NoFields, answer, has_missing_field};
use crate::web::notice::{self, Notice, NoticeView};
use crate::web::redirect::target_or_fallback;
use crate::web::session::{MaybeUser, sign_in, sign_out};
use crate::web::views::{Page, Views};

use super::second_factor;

/// The login form as `login.html` sees it.
#[derive(Serialize)]
struct LoginPage<'a> {
    csrf_token: &'a str,
    email: &'a str,
    rd: Option<&'a str>,
    notice: Option<NoticeView>,
    /// "Sign in with a passkey" and autofill are offered.
    passkeys: bool,
}

impl FormPage for LoginPage<'_> {
    const TEMPLATE: &'static str = "login.html";
}

/// The login form; a logged-in user goes straight on.
#[get("/login?<rd>")]
pub fn show(
    user: MaybeUser,
    notice: Notice,
    csrf: Csrf,
    rd: Option<&str>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Either<Redirect, Page> {
    if user.0.is_some() {
        return Either::Left(Redirect::to(target_or_fallback(rd, auth.config())));
    }
    let page = LoginPage {
        csrf_token: csrf.token(),
        email: "",
        rd,
        notice: notice.0,
        passkeys: auth.passkeys().available(),
    };
    Either::Right(page.show(views))
}

/// A form that does not parse: a malformed email cannot belong to an account, so
/// it gets the same answer as a wrong password; only an incomplete form gets its
/// own message.
fn unparsed(context: &Context<'_>) -> Error {
    if has_missing_field(context) {
        Error::refused(
            Status::UnprocessableEntity,
            "Enter your email and password.",
        )
    } else {
        Error::refused(Status::Unauthorized, "Invalid email or password.")
    }
}

/// Checks the credentials, opens a new session and sends the user to `rd`.
#[post("/login", data = "<form>")]
pub async fn submit(
    form: CsrfForm<'_, LoginForm>,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let (login, csrf) = (
        form.value().map_err(|_| unparsed(form.context())),
        &form.csrf,
    );
    let outcome = async move {
        let login = login?;
        let sessions = auth.sessions();
        let attempt = sessions.login(&login.email, &login.password, login.remember, &client.0);
        let (_, issued) = match attempt.await {
            Err(LoginError::SecondFactor(token)) => {
                second_factor::hold_pending(cookies, auth.config(), token);
                let rd = login.rd.as_deref();
                return Ok(second_factor::to_second_factor(auth.config(), rd));
            }
            other => other?,
        };
        sign_in(cookies, auth, csrf, &issued);
        let target = target_or_fallback(login.rd.as_deref(), auth.config());
        Ok(Redirect::to(target))
    }
    .await;
    let page = || {
        Ok(LoginPage {
            csrf_token: form.csrf.token(),
            email: form.field("email"),
            rd: Some(form.field("rd")).filter(|rd| !rd.is_empty()),
            notice: None,
            passkeys: auth.passkeys().available(),
        })
    };
    answer(views, outcome, page)
}

/// Ends this browser's session and clears its cookie.
#[post("/logout", data = "<form>")]
pub async fn logout(
    form: CsrfForm<'_, NoFields>,
    user: MaybeUser,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    if let Some(user) = user.0 {
        auth.sessions().logout(&user.0, &client.0).await?;
    }
    sign_out(cookies, auth.config(), &form.csrf);
    notice::done(cookies, auth.config(), "You are signed out.");
    Ok(to_login(auth.config()))
}

/// `303` to the login page.
pub(crate) fn to_login(config: &Config) -> Redirect {
    crate::web::redirect(config, uri!(show(rd = None::<&str>)))
}
