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
//! Then the rules decide, and [`Answer`] speaks the proxy's dialect.

use std::sync::Arc;

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};
use rocket::{Route, State, get, routes};

use super::rules::{Decision, Rules};
use super::target::{Target, TargetError};
use crate::auth::{Auth, UserView};
use crate::config::Config;
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
    rules: &State<Rules>,
    auth: &State<Auth>,
) -> Answer {
    Answer::new(target.0, user, rules, auth.config(), Dialect::AuthRequest)
}

/// Traefik `forwardAuth` and Caddy `forward_auth`: reads `X-Forwarded-Proto`,
/// `-Host`, `-Uri` and `-Method`.
#[get("/api/authz/forward-auth")]
pub fn forward_auth(
    _proxy: TrustedProxy,
    target: ForwardedTarget,
    user: MaybeUser,
    rules: &State<Rules>,
    auth: &State<Auth>,
) -> Answer {
    let dialect = Dialect::ForwardAuth {
        wants_json: target.wants_json,
    };
    Answer::new(target.target, user, rules, auth.config(), dialect)
}

/// The socket peer is one of `trusted_proxies`; anyone else gets `403`.
pub struct TrustedProxy;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for TrustedProxy {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let trusted = match (request.rocket().state::<Auth>(), request.remote()) {
            (Some(auth), Some(peer)) => {
                let ip = peer.ip().to_canonical();
                auth.config()
                    .trusted_proxies
                    .iter()
                    .any(|n| n.contains(&ip))
            }
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

/// The target of an nginx `auth_request`.
pub struct OriginalTarget(Target);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for OriginalTarget {
    type Error = TargetError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TargetError> {
        let parsed = one(request, "X-Original-URL")
            .and_then(|url| Target::from_original(url, one(request, "X-Original-Method")?));
        match parsed {
            Ok(target) => Outcome::Success(OriginalTarget(target)),
            Err(e) => refuse(e),
        }
    }
}

/// The target of a Traefik/Caddy forward-auth request, and whether the client is a
/// script that wants `401` rather than a redirect.
pub struct ForwardedTarget {
    target: Target,
    wants_json: bool,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ForwardedTarget {
    type Error = TargetError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TargetError> {
        let parsed = (|| {
            Target::from_forwarded(
                one(request, "X-Forwarded-Proto")?,
                one(request, "X-Forwarded-Host")?,
                one(request, "X-Forwarded-Uri")?,
                one(request, "X-Forwarded-Method")?,
            )
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

/// How the asking proxy expects "please log in" to be said.
#[derive(Debug, Clone, Copy)]
enum Dialect {
    /// `401` with `Location`; nginx turns it into a redirect with `error_page`.
    AuthRequest,
    /// A redirect the proxy relays as is, or `401` for scripts.
    ForwardAuth { wants_json: bool },
}

/// The verdict, ready to be sent to the proxy.
pub struct Answer {
    decision: Decision,
    user: Option<Arc<UserView>>,
    target: Target,
    login: String,
    dialect: Dialect,
}

impl Answer {
    fn new(
        target: Target,
        user: MaybeUser,
        rules: &Rules,
        config: &Config,
        dialect: Dialect,
    ) -> Answer {
        let user = user.0.map(|u| u.0.user);
        let decision = rules.decide(&target, user.as_deref());
        Answer {
            decision,
            login: login_url(config, &target),
            user,
            target,
            dialect,
        }
    }
}

/// `<public_url>/login?rd=<the original URL, percent-encoded>`.
fn login_url(config: &Config, target: &Target) -> String {
    let base = config.public_url.as_str().trim_end_matches('/');
    let rd: String = url::form_urlencoded::byte_serialize(target.url.as_str().as_bytes()).collect();
    format!("{base}/login?rd={rd}")
}

/// `Remote-User`, `Remote-Email`, `Remote-Groups`, `Remote-Name`: always all four on
/// `200`, empty when nobody is logged in, so a proxy that copies them overwrites
/// whatever a client sent under those names. `None` when a value cannot be carried
/// faithfully in a header (a control character, or a comma inside a group name).
fn identity_headers(user: Option<&UserView>) -> Option<[(&'static str, String); 4]> {
    let Some(user) = user else {
        return Some(
            [
                "Remote-User",
                "Remote-Email",
                "Remote-Groups",
                "Remote-Name",
            ]
            .map(|name| (name, String::new())),
        );
    };
    if user.groups.iter().any(|g| g.contains(',')) {
        return None;
    }
    let name = user
        .email
        .rsplit_once('@')
        .map_or(&*user.email, |(local, _)| local);
    let headers = [
        ("Remote-User", user.id.to_string()),
        ("Remote-Email", user.email.clone()),
        ("Remote-Groups", user.groups.join(",")),
        ("Remote-Name", name.to_owned()),
    ];
    let clean = headers
        .iter()
        .all(|(_, v)| !v.chars().any(char::is_control));
    clean.then_some(headers)
}

fn plain(status: Status, body: &'static str) -> response::Result<'static> {
    Response::build()
        .status(status)
        .header(ContentType::Plain)
        .sized_body(body.len(), std::io::Cursor::new(body))
        .ok()
}

impl<'r> Responder<'r, 'static> for Answer {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        match (self.decision, self.dialect) {
            (Decision::Allow, _) => {
                let Some(headers) = identity_headers(self.user.as_deref()) else {
                    rocket::error!(
                        "forward-auth refused user {}: their email or a group name cannot \
                         be sent in a header (control character or comma)",
                        self.user
                            .as_ref()
                            .map(|u| u.id.to_string())
                            .unwrap_or_default()
                    );
                    return plain(Status::Forbidden, "Forbidden");
                };
                let mut response = Response::build_from(plain(Status::Ok, "OK")?);
                for (name, value) in headers {
                    response.header(Header::new(name, value));
                }
                response.ok()
            }
            (Decision::Forbid, _) => plain(Status::Forbidden, "Forbidden"),
            (Decision::Login, Dialect::ForwardAuth { wants_json: true }) => {
                let body = serde_json::json!({
                    "error": "unauthenticated",
                    "message": "Sign in first.",
                    "login_url": self.login,
                })
                .to_string();
                Response::build()
                    .status(Status::Unauthorized)
                    .header(ContentType::JSON)
                    .sized_body(body.len(), std::io::Cursor::new(body))
                    .ok()
            }
            (Decision::Login, dialect) => {
                let status = match dialect {
                    Dialect::AuthRequest => Status::Unauthorized,
                    _ if matches!(self.target.method.as_str(), "GET" | "HEAD") => Status::Found,
                    _ => Status::SeeOther,
                };
                let mut response = Response::build_from(plain(status, "Sign in first.")?);
                response.header(Header::new("Location", self.login));
                response.ok()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    fn user(email: &str, groups: &[&str]) -> UserView {
        UserView {
            id: UserId::random(),
            email: email.into(),
            groups: groups.iter().map(|s| s.to_string()).collect(),
            generation: 0,
            enabled: true,
        }
    }

    #[test]
    fn identity_headers_carry_the_user() {
        let alice = user("alice.smith@example.com", &["staff", "wiki"]);
        let headers = identity_headers(Some(&alice)).unwrap();
        assert_eq!(headers[0].1, alice.id.to_string());
        assert_eq!(headers[1].1, "alice.smith@example.com");
        assert_eq!(headers[2].1, "staff,wiki");
        assert_eq!(headers[3].1, "alice.smith");
        assert!(
            identity_headers(None)
                .unwrap()
                .iter()
                .all(|(_, v)| v.is_empty())
        );
    }

    #[test]
    fn identity_values_that_would_break_headers_are_refused() {
        for (email, groups) in [
            ("a\r\nX-Evil: 1@example.com", &["staff"][..]),
            ("alice@example.com", &["staff\r\nX-Evil: 1"][..]),
            ("alice@example.com", &["staff\0"][..]),
            ("alice@example.com", &["staff,admins"][..]),
        ] {
            assert!(
                identity_headers(Some(&user(email, groups))).is_none(),
                "{email:?} {groups:?}"
            );
        }
    }
}
