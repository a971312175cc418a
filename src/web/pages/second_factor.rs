//! `GET/POST /login/second-factor` (SPEC §10): after a correct password, a user
//! with a second factor holds only a pending login (a private cookie with its
//! token, 5 minutes) and is asked for a code here. The session, with a new id,
//! exists only once the code passes.
//!
//! A signed-in session that passed only a password (`aal` 1; say, one opened
//! before its user enrolled) comes here too, sent by a `two_factor` forward-auth
//! rule: the same page proves the factor (a code, or a passkey through the same
//! ceremony routes) and the session goes on at `aal` 2 (step-up, SPEC §10).
//! Without a factor it is sent to enrol.

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{Either, FromForm, State, get, post};
use serde::Serialize;

use crate::auth::{Auth, Identity};
use crate::config::Config;
use crate::domain::SessionKind;
use crate::web::client::ClientInfo;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::forms::{Answer, FormPage, answer};
use crate::web::notice::{self, Notice, NoticeView};
use crate::web::redirect::target_or_fallback;
use crate::web::session::{AuthUser, MaybeUser, set_session_cookie, sign_in};
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
    /// A signed-in session proving its factor (no password step before).
    step_up: bool,
    /// "Use a passkey" is offered.
    passkeys: bool,
    /// Passkeys are the user's only factor: no code form.
    passkey_only: bool,
}

impl<'a> SecondFactorPage<'a> {
    /// The page going on to `rd` (empty: none), for a `step_up` of the signed-in
    /// `me` or this browser's pending login; no notice.
    fn new(
        csrf: &'a Csrf,
        rd: Option<&'a str>,
        step_up: bool,
        cookies: &CookieJar<'_>,
        me: Option<&Identity>,
        auth: &Auth,
    ) -> Self {
        let (passkeys, passkey_only) = passkey_offer(cookies, me, auth);
        SecondFactorPage {
            csrf_token: csrf.token(),
            rd: rd.filter(|rd| !rd.is_empty()),
            notice: None,
            step_up,
            passkeys,
            passkey_only,
        }
    }
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
        if let Some(AuthUser(me)) = &user.0 {
            match step_up_needed(me, auth) {
                None => return Either::Left(Redirect::to(target_or_fallback(rd, auth.config()))),
                Some(false) => {
                    return Either::Left(Redirect::to(auth.config().at("/account/security")));
                }
                Some(true) => {}
            }
        } else {
            let said = "Your sign-in took too long or was already used. Sign in again.";
            notice::not_done(cookies, auth.config(), said);
            return Either::Left(super::login::to_login(auth.config()));
        }
    }
    let me = user.0.as_ref().map(|u| &u.0);
    let page = SecondFactorPage::new(&csrf, rd, !live, cookies, me, auth);
    Either::Right(
        SecondFactorPage {
            notice: notice.0,
            ..page
        }
        .show(views),
    )
}

/// Whether the page offers a passkey, and whether only a passkey: for the user
/// of this browser's pending login, else (a step-up) for the signed-in `me`.
fn passkey_offer(cookies: &CookieJar<'_>, me: Option<&Identity>, auth: &Auth) -> (bool, bool) {
    let passkeys = auth.passkeys();
    let pending = pending_of(cookies).unwrap_or_default();
    if auth.factors().is_pending(&pending, SessionKind::Browser) {
        let offered = passkeys.offered_for_pending(&pending);
        return (offered, passkeys.only_factor_pending(&pending));
    }
    me.map_or((false, false), |me| {
        let user = &me.user.id;
        (passkeys.offered_for(user), passkeys.only_factor(user))
    })
}

/// For a signed-in `me`: `None` when the session already passed a second factor,
/// else whether the user has one to prove (`false`: enrol first).
fn step_up_needed(me: &Identity, auth: &Auth) -> Option<bool> {
    (me.aal < 2).then(|| auth.factors().has_any(&me.user.id).unwrap_or(false))
}

/// Checks the code against the pending login and opens the session; for a
/// signed-in session without a pending login, the step-up.
#[post("/login/second-factor", data = "<form>")]
pub async fn submit(
    form: CsrfForm<'_, SecondFactorForm>,
    user: MaybeUser,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let (step, csrf) = (form.value(), &form.csrf);
    let kind = SessionKind::Browser;
    let token = pending_of(cookies).unwrap_or_default();
    // As `show` tells them apart: a signed-in session without a live pending
    // login is stepping up.
    let step_up = user.0.is_some() && !auth.factors().is_pending(&token, kind);
    let me = user.0.as_ref().map(|u| &u.0);
    let rd = Some(form.field("rd"));
    let page = SecondFactorPage::new(csrf, rd, step_up, cookies, me, auth);
    let outcome = async {
        let step = step?;
        match me {
            Some(me) if step_up => {
                let issued = auth.factors().step_up(me, &step.code, &client.0).await?;
                set_session_cookie(cookies, auth.config(), &issued, auth.now());
            }
            _ => {
                let factors = auth.factors();
                let (_, issued) = factors
                    .complete(&token, &step.code, kind, &client.0)
                    .await?;
                cookies.remove_private(pending_cookie(auth.config(), String::new()));
                sign_in(cookies, auth, csrf, &issued);
            }
        }
        Ok(Redirect::to(target_or_fallback(
            step.rd.as_deref(),
            auth.config(),
        )))
    }
    .await;
    answer(views, outcome, || Ok(page))
}
