//! `GET /api/authz/auth-request` and `GET /api/authz/forward-auth` (SPEC §5; Rocket
//! answers `HEAD` through the same handlers).
//!
//! Guards run in order and stop at the first refusal:
//! 1. [`TrustedProxy`]: the socket peer must be in `trusted_proxies`, or `403` —
//!    anyone else could name any target and probe the rules, so the endpoint does not
//!    answer them at all (rather than silently ignoring their headers).
//! 2. The target headers ([`super::target`]): `400` or `403`, never `200`.
//! 3. [`MaybeUser`]: the browser guards' own cookie check, memory only, with the
//!    sliding refresh whose `Set-Cookie` rides on the answer for the proxy to relay.
//!
//! 4. [`PersonalToken`]: a `pcp_` bearer token, if sent, stands in for the cookie.
//!
//! Then the rules decide, and [`Answer`] speaks the proxy's dialect.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Route, State, get, routes};

use std::sync::Arc;

use super::answer::{Answer, Dialect};
use super::bearer::{PersonalToken, Refusal};
use super::known::{Known, TargetCache};
use super::rules::Rules;
use super::target::{Target, TargetError};
use crate::auth::Auth;
use crate::web::client::{is_trusted_proxy, peer_ip};
use crate::web::session::MaybeUser;

/// The forward-auth routes.
pub fn routes() -> Vec<Route> {
    routes![auth_request, forward_auth]
}

/// nginx `auth_request`: reads `X-Original-URL` and `X-Original-Method`.
#[get("/api/authz/auth-request")]
pub fn auth_request(
    _proxy: TrustedProxy,
    target: OriginalTarget,
    user: MaybeUser,
    token: PersonalToken,
    rules: &State<Rules>,
    auth: &State<Auth>,
) -> Result<Answer, Refusal> {
    let user = token.or_cookie(user, &target.0.target.host, auth)?;
    Ok(Answer::new(
        target.0,
        user,
        rules,
        auth.config(),
        Dialect::AuthRequest,
    ))
}

/// Traefik `forwardAuth` and Caddy `forward_auth`: reads `X-Forwarded-Proto`,
/// `-Host`, `-Uri` and `-Method`.
#[get("/api/authz/forward-auth")]
pub fn forward_auth(
    _proxy: TrustedProxy,
    target: ForwardedTarget,
    user: MaybeUser,
    token: PersonalToken,
    rules: &State<Rules>,
    auth: &State<Auth>,
) -> Result<Answer, Refusal> {
    let user = token.or_cookie(user, &target.target.target.host, auth)?;
    let dialect = Dialect::ForwardAuth {
        wants_json: target.wants_json,
    };
    Ok(Answer::new(
        target.target,
        user,
        rules,
        auth.config(),
        dialect,
    ))
}

/// The socket peer is one of `trusted_proxies`; anyone else gets `403`.
pub struct TrustedProxy;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for TrustedProxy {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let trusted = match (request.rocket().state::<Auth>(), peer_ip(request)) {
            (Some(auth), Some(peer)) => is_trusted_proxy(auth.config(), &peer),
            _ => false,
        };
        if trusted {
            Outcome::Success(TrustedProxy)
        } else {
            rocket::warn!("forward-auth asked by an untrusted peer; see `trusted_proxies`");
            Outcome::Error((Status::Forbidden, ()))
        }
    }
}

/// The single value of a forwarding header; absent or repeated is refused.
fn one<'r>(request: &'r Request<'_>, name: &'static str) -> Result<&'r str, TargetError> {
    let mut values = request.headers().get(name);
    match (values.next(), values.next()) {
        (Some(value), None) => Ok(value),
        _ => Err(TargetError::Invalid(name)),
    }
}

fn refuse<T>(error: TargetError) -> Outcome<T, TargetError> {
    rocket::warn!("forward-auth refused: {error}");
    let status = match error {
        TargetError::Invalid(_) => Status::BadRequest,
        TargetError::Ambiguous(_) => Status::Forbidden,
    };
    Outcome::Error((status, error))
}

/// The target the header values `parts` describe, through the server's cache of
/// targets already parsed (uncached without one).
fn known(
    request: &Request<'_>,
    parts: &[&str],
    parse: impl FnOnce() -> Result<Target, TargetError>,
) -> Result<Arc<Known>, TargetError> {
    match request.rocket().state::<TargetCache>() {
        Some(cache) => cache.get_or_parse(parts, parse),
        None => parse().map(|target| Arc::new(Known::new(target))),
    }
}

/// The target of an nginx `auth_request`.
pub struct OriginalTarget(Arc<Known>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for OriginalTarget {
    type Error = TargetError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TargetError> {
        let parsed = one(request, "X-Original-URL").and_then(|url| {
            let method = one(request, "X-Original-Method")?;
            known(request, &["o", url, method], || {
                Target::from_original(url, method)
            })
        });
        match parsed {
            Ok(target) => Outcome::Success(OriginalTarget(target)),
            Err(e) => refuse(e),
        }
    }
}

/// The target of a Traefik/Caddy forward-auth request, and whether the client is a
/// script that wants `401` rather than a redirect.
pub struct ForwardedTarget {
    target: Arc<Known>,
    wants_json: bool,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ForwardedTarget {
    type Error = TargetError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TargetError> {
        let parsed = (|| {
            let proto = one(request, "X-Forwarded-Proto")?;
            let host = one(request, "X-Forwarded-Host")?;
            let uri = one(request, "X-Forwarded-Uri")?;
            let method = one(request, "X-Forwarded-Method")?;
            known(request, &["f", proto, host, uri, method], || {
                Target::from_forwarded(proto, host, uri, method)
            })
        })();
        let target = match parsed {
            Ok(target) => target,
            Err(e) => return refuse(e),
        };
        let headers = request.headers();
        let xhr = headers
            .get("X-Requested-With")
            .any(|v| v.eq_ignore_ascii_case("XMLHttpRequest"));
        let json = request
            .accept()
            .is_some_and(|accept| accept.iter().any(|media| media.is_json()));
        Outcome::Success(ForwardedTarget {
            target,
            wants_json: xhr || json,
        })
    }
}
