//! One structured line per request (SPEC §12): method, path (no query, one-time
//! link tokens redacted), status, latency, request id and, when a guard found one,
//! the user id. The request id is a trusted proxy's `X-Request-Id` when it sent a
//! sane one, otherwise a fresh random one, and is returned in `X-Request-Id`.
//! Forward-auth answers are counted here too, by result, with their latency.

use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Status;
use rocket::{Data, Request, Response};

use super::logging::loggable_path;
use crate::auth::Auth;
use crate::domain::UserId;
use crate::web::client::{is_trusted_proxy, peer_ip};

/// The response header carrying the request id.
pub const REQUEST_ID: &str = "X-Request-Id";

/// The request fairing.
pub struct RequestLog;

struct Started(Instant);

/// The request's id, as logged and returned.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The user a guard authenticated in this request, for the log line.
struct LoggedUser(Option<UserId>);

/// Remembers who a guard authenticated, for this request's log line (the first
/// one noted wins).
pub fn note_user(request: &Request<'_>, user: UserId) {
    request.local_cache(|| LoggedUser(Some(user)));
}

/// A new request id: 96 random bits, base64url. Not a secret, so the thread's
/// generator serves (no system call per request).
fn new_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

/// A proxy's request id is kept only if it is short and plain.
fn sane(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

fn request_id(request: &Request<'_>) -> RequestId {
    let from_proxy = request.rocket().state::<Auth>().and_then(|auth| {
        let peer = peer_ip(request)?;
        is_trusted_proxy(auth.config(), &peer)
            .then(|| request.headers().get_one(REQUEST_ID))
            .flatten()
            .filter(|id| sane(id))
    });
    RequestId(from_proxy.map_or_else(new_id, str::to_owned))
}

/// Forward auth's answer as a metrics label.
fn forward_auth_result(status: Status) -> &'static str {
    match status.code {
        200..=299 => "allowed",
        401 | 302 | 303 => "unauthenticated",
        403 => "denied",
        400..=499 => "invalid",
        _ => "error",
    }
}

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "Portcullis request log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        request.local_cache(|| Started(Instant::now()));
        let id = request_id(request);
        request.local_cache(|| id);
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let took = request.local_cache(|| Started(Instant::now())).0.elapsed();
        let id = request.local_cache(|| RequestId(new_id()));
        response.set_raw_header(REQUEST_ID, id.0.clone());
        let status = response.status();
        let route = request.route().and_then(|r| r.name.as_deref());
        if let (Some("auth_request" | "forward_auth"), Some(auth)) =
            (route, request.rocket().state::<Auth>())
        {
            auth.metrics()
                .forward_auth(forward_auth_result(status), took);
        }
        let user = request.local_cache(|| LoggedUser(None)).0;
        tracing::info!(
            target: "portcullis::request",
            method = %request.method(),
            path = %loggable_path(request.uri().path().as_str()),
            status = status.code,
            latency_ms = took.as_secs_f64() * 1000.0,
            request_id = %id.0,
            user = user.map(|u| u.to_string()),
            "request"
        );
    }
}
