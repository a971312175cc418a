//! The JSON API (SPEC §4): shapes and statuses, bearer tokens, refresh rotation and
//! reuse detection, revocation across browser and API sessions, the OpenAPI
//! document, and the token format as documented in `docs/TOKENS.md`.

mod account;
mod cross_kind;
mod errors;
mod openapi;
mod refresh;
mod sessions;
mod token_format;

use rocket::http::{ContentType, Header, Method};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Reply, TestApp};

/// A script talking to the API: no cookies, only what it sends.
pub struct Api<'a> {
    pub app: &'a TestApp,
}

impl<'a> Api<'a> {
    pub fn new(app: &'a TestApp) -> Api<'a> {
        Api { app }
    }

    /// A request with an optional JSON body and bearer token.
    pub fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        bearer: Option<&str>,
    ) -> Reply {
        let mut request = self.app.client.req(method, path.to_owned());
        if let Some(body) = body {
            request = request.header(ContentType::JSON).body(body.to_string());
        }
        if let Some(token) = bearer {
            request.add_header(Header::new("Authorization", format!("Bearer {token}")));
        }
        Reply::from(request.dispatch())
    }

    pub fn get(&self, path: &str, bearer: &str) -> Reply {
        self.send(Method::Get, path, None, Some(bearer))
    }

    pub fn delete(&self, path: &str, bearer: &str) -> Reply {
        self.send(Method::Delete, path, None, Some(bearer))
    }

    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::Post, path, Some(body), None)
    }

    pub fn register(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/users",
            &json!({ "email": email, "password": password }),
        )
    }

    pub fn login(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/sessions",
            &json!({ "email": email, "password": password, "device_name": "Alice's phone" }),
        )
    }

    pub fn refresh(&self, refresh_token: &str) -> Reply {
        self.post(
            "/api/v1/sessions/refresh",
            &json!({ "refresh_token": refresh_token }),
        )
    }

    pub fn me(&self, bearer: &str) -> Reply {
        self.get("/api/v1/me", bearer)
    }

    /// Registers `email` through the API and logs in: the token pair.
    pub fn signed_up(&self, email: &str) -> Pair {
        let created = self.register(email, PASSWORD);
        assert_eq!(created.status.code, 201, "{}", created.body);
        self.logged_in(email)
    }

    /// Logs `email` in: the token pair.
    pub fn logged_in(&self, email: &str) -> Pair {
        let reply = self.login(email, PASSWORD);
        assert_eq!(reply.status.code, 201, "{}", reply.body);
        Pair::from(&reply)
    }
}

/// The token pair of a login, refresh or password change.
#[derive(Debug, Clone)]
pub struct Pair {
    pub access: String,
    pub refresh: String,
    pub session: String,
}

impl Pair {
    pub fn from(reply: &Reply) -> Pair {
        let body = json_of(reply);
        let field = |name: &str| {
            body[name]
                .as_str()
                .unwrap_or_else(|| panic!("no {name} in {body}"))
                .to_owned()
        };
        Pair {
            access: field("access_token"),
            refresh: field("refresh_token"),
            session: field("session_id"),
        }
    }
}

/// The body as JSON (panics with the body when it is not).
pub fn json_of(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", reply.body))
}

/// Asserts a `401 session_ended` answer carrying `reason` (SPEC §9).
#[track_caller]
pub fn assert_ended(reply: &Reply, reason: &str) {
    assert_error(reply, 401, "session_ended");
    assert_eq!(json_of(reply)["reason"], reason, "{}", reply.body);
}

/// Asserts that `pair`'s session has ended for `reason`: its access token is
/// answered `401 session_ended`, its refresh token `401 invalid_refresh_token`.
#[track_caller]
pub fn assert_pair_ended(api: &Api<'_>, pair: &Pair, reason: &str) {
    assert_ended(&api.me(&pair.access), reason);
    assert_error(&api.refresh(&pair.refresh), 401, "invalid_refresh_token");
}

/// Asserts an error answer: status, JSON `{"error", "message"}` shape and code.
#[track_caller]
pub fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status.code, status, "{}", reply.body);
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    let body = json_of(reply);
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    if status == 401 {
        let challenge = reply.header("WWW-Authenticate").unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "{challenge:?}");
    }
}
