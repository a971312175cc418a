//! Cross-site request forgery defence (SPEC §3, §8): every state-changing form
//! carries a `csrf_token` equal to the value in a private, HttpOnly cookie, and a
//! POST announcing a foreign `Origin` or `Sec-Fetch-Site: cross-site` is refused even
//! with a valid token.
//!
//! [`Csrf`] is the request guard (the cookie, and the origin check on unsafe
//! methods); [`CsrfForm`] is the data guard every HTML form is posted to: the form,
//! parsed with its context, once its `csrf_token` matched. A refusal is `403`, and
//! the error page says why.

use rocket::data::{self, Data, FromData};
use rocket::form::{Context, Contextual, Form, FromForm};
use rocket::http::{Cookie, CookieJar, Method, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use subtle::ConstantTimeEq;
use url::Url;

use crate::auth::Auth;
use crate::config::Config;
use crate::domain::ids::random_token;
use crate::web::error::Error;
use crate::web::forms::first_error;

/// The CSRF token of this browser, checked against the `Origin` on unsafe methods.
pub struct Csrf {
    token: String,
}

impl Csrf {
    /// The token to put in the forms of the page being rendered.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Compares a submitted token in constant time.
    fn matches(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| bool::from(s.as_bytes().ct_eq(self.token.as_bytes())))
    }

    /// Issues a new token, e.g. when the user logs in or out, so a token planted
    /// before login is worthless after. Only the cookie changes: the answer that
    /// follows is a redirect, and the next page renders the new token.
    pub fn rotate(&self, cookies: &CookieJar<'_>, config: &Config) {
        cookies.add_private(cookie(config, random_token(32)));
    }
}

/// The CSRF token the browser already holds, if any (for pages rendered outside a
/// handler: the error page's sign-out form).
pub fn token_of(request: &Request<'_>) -> Option<String> {
    let auth = request.rocket().state::<Auth>()?;
    let cookie = request.cookies().get_private(cookie_name(auth.config()))?;
    Some(cookie.value().to_owned())
}

/// Remembers, for the error page, that this request was refused for CSRF.
struct Refused(bool);

/// Whether this request was refused by the CSRF defence (the 403 page says so).
pub fn was_refused(request: &Request<'_>) -> bool {
    request.local_cache(|| Refused(false)).0
}

/// The refusal of a request by the CSRF defence.
fn refuse(request: &Request<'_>) -> (Status, Error) {
    request.local_cache(|| Refused(true));
    (Status::Forbidden, Error::Csrf)
}

/// A posted form whose `csrf_token` matched this browser's CSRF cookie, in constant
/// time (`403` otherwise). The form is parsed with its context, so a form with bad
/// input can be shown again with what was typed.
pub struct CsrfForm<'r, T> {
    /// This browser's CSRF token: for the page rendered in answer, and to rotate.
    pub csrf: Csrf,
    form: Contextual<'r, T>,
}

impl<'r, T> CsrfForm<'r, T> {
    /// The text submitted for `name` (`""` when absent), to show it again.
    pub fn field(&self, name: &str) -> &'r str {
        self.form.context.field_value(name).unwrap_or_default()
    }

    /// The parsed form, or a `422` refusal naming the first bad field.
    pub fn value(&self) -> Result<&T, Error> {
        self.form.value.as_ref().ok_or_else(|| {
            Error::refused(Status::UnprocessableEntity, first_error(&self.form.context))
        })
    }

    /// The parsing context: which fields were missing or invalid.
    pub fn context(&self) -> &Context<'r> {
        &self.form.context
    }
}

#[rocket::async_trait]
impl<'r, T: FromForm<'r>> FromData<'r> for CsrfForm<'r, T> {
    type Error = Error;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let csrf = match Csrf::from_request(request).await {
            Outcome::Success(csrf) => csrf,
            Outcome::Error(e) => return data::Outcome::Error(e),
            Outcome::Forward(status) => return data::Outcome::Forward((data, status)),
        };
        let form = match Form::<Contextual<'r, T>>::from_data(request, data).await {
            data::Outcome::Success(form) => form.into_inner(),
            data::Outcome::Error((status, _)) => {
                return data::Outcome::Error((status, Error::refused(status, "")));
            }
            data::Outcome::Forward(forward) => return data::Outcome::Forward(forward),
        };
        if !csrf.matches(form.context.field_value("csrf_token")) {
            return data::Outcome::Error(refuse(request));
        }
        data::Outcome::Success(CsrfForm { csrf, form })
    }
}

fn cookie_name(config: &Config) -> &'static str {
    if config.cookie_secure() {
        "__Host-portcullis_csrf"
    } else {
        "portcullis_csrf"
    }
}

fn cookie(config: &Config, token: String) -> Cookie<'static> {
    Cookie::build((cookie_name(config), token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.cookie_secure())
        .expires(cookie::Expiration::Session)
        .build()
}

/// Whether the request's announced origin is this site: no `Origin` at all, or one
/// whose host matches the `Host` header or `public_url`.
///
/// `Origin: null` is what a browser sends when a privacy setting or referrer policy
/// hides the origin, but also what a sandboxed iframe or a `data:` page on any site
/// sends; it passes only when the browser itself vouches for the request with
/// `Sec-Fetch-Site: same-origin`, which no page can forge (SPEC §8).
fn same_origin(request: &Request<'_>, config: &Config) -> bool {
    let headers = request.headers();
    let fetch_site = headers.get_one("Sec-Fetch-Site");
    if fetch_site == Some("cross-site") {
        return false;
    }
    let Some(origin) = headers.get_one("Origin") else {
        return true;
    };
    if origin == "null" {
        return fetch_site == Some("same-origin");
    }
    let Ok(origin) = Url::parse(origin) else {
        return false;
    };
    if origin.origin() == config.public_url.origin() {
        return true;
    }
    let announced = match (origin.host_str(), origin.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return false,
    };
    headers
        .get_one("Host")
        .is_some_and(|host| host.eq_ignore_ascii_case(&announced))
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Csrf {
    type Error = Error;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Error> {
        let Some(auth) = request.rocket().state::<Auth>() else {
            return Outcome::Error((Status::InternalServerError, Error::NotConfigured));
        };
        let config = auth.config();
        let unsafe_method = !matches!(request.method(), Method::Get | Method::Head);
        if unsafe_method && !same_origin(request, config) {
            return Outcome::Error(refuse(request));
        }
        let cookies = request.cookies();
        match cookies.get_private(cookie_name(config)) {
            Some(cookie) => Outcome::Success(Csrf {
                token: cookie.value().to_owned(),
            }),
            None if unsafe_method => Outcome::Error(refuse(request)),
            None => {
                let token = random_token(32);
                cookies.add_private(cookie(config, token.clone()));
                Outcome::Success(Csrf { token })
            }
        }
    }
}
