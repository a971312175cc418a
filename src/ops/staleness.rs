//! `max_staleness` (SPEC §13): an instance cut off from its shared store for longer
//! than that answers every request that presents a credential (the session cookie
//! or an `Authorization` header) with `503 Service Unavailable` and a
//! `Retry-After`, and `/healthz` too, so a load balancer sends people elsewhere.
//! The verdict its mirror would give may be out of date by then; until it has
//! caught up it gives none. Anonymous pages keep working.
//!
//! The check runs on the response, replacing it whole (status, headers, body), so
//! nothing of what the stale verdict produced reaches the client. Writes never
//! get that far: they fail at once against the unreachable database (also 503).

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Status};
use rocket::{Request, Response};

use crate::auth::Auth;

/// Seconds a client is told to wait.
const RETRY_AFTER: &str = "2";

/// The fairing; attached by [`crate::fairing`].
pub struct Staleness;

#[rocket::async_trait]
impl Fairing for Staleness {
    fn info(&self) -> Info {
        Info {
            name: "Portcullis max_staleness",
            kind: Kind::Response | Kind::Singleton,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let Some(auth) = request.rocket().state::<Auth>() else {
            return;
        };
        if !auth.is_stale() {
            return;
        }
        let cookie = crate::web::session::cookie_name(auth.config());
        let credentialed = request.cookies().get(cookie).is_some()
            || request.headers().contains("Authorization")
            || request.uri().path().ends_with("/healthz");
        if !credentialed {
            return;
        }
        let body = "this instance cannot reach its database; try again shortly\n";
        *response = Response::build()
            .status(Status::ServiceUnavailable)
            .header(ContentType::Plain)
            .raw_header("Retry-After", RETRY_AFTER)
            .raw_header("Cache-Control", "no-store")
            .sized_body(body.len(), std::io::Cursor::new(body))
            .finalize();
    }
}
