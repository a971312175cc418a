//! Cross-site request forgery defence (SPEC §3, §8): every state-changing form
//! carries a `csrf_token` equal to the value in a private, HttpOnly cookie, and a
//! POST announcing a foreign `Origin` or `Sec-Fetch-Site: cross-site` is refused even
//! with a valid token.

use rocket::http::{Cookie, CookieJar, Method, SameSite, Status};
use rocket::request::{FromRequest, Outcome, Request};
use subtle::ConstantTimeEq;
use url::Url;

use crate::auth::Auth;
use crate::config::Config;
use crate::domain::ids::random_token;
use crate::web::error::Error;

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
    pub fn verify(&self, submitted: Option<&str>) -> Result<(), Error> {
        let matches =
            submitted.is_some_and(|s| bool::from(s.as_bytes().ct_eq(self.token.as_bytes())));
        if matches { Ok(()) } else { Err(Error::Csrf) }
    }

    /// Issues a new token, e.g. when the user logs in or out, so a token planted
    /// before login is worthless after.
    pub fn rotate(&mut self, cookies: &CookieJar<'_>, config: &Config) {
        self.token = random_token(32);
        cookies.add_private(cookie(config, self.token.clone()));
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
            return Outcome::Error((Status::Forbidden, Error::Csrf));
        }
        let cookies = request.cookies();
        match cookies.get_private(cookie_name(config)) {
            Some(cookie) => Outcome::Success(Csrf {
                token: cookie.value().to_owned(),
            }),
            None if unsafe_method => Outcome::Error((Status::Forbidden, Error::Csrf)),
            None => {
                let mut csrf = Csrf {
                    token: String::new(),
                };
                csrf.rotate(cookies, config);
                Outcome::Success(csrf)
            }
        }
    }
}
