//! Signing in with a passkey (SPEC §10), the JSON routes of `/static/passkeys.js`:
//! passwordless from `/login` (`/login/passkey/…`, a button and browser autofill),
//! the second step after a password (`/login/second-factor/passkey/…`; for a
//! signed-in `aal` 1 session without a pending login, the step-up, as the code
//! form of that page), and confirming a session again (`/reauth/passkey/…`, which
//! carries out an admin action that waited for it, as the password form does). A
//! new session id after each sign-in; no session before the passkey passed.

use rocket::http::{Cookie, CookieJar};
use rocket::serde::json::Json;
use rocket::{State, post};
use serde::Deserialize;
use serde_json::json;
use webauthn_rs::prelude::PublicKeyCredential;

use super::admin::carry;
use super::passkeys::{Answer, Failure, ScriptCsrf, started};
use super::second_factor::PENDING_COOKIE;
use crate::auth::passkeys::Confirming;
use crate::auth::{Auth, Identity, Issued};
use crate::domain::SessionKind;
use crate::web::client::ClientInfo;
use crate::web::redirect::target_or_fallback;
use crate::web::session::{AuthUser, MaybeUser, set_session_cookie, sign_in};

/// The finish of a sign-in ceremony.
#[derive(Debug, Deserialize)]
pub struct Finish {
    pub ceremony: String,
    pub credential: PublicKeyCredential,
    #[serde(default)]
    pub rd: Option<String>,
}

fn pending_of(cookies: &CookieJar<'_>) -> String {
    cookies
        .get_private(PENDING_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}

/// The browser is signed in: session cookie set, CSRF token rotated, any
/// pending login dropped; the script goes on to `rd`.
fn signed_in(
    cookies: &CookieJar<'_>,
    auth: &Auth,
    csrf: &ScriptCsrf,
    issued: &Issued,
    rd: Option<&str>,
) -> Answer {
    cookies.remove_private(Cookie::build(PENDING_COOKIE).path("/"));
    sign_in(cookies, auth, &csrf.0, issued);
    let next = target_or_fallback(rd, auth.config());
    Ok(Json(json!({ "redirect": next })))
}

/// Starts a passwordless sign-in (discoverable credential, any account).
#[post("/login/passkey/start")]
pub fn passwordless_start(csrf: ScriptCsrf, auth: &State<Auth>) -> Answer {
    Ok(started(auth.passkeys().start_passwordless(csrf.0.token())?))
}

/// Finishes a passwordless sign-in and opens the session.
#[post("/login/passkey/finish", data = "<body>")]
pub async fn passwordless_finish(
    csrf: ScriptCsrf,
    body: Json<Finish>,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Answer {
    let (browser, ceremony) = (csrf.0.token(), &body.ceremony);
    let (_, issued) = auth
        .passkeys()
        .finish_passwordless(browser, ceremony, &body.credential, &client.0)
        .await?;
    signed_in(cookies, auth, &csrf, &issued, body.rd.as_deref())
}

/// The signed-in session a second-step ceremony steps up: there is no live
/// pending login in this browser (which would come first, as on the page).
fn stepping_up<'a>(user: &'a MaybeUser, pending: &str, auth: &Auth) -> Option<&'a Identity> {
    let me = &user.0.as_ref()?.0;
    (!auth.factors().is_pending(pending, SessionKind::Browser)).then_some(me)
}

/// Starts the second step with a passkey: for this browser's pending login, or
/// the step-up of its signed-in session.
#[post("/login/second-factor/passkey/start")]
pub fn second_factor_start(
    _csrf: ScriptCsrf,
    user: MaybeUser,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Answer {
    let pending = pending_of(cookies);
    let ceremony = match stepping_up(&user, &pending, auth) {
        Some(me) => auth.passkeys().start_confirming(me, Confirming::StepUp)?,
        None => auth.passkeys().start_second_factor(&pending)?,
    };
    Ok(started(ceremony))
}

/// Finishes the second step and opens the session; for a step-up, the session
/// goes on at `aal` 2 (same id, new token).
#[post("/login/second-factor/passkey/finish", data = "<body>")]
pub async fn second_factor_finish(
    csrf: ScriptCsrf,
    user: MaybeUser,
    body: Json<Finish>,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Answer {
    let pending = pending_of(cookies);
    let (ceremony, credential) = (&body.ceremony, &body.credential);
    if let Some(me) = stepping_up(&user, &pending, auth) {
        let passkeys = auth.passkeys();
        let issued = passkeys
            .finish_confirming(me, Confirming::StepUp, ceremony, credential, &client.0)
            .await?;
        set_session_cookie(cookies, auth.config(), &issued, auth.now());
        let next = target_or_fallback(body.rd.as_deref(), auth.config());
        return Ok(Json(json!({ "redirect": next })));
    }
    let (_, issued) = auth
        .passkeys()
        .finish_second_factor(&pending, ceremony, credential, &client.0)
        .await?;
    signed_in(cookies, auth, &csrf, &issued, body.rd.as_deref())
}

/// Starts confirming this session with a passkey.
#[post("/reauth/passkey/start")]
pub fn reauth_start(_csrf: ScriptCsrf, user: AuthUser, auth: &State<Auth>) -> Answer {
    let what = Confirming::Reauth;
    Ok(started(auth.passkeys().start_confirming(&user.0, what)?))
}

/// Finishes the confirmation: the session is fresh for `reauth_window`, and an
/// admin action that waited for it is carried out now (SPEC §9), once.
#[post("/reauth/passkey/finish", data = "<body>")]
pub async fn reauth_finish(
    csrf: ScriptCsrf,
    user: AuthUser,
    body: Json<Finish>,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Answer {
    let (ceremony, credential) = (&body.ceremony, &body.credential);
    let passkeys = auth.passkeys();
    let issued = passkeys
        .finish_confirming(&user.0, Confirming::Reauth, ceremony, credential, &client.0)
        .await?;
    set_session_cookie(cookies, auth.config(), &issued, auth.now());
    // `user` is the session as it was before: what the kept action is bound to.
    let rd = body.rd.as_deref().unwrap_or_default();
    let carried = carry::after_reauth(&user.0, &csrf.0, rd, &client.0, cookies, auth).await;
    let next = match carried {
        Some(done) => done.map_err(Failure::Page)?,
        None => target_or_fallback(body.rd.as_deref(), auth.config()),
    };
    Ok(Json(json!({ "redirect": next })))
}
