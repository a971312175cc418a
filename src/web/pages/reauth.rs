//! `GET/POST /reauth`: confirm the password to unlock sensitive actions (SPEC §3).

use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::{State, get, post};
use serde::Serialize;

use crate::auth::Auth;
use crate::web::client::ClientInfo;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::Error;
use crate::web::forms::{Answer, FormPage, ReauthForm, answer};
use crate::web::pages::admin::carry;
use crate::web::redirect::target_or_fallback;
use crate::web::session::{AuthUser, set_session_cookie};
use crate::web::views::{Page, Views};

/// The confirmation form as `reauth.html` sees it.
#[derive(Serialize)]
struct ReauthPage<'a> {
    csrf_token: &'a str,
    rd: Option<&'a str>,
    /// The action that waits for this confirmation, said in words.
    waiting: Option<String>,
    /// The user has a second factor: the form asks for a code too.
    needs_code: bool,
    /// A passkey may confirm instead of the password.
    passkeys: bool,
    /// Passkeys are the user's only factor: the passkey is the only way to confirm.
    passkey_only: bool,
}

impl FormPage for ReauthPage<'_> {
    const TEMPLATE: &'static str = "reauth.html";
}

/// The confirmation form, naming the action that waits for it, if any.
#[get("/reauth?<rd>")]
pub fn show(
    user: AuthUser,
    csrf: Csrf,
    rd: Option<&str>,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Page {
    ReauthPage::new(&user, &csrf, rd, cookies, auth).show(views)
}

impl<'a> ReauthPage<'a> {
    /// The form for `user`, going on to `rd` (empty: none).
    fn new(
        user: &AuthUser,
        csrf: &'a Csrf,
        rd: Option<&'a str>,
        cookies: &CookieJar<'_>,
        auth: &Auth,
    ) -> Self {
        let me = &user.0.user.id;
        ReauthPage {
            csrf_token: csrf.token(),
            rd: rd.filter(|rd| !rd.is_empty()),
            waiting: carry::waiting(cookies, &user.0, csrf, rd, auth),
            needs_code: needs_code(user, auth),
            passkeys: auth.passkeys().offered_for(me),
            passkey_only: auth.passkeys().only_factor(me),
        }
    }
}

/// Whether the user's confirmation asks for a second factor too (fails closed).
fn needs_code(user: &AuthUser, auth: &Auth) -> bool {
    auth.factors().has_any(&user.0.user.id).unwrap_or(true)
}

/// Checks the password (and the code, for a user with a second factor); on
/// success the session is fresh for `reauth_window`.
#[post("/reauth", data = "<form>")]
pub async fn submit(
    form: CsrfForm<'_, ReauthForm>,
    user: AuthUser,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let said = match needs_code(&user, auth) {
        true => "That password or code is not correct.",
        false => "That password is not correct.",
    };
    let wrong = || Error::refused(Status::Unauthorized, said);
    let (confirm, rd) = (form.value().map_err(|_| wrong()), form.field("rd"));
    let csrf = &form.csrf;
    // Said before the action is carried out (and its cookie spent).
    let page = ReauthPage::new(&user, csrf, Some(rd), cookies, auth);
    let outcome = async {
        let confirm = confirm?;
        let code = confirm.code.as_deref();
        let issued = auth
            .factors()
            .reauthenticate(&user.0, &confirm.password, code, &client.0)
            .await?;
        let issued = issued.ok_or_else(wrong)?;
        set_session_cookie(cookies, auth.config(), &issued, auth.now());
        // An admin action that sent the user here is carried out now (SPEC §9).
        if let Some(done) = carry::after_reauth(&user.0, csrf, rd, &client.0, cookies, auth).await {
            return done.map(Redirect::to);
        }
        Ok(Redirect::to(target_or_fallback(Some(rd), auth.config())))
    }
    .await;
    answer(views, outcome, || Ok(page))
}
