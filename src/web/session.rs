//! The session cookie and the browser guards built on it.
//!
//! A valid cookie is checked in memory on every use: cheaper than Rocket's
//! request-local cache (measured, docs/BENCHMARKS.md), and a check writes nothing,
//! so repeating it for a second guard is harmless. What does write — replacing an
//! expired token (sliding session, SPEC §2) or dropping a dead one — happens once per
//! request and its outcome is cached, so guards built on [`AuthUser`] (admin, fresh
//! re-authentication) never refresh twice. A missing, garbage or tampered cookie
//! means "anonymous" (and a bad one is dropped).

mod twins;

use cookie::Expiration;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Ignite, Rocket, Sentinel};
use time::OffsetDateTime;

use super::client::client_of;
use super::csrf::Csrf;
use super::notice;
use crate::auth::{Auth, Check, Identity, Issued, Refreshed};
use crate::clock::secs;
use crate::config::Config;
use crate::token::TokenKind;

/// Name of the session cookie (SPEC §2).
pub fn cookie_name(config: &Config) -> &'static str {
    match (config.cookie_secure(), config.cookie_domain.is_some()) {
        (false, _) => "portcullis",
        (true, false) => "__Host-portcullis",
        (true, true) => "__Secure-portcullis",
    }
}

fn base_cookie(config: &Config, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::build((cookie_name(config), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.cookie_secure())
        .build();
    if let Some(domain) = &config.cookie_domain {
        cookie.set_domain(domain.clone());
    }
    cookie
}

/// Puts a freshly minted token in the session cookie. Without "remember me" the
/// cookie dies with the browser; with it, it lasts to the session's absolute end.
pub fn set_session_cookie(cookies: &CookieJar<'_>, config: &Config, issued: &Issued, now: i64) {
    let mut cookie = base_cookie(config, issued.token.clone());
    let session = &issued.session;
    if session.remember {
        let end = session
            .expires_at
            .unwrap_or(now + secs(config.remember_idle_timeout));
        let max_age = time::Duration::seconds((end - now).max(0));
        cookie.set_max_age(max_age);
        cookie.set_expires(OffsetDateTime::now_utc() + max_age);
    } else {
        cookie.set_expires(Expiration::Session);
    }
    cookies.add_private(cookie);
}

/// Clears the session cookie in the browser.
pub fn clear_session_cookie(cookies: &CookieJar<'_>, config: &Config) {
    cookies.remove_private(base_cookie(config, String::new()));
}

/// A session begins in this browser (login, registration, a link): its cookie is
/// set and the CSRF token rotated, so a token planted before is worthless after.
pub fn sign_in(cookies: &CookieJar<'_>, auth: &Auth, csrf: &Csrf, issued: &Issued) {
    set_session_cookie(cookies, auth.config(), issued, auth.now());
    csrf.rotate(cookies, auth.config());
}

/// This browser's session is over (logout, log out everywhere): the cookie is
/// cleared and the CSRF token rotated.
pub fn sign_out(cookies: &CookieJar<'_>, config: &Config, csrf: &Csrf) {
    clear_session_cookie(cookies, config);
    csrf.rotate(cookies, config);
}

/// A logged-in browser user. As a guard it forwards with `401` when the request is
/// anonymous; the HTML catcher turns that into `303 /login?rd=<path>`.
///
/// Checking costs no disk read: the cookie's token is checked against the in-memory
/// state, so a revoked session or a disabled user is refused on the next request.
///
/// # Example
/// ```
/// use portcullis::AuthUser;
///
/// #[rocket::get("/reports")]
/// fn reports(user: AuthUser) -> String {
///     format!("reports for {}", user.0.user.email)
/// }
///
/// let rocket = rocket::build()
///     .attach(portcullis::fairing())
///     .mount("/", rocket::routes![reports]);
/// # let _ = rocket;
/// ```
#[derive(Debug, Clone)]
pub struct AuthUser(pub Identity);

/// The browser user if logged in, `None` otherwise; never fails.
///
/// # Example
/// ```
/// use portcullis::MaybeUser;
///
/// #[rocket::get("/")]
/// fn home(user: MaybeUser) -> String {
///     match user.0 {
///         Some(user) => format!("hello {}", user.0.user.email),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<AuthUser>);

/// The in-memory check of the request's session cookie (`None` without a cookie or
/// without the fairing); writes nothing.
fn check_cookie(request: &Request<'_>) -> Option<Check> {
    let auth = request.rocket().state::<Auth>()?;
    let cookies = request.cookies();
    let name = cookie_name(auth.config());
    let presented = cookies.get(name)?;
    if let Some(best) = twins::best_of_twins(request, auth, name) {
        return Some(best);
    }
    Some(
        auth.sessions()
            .check_presented(presented.value(), TokenKind::Browser, || {
                cookies.get_private(name).map(|c| c.value().to_owned())
            }),
    )
}

/// Acts on a cookie that did not check out as valid: refreshes an expired token of a
/// live session, drops a dead cookie.
async fn settle(request: &Request<'_>, check: Option<Check>) -> Option<AuthUser> {
    let auth = request.rocket().state::<Auth>()?;
    let config = auth.config();
    let cookies = request.cookies();
    let claims = match check? {
        Check::Valid(identity) => return Some(AuthUser(identity)),
        Check::Expired(claims) => claims,
        Check::Ended(reason) => {
            clear_session_cookie(cookies, config);
            notice::ended_here(request, &reason);
            return None;
        }
        Check::Rejected => {
            clear_session_cookie(cookies, config);
            return None;
        }
    };
    let client = client_of(request, config);
    match auth.sessions().refresh(&claims, &client).await {
        Ok(Refreshed::Renewed(identity, issued)) => {
            set_session_cookie(cookies, config, &issued, auth.now());
            Some(AuthUser(identity))
        }
        Ok(Refreshed::Ended(reason)) => {
            clear_session_cookie(cookies, config);
            notice::ended_here(request, &reason);
            None
        }
        Err(e) => {
            // Fail closed: an unreadable store means nobody is let in.
            rocket::error!("session refresh failed: {e}");
            None
        }
    }
}

/// Clears a session cookie that is dead or forged (a valid one, or one renewed in
/// this request, is left alone: a host route may answer 401 for its own reasons).
/// Rocket discards cookie changes when a request ends in a catcher, so the 401
/// catcher calls this to make sure a dead cookie does not linger in the browser,
/// and that the login page still learns why the session ended.
pub fn forget_dead_cookie(request: &Request<'_>) {
    let Some(auth) = request.rocket().state::<Auth>() else {
        return;
    };
    notice::resend_ended(request);
    let refreshed: &Option<AuthUser> = request.local_cache(|| None);
    if refreshed.is_none()
        && let Some(check) = check_cookie(request)
        && !matches!(check, Check::Valid(_))
    {
        clear_session_cookie(request.cookies(), auth.config());
    }
}

/// The browser user of a request already handled (for the error page's
/// navigation): a valid cookie, or the outcome its guard reached. Writes nothing.
pub fn signed_in(request: &Request<'_>) -> Option<AuthUser> {
    if let Some(Check::Valid(identity)) = check_cookie(request) {
        return Some(AuthUser(identity));
    }
    let settled: &Option<AuthUser> = request.local_cache(|| None);
    settled.clone()
}

/// The request's browser user. A valid cookie costs one in-memory check; anything
/// else goes through [`settle`] once per request, its outcome cached.
async fn authenticated(request: &Request<'_>) -> Option<AuthUser> {
    let check = check_cookie(request).map(|check| super::activity::owed(request, check));
    let user = match check {
        Some(Check::Valid(identity)) => Some(AuthUser(identity)),
        check => request
            .local_cache_async(async { settle(request, check).await })
            .await
            .clone(),
    };
    if let Some(AuthUser(identity)) = &user {
        crate::ops::request_log::note_user(request, identity.user.id);
    }
    user
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AuthUser {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match authenticated(request).await {
            Some(user) => match request.rocket().state::<Auth>() {
                Some(auth) if super::enrol::stopped(request, auth, &user.0) => {
                    Outcome::Forward(super::fresh::STALE)
                }
                _ => Outcome::Success(user),
            },
            None => Outcome::Forward(Status::Unauthorized),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MaybeUser {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(MaybeUser(authenticated(request).await))
    }
}

/// Aborts the launch when a route uses the guard but the fairing is missing.
pub(crate) fn fairing_missing(rocket: &Rocket<Ignite>) -> bool {
    let missing = rocket.state::<Auth>().is_none();
    if missing {
        rocket::error!("a route uses Portcullis's guards but the fairing is not attached");
        rocket::info!("attach it with `.attach(portcullis::fairing())`");
    }
    missing
}

impl Sentinel for AuthUser {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        fairing_missing(rocket)
    }
}

impl Sentinel for MaybeUser {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        fairing_missing(rocket)
    }
}
