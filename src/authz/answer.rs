//! The answer to the proxy, in its dialect (SPEC §5): `200` with the identity
//! headers, `401`/`302`/`303` towards the portal's login page, or `403`.

use std::sync::Arc;

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};

use super::known::Known;
use super::rules::{Decision, Proof, Rules};
use super::target::Target;
use crate::auth::{Auth, UserView};
use crate::config::Config;
use crate::web::session::MaybeUser;

/// How the asking proxy expects "please log in" to be said.
#[derive(Debug, Clone, Copy)]
pub enum Dialect {
    /// `401` with `Location`; nginx turns it into a redirect with `error_page`.
    AuthRequest,
    /// A redirect the proxy relays as is, or `401` for scripts (`Accept: …json` or
    /// `X-Requested-With: XMLHttpRequest`, looked at only when the answer is "log in").
    ForwardAuth,
}

/// The verdict, ready to be sent to the proxy.
pub struct Answer {
    decision: Decision,
    user: Option<Arc<UserView>>,
    /// The session's assurance level (SPEC §10), sent as `Remote-Auth-Level`.
    aal: Option<u8>,
    target: Arc<Known>,
    /// Where to log in, when the decision says so.
    login: Option<String>,
    dialect: Dialect,
}

impl Answer {
    /// Judges `target` for the request's user.
    pub fn new(
        target: Arc<Known>,
        user: MaybeUser,
        rules: &Rules,
        auth: &Auth,
        dialect: Dialect,
    ) -> Answer {
        let config = auth.config();
        let aal = user.0.as_ref().map(|u| u.0.aal);
        let (decision, user) = match user.0 {
            Some(u) => (
                super::proof::decide(&target.target, &u.0, rules, auth),
                Some(u.0.user),
            ),
            None => (rules.decide_with(&target.target, None, Proof::FULL), None),
        };
        let login = match decision {
            Decision::Allow | Decision::Forbid => None,
            Decision::Login => Some(target.login(config).to_owned()),
            _ => Some(login_url(
                config,
                super::proof::portal_path(decision),
                &target.target,
            )),
        };
        Answer {
            decision,
            login,
            user,
            aal,
            target,
            dialect,
        }
    }
}

/// `<public_url><path>?rd=<the original URL, percent-encoded>` for a step-up
/// page of the portal (SPEC §10); the plain `/login` one is cached in [`Known`].
fn login_url(config: &Config, path: &str, target: &Target) -> String {
    let base = config.public_url.as_str().trim_end_matches('/');
    let rd: String = url::form_urlencoded::byte_serialize(target.url.as_str().as_bytes()).collect();
    format!("{base}{path}?rd={rd}")
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

/// A script rather than a browser: it wants `401`, not a redirect.
fn wants_json(request: &Request<'_>) -> bool {
    let xhr = request
        .headers()
        .get("X-Requested-With")
        .any(|v| v.eq_ignore_ascii_case("XMLHttpRequest"));
    xhr || request
        .accept()
        .is_some_and(|accept| accept.iter().any(|media| media.is_json()))
}

fn plain(status: Status, body: &'static str) -> response::Result<'static> {
    Response::build()
        .status(status)
        .header(ContentType::Plain)
        .sized_body(body.len(), std::io::Cursor::new(body))
        .ok()
}

impl<'r> Responder<'r, 'static> for Answer {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
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
                let level = self.aal.map(|aal| aal.to_string()).unwrap_or_default();
                response.header(Header::new("Remote-Auth-Level", level));
                response.ok()
            }
            (Decision::Forbid, _) => plain(Status::Forbidden, "Forbidden"),
            (decision, Dialect::ForwardAuth) if wants_json(request) => {
                let (error, message) = super::proof::json_reason(decision);
                let body = serde_json::json!({
                    "error": error,
                    "message": message,
                    "login_url": self.login,
                })
                .to_string();
                Response::build()
                    .status(Status::Unauthorized)
                    .header(ContentType::JSON)
                    .sized_body(body.len(), std::io::Cursor::new(body))
                    .ok()
            }
            (_, dialect) => {
                let status = match dialect {
                    Dialect::AuthRequest => Status::Unauthorized,
                    _ if matches!(self.target.target.method.as_str(), "GET" | "HEAD") => {
                        Status::Found
                    }
                    _ => Status::SeeOther,
                };
                let mut response = Response::build_from(plain(status, "Sign in first.")?);
                response.header(Header::new("Location", self.login.unwrap_or_default()));
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
