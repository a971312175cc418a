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

use std::sync::Arc;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Route, State, get, routes};

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
        auth,
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
    let user = token.or_cookie(user, &target.0.target.host, auth)?;
    Ok(Answer::new(
        target.0,
        user,
        rules,
        auth,
        Dialect::ForwardAuth,
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

/// The headers nginx's `auth_request` sends about the original request.
const ORIGINAL: [&str; 2] = ["X-Original-URL", "X-Original-Method"];
/// The headers Traefik's and Caddy's forward auth send.
const FORWARDED: [&str; 4] = [
    "X-Forwarded-Proto",
    "X-Forwarded-Host",
    "X-Forwarded-Uri",
    "X-Forwarded-Method",
];

/// The single value of each forwarding header in `names`; one absent or repeated
/// is refused (the first such in `names` is named). One pass over the request's
/// headers rather than a lookup each: Rocket hashes a name byte by byte per lookup.
fn values<'r, const N: usize>(
    request: &'r Request<'_>,
    names: [&'static str; N],
) -> Result<[&'r str; N], TargetError> {
    let mut found: [(Option<&'r str>, usize); N] = [(None, 0); N];
    for header in request.headers().iter() {
        let name = header.name.as_str();
        let Some(i) = names.iter().position(|n| name.eq_ignore_ascii_case(n)) else {
            continue;
        };
        found[i].1 += 1;
        found[i].0 = match header.value {
            std::borrow::Cow::Borrowed(value) => Some(value),
            std::borrow::Cow::Owned(_) => None,
        };
    }
    let mut out = [""; N];
    for (i, (value, count)) in found.into_iter().enumerate() {
        out[i] = match (value, count) {
            (Some(value), 1) => value,
            _ => return Err(TargetError::Invalid(names[i])),
        };
    }
    Ok(out)
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
        let parsed = values(request, ORIGINAL).and_then(|[url, method]| {
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

/// The target of a Traefik/Caddy forward-auth request.
pub struct ForwardedTarget(Arc<Known>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ForwardedTarget {
    type Error = TargetError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TargetError> {
        let parsed = values(request, FORWARDED).and_then(|[proto, host, uri, method]| {
            known(request, &["f", proto, host, uri, method], || {
                Target::from_forwarded(proto, host, uri, method)
            })
        });
        match parsed {
            Ok(target) => Outcome::Success(ForwardedTarget(target)),
            Err(e) => refuse(e),
        }
    }
}
