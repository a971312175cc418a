//! `GET/POST /login/second-factor` (SPEC §10): after a correct password, a user
//! with a second factor holds only a pending login (a private cookie with its
//! token, 5 minutes) and is asked for a code here. The session, with a new id,
//! exists only once the code passes.

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{Either, FromForm, State, get, post};
use serde::Serialize;

use crate::auth::Auth;
use crate::config::Config;
use crate::domain::SessionKind;
use crate::web::client::ClientInfo;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::forms::{Answer, FormPage, answer};
use crate::web::notice::{self, Notice, NoticeView};
use crate::web::redirect::target_or_fallback;
use crate::web::session::{MaybeUser, sign_in};
use crate::web::views::{Page, Views};

/// The pending-login cookie.
pub const PENDING_COOKIE: &str = "portcullis_pending";

/// `POST /login/second-factor`.
#[derive(Debug, FromForm)]
pub struct SecondFactorForm {
    pub code: String,
    pub rd: Option<String>,
}

/// `second_factor.html`'s context.
#[derive(Serialize)]
struct SecondFactorPage<'a> {
    csrf_token: &'a str,
    rd: Option<&'a str>,
    notice: Option<NoticeView>,
}

impl FormPage for SecondFactorPage<'_> {
    const TEMPLATE: &'static str = "second_factor.html";
}

fn pending_cookie(config: &Config, token: String) -> Cookie<'static> {
    Cookie::build((PENDING_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.cookie_secure())
        .build()
}

/// Gives the browser its pending login (the password step passed).
pub fn hold_pending(cookies: &CookieJar<'_>, config: &Config, token: String) {
    cookies.add_private(pending_cookie(config, token));
}

fn pending_of(cookies: &CookieJar<'_>) -> Option<String> {
    cookies
        .get_private(PENDING_COOKIE)
        .map(|c| c.value().to_owned())
}

/// Where the password step sends a user with a second factor.
pub fn to_second_factor(config: &Config, rd: Option<&str>) -> Redirect {
    let mut path = String::from("/login/second-factor");
    if let Some(rd) = rd.filter(|rd| !rd.is_empty()) {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("rd", rd)
            .finish();
        path = format!("{path}?{query}");
    }
    Redirect::to(config.at(&path))
}

/// Asks for the code; without a live pending login, back to the login page.
#[get("/login/second-factor?<rd>")]
pub fn show(
    user: MaybeUser,
    notice: Notice,
    csrf: Csrf,
    rd: Option<&str>,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Either<Redirect, Page> {
    let live =
        pending_of(cookies).is_some_and(|t| auth.factors().is_pending(&t, SessionKind::Browser));
    if !live {
        if user.0.is_some() {
            return Either::Left(Redirect::to(target_or_fallback(rd, auth.config())));
        }
        let said = "Your sign-in took too long or was already used. Sign in again.";
        notice::not_done(cookies, auth.config(), said);
        return Either::Left(super::login::to_login(auth.config()));
    }
    let page = SecondFactorPage {
        csrf_token: csrf.token(),
        rd,
        notice: notice.0,
    };
    Either::Right(page.show(views))
}

/// Checks the code against the pending login and opens the session.
#[post("/login/second-factor", data = "<form>")]
pub async fn submit(
    form: CsrfForm<'_, SecondFactorForm>,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let (step, csrf) = (form.value(), &form.csrf);
    let outcome = async move {
        let step = step?;
        let token = pending_of(cookies).unwrap_or_default();
        let kind = SessionKind::Browser;
        let (_, issued) = auth
            .factors()
            .complete(&token, &step.code, kind, &client.0)
            .await?;
        cookies.remove_private(pending_cookie(auth.config(), String::new()));
        sign_in(cookies, auth, csrf, &issued);
        Ok(Redirect::to(target_or_fallback(
            step.rd.as_deref(),
            auth.config(),
        )))
    }
    .await;
    let page = || {
        Ok(SecondFactorPage {
            csrf_token: form.csrf.token(),
            rd: Some(form.field("rd")).filter(|rd| !rd.is_empty()),
            notice: None,
        })
    };
    answer(views, outcome, page)
}
