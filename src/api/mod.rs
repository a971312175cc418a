//! The JSON API under `/api/v1` (SPEC §4) for mobile apps and scripts: bearer access
//! tokens, rotating refresh tokens, the same sessions and revocations as browsers.
//!
//! Every answer is JSON (errors included, through the catchers registered for
//! `/api/v1`); authenticated routes take [`ApiUser`], which reads the
//! `Authorization` header and never a cookie. The OpenAPI document served at
//! `/api/v1/openapi.json` is `openapi.json` next to this file; a test keeps it in
//! step with the mounted routes.

mod account;
pub mod body;
pub mod error;
pub mod guard;
mod sessions;
mod signins;
mod tokens;

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::status::NoContent;
use rocket::serde::Serialize;
use rocket::{Catcher, Route, catch, catchers, get, routes};

pub use guard::{ApiUser, BearerError};

use crate::auth::Issued;
use crate::domain::SessionId;
use error::{ApiError, ApiResult};

/// Where the API is mounted.
pub const BASE: &str = "/api/v1";

/// The OpenAPI 3 document of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Every API route, to mount at [`BASE`].
pub fn routes() -> Vec<Route> {
    routes![
        account::register,
        account::me,
        account::change_password,
        sessions::login,
        sessions::refresh,
        sessions::second_factor,
        sessions::list,
        sessions::logout,
        sessions::revoke,
        sessions::logout_everywhere,
        tokens::create,
        tokens::list,
        tokens::delete,
        signins::list,
        signins::dismiss,
        signins::not_me,
        openapi,
    ]
}

/// An id from the path: a malformed one is `404 not_found`, the same answer as an
/// id of nobody's or of another user's (nothing to tell apart).
fn path_id(id: Result<SessionId, &str>) -> ApiResult<SessionId> {
    id.map_err(|_| ApiError::NotFound)
}

/// `204` when the caller's own record was found and acted on, else `404 not_found`.
fn done_or_not_found(done: bool) -> ApiResult<NoContent> {
    if done {
        Ok(NoContent)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The JSON catchers, to register at [`BASE`].
pub fn catchers() -> Vec<Catcher> {
    catchers![json_error]
}

/// `GET /api/v1/openapi.json`.
#[get("/openapi.json")]
fn openapi() -> (ContentType, &'static str) {
    (ContentType::JSON, OPENAPI)
}

/// Any error status under `/api/v1` as a JSON error; a `401` (or the `403` of a
/// token out of its scope) from [`ApiUser`] says which way the bearer token failed.
#[catch(default)]
fn json_error(status: Status, request: &Request<'_>) -> ApiError {
    if matches!(status, Status::Unauthorized | Status::Forbidden)
        && let Err(e) = ApiUser::of(request)
    {
        return e.into();
    }
    ApiError::Other(status)
}

/// The answer to a login, a refresh or a password change (SPEC §4).
#[derive(Debug, Serialize)]
#[serde(crate = "rocket::serde")]
pub struct TokenPair {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    refresh_token: String,
    refresh_expires_in: i64,
    session_id: String,
}

impl TokenPair {
    /// The pair in `issued` at `now`; `None` if it carries no refresh token.
    fn new(issued: Issued, now: i64) -> Option<TokenPair> {
        let refresh_token = issued.refresh_token?;
        let session = issued.session;
        Some(TokenPair {
            access_token: issued.token,
            token_type: "Bearer",
            // `mint` moves `token_exp` to the new token's expiry; it never goes back.
            expires_in: (session.token_exp - now).max(0),
            refresh_token: refresh_token.expose().to_owned(),
            refresh_expires_in: session.refresh.map_or(0, |r| (r.expires_at - now).max(0)),
            session_id: session.id.to_string(),
        })
    }
}
