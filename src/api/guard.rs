//! [`ApiUser`]: the bearer-token guard of the JSON API (SPEC §2, §4).
//!
//! Only `Authorization: Bearer <token>` is read; cookies are never looked at, so the
//! API has no CSRF exposure, and the token must have been minted for the API (its
//! implicit assertion is `portcullis/api`), so a browser token is refused. The check
//! is [`Sessions::check`](crate::auth::Sessions::check): memory only, no disk read. An expired token is refused too
//! (clients use their refresh token; bearer tokens do not slide).

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Ignite, Rocket, Sentinel};

use super::error::ApiError;
use crate::auth::{Auth, Check, Identity, TokenCheck, Wants};
use crate::domain::ended::EndReason;
use crate::token::TokenKind;

/// An API client authenticated by a bearer access token. As a guard it fails with
/// `401` and a [`BearerError`]; under `/api/v1` the JSON catcher answers with the
/// matching error code.
///
/// # Example
/// ```no_run
/// use portcullis::ApiUser;
/// use rocket::get;
///
/// #[get("/whoami")]
/// fn whoami(user: ApiUser) -> String {
///     user.0.user.email.clone()
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     portcullis::rocket(portcullis::figment()).mount("/", rocket::routes![whoami])
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ApiUser(pub Identity);

/// Why a request is not an authenticated API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BearerError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A token that is not a live API token of this server.
    Invalid,
    /// An authentic API token past its `exp`.
    Expired,
    /// A live personal access token without the `api` scope (RFC 6750 §3.1: `403`).
    InsufficientScope,
    /// An authentic API token whose session ended (or whose generation was
    /// retired), and why (SPEC §9).
    Ended(EndReason),
    /// A valid token of a user who must enrol a second factor and has none
    /// (SPEC §10 `second_factor`): `403`.
    EnrolFirst,
}

impl From<BearerError> for ApiError {
    fn from(e: BearerError) -> Self {
        match e {
            BearerError::Missing => ApiError::Unauthenticated,
            BearerError::Invalid => ApiError::InvalidToken,
            BearerError::Expired => ApiError::TokenExpired,
            BearerError::Ended(reason) => ApiError::SessionEnded(reason),
            BearerError::EnrolFirst => ApiError::EnrolFirst,
            BearerError::InsufficientScope => ApiError::InsufficientScope,
        }
    }
}

/// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn resolve(request: &Request<'_>) -> Result<ApiUser, BearerError> {
    let mut values = request.headers().get("Authorization");
    let token = values.next().and_then(bearer_token);
    let Some(token) = token else {
        return Err(BearerError::Missing);
    };
    if values.next().is_some() {
        return Err(BearerError::Invalid);
    }
    // Without the fairing nobody is let in (the Sentinel normally stops the launch).
    let Some(auth) = request.rocket().state::<Auth>() else {
        return Err(BearerError::Invalid);
    };
    let user = if token.starts_with(crate::domain::access::PREFIX) {
        personal(request, auth, token)
    } else {
        session(request, auth, token)
    }?;
    if auth.factors().must_enrol(&user.0) && !signing_out(request) {
        return Err(BearerError::EnrolFirst);
    }
    Ok(user)
}

/// `DELETE /api/v1/sessions/current`: open even to a user who must enrol first.
fn signing_out(request: &Request<'_>) -> bool {
    request.method() == rocket::http::Method::Delete
        && request
            .uri()
            .path()
            .as_str()
            .ends_with("/api/v1/sessions/current")
}

/// An API session's access token.
fn session(request: &Request<'_>, auth: &Auth, token: &str) -> Result<ApiUser, BearerError> {
    match auth.sessions().check(token, TokenKind::Api) {
        Check::Valid(identity) => {
            crate::ops::request_log::note_user(request, identity.user.id);
            Ok(ApiUser(identity))
        }
        Check::Expired(_) => Err(BearerError::Expired),
        Check::Ended(reason) => Err(BearerError::Ended(reason)),
        Check::Rejected => Err(BearerError::Invalid),
    }
}

/// A personal access token (SPEC §11): accepted with scope `api`; a live one
/// without it is authentic but not for this, so `403 insufficient_scope` (RFC 6750).
fn personal(request: &Request<'_>, auth: &Auth, token: &str) -> Result<ApiUser, BearerError> {
    let client = crate::web::client::client_of(request, auth.config());
    match auth.access().check(token, Wants::Api, &client) {
        TokenCheck::Valid(identity) => Ok(ApiUser(identity)),
        TokenCheck::Refused(Check::Ended(reason)) => Err(BearerError::Ended(reason)),
        TokenCheck::OutOfScope => Err(BearerError::InsufficientScope),
        TokenCheck::Refused(_) => Err(BearerError::Invalid),
    }
}

impl ApiUser {
    /// The guard's verdict for this request. Not cached in the request: the check is
    /// memory only and costs less than Rocket's request-local cache would (measured,
    /// docs/BENCHMARKS.md); the JSON catcher asks again only on a failure.
    pub fn of(request: &Request<'_>) -> Result<ApiUser, BearerError> {
        resolve(request)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ApiUser {
    type Error = BearerError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match ApiUser::of(request) {
            Ok(user) => Outcome::Success(user),
            Err(e @ (BearerError::EnrolFirst | BearerError::InsufficientScope)) => {
                Outcome::Error((Status::Forbidden, e))
            }
            Err(e) => Outcome::Error((Status::Unauthorized, e)),
        }
    }
}

impl Sentinel for ApiUser {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        crate::web::session::fairing_missing(rocket)
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn only_the_bearer_scheme_yields_a_token() {
        assert_eq!(bearer_token("Bearer v4.local.x"), Some("v4.local.x"));
        assert_eq!(bearer_token("bearer  v4.local.x "), Some("v4.local.x"));
        assert_eq!(bearer_token("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer"), None);
    }
}
