//! `GET /metrics` (SPEC §12), answered only to `metrics_allowed`: both the socket
//! peer and the client it speaks for (after trusted-proxy resolution) must be in
//! it, so a scrape through the public reverse proxy is refused like any visitor.
//! Everyone else gets `404`, as if there were no such page.

use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Route, State, get, routes};

use crate::auth::Auth;
use crate::web::client::{client_ip, peer_ip};

/// The metrics route.
pub fn routes() -> Vec<Route> {
    routes![metrics]
}

/// Every series in the OpenMetrics text format (which Prometheus reads).
#[get("/metrics", rank = 100)]
fn metrics(_scraper: Scraper, auth: &State<Auth>) -> (ContentType, String) {
    let metrics = auth.metrics();
    let mirror = auth.mirror();
    metrics.users.set(gauge(mirror.user_count()));
    metrics.revoked_set.set(gauge(mirror.revoked_count()));
    let kind = ContentType::new("application", "openmetrics-text")
        .with_params([("version", "1.0.0"), ("charset", "utf-8")]);
    (kind, metrics.encode())
}

fn gauge(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A client in `metrics_allowed`; anyone else gets `404`.
struct Scraper;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Scraper {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let Some(auth) = request.rocket().state::<Auth>() else {
            return Outcome::Error((Status::NotFound, ()));
        };
        let allowed = &auth.config().metrics_allowed;
        let admitted = |ip: Option<std::net::IpAddr>| {
            ip.is_some_and(|ip| allowed.iter().any(|net| net.contains(&ip)))
        };
        if admitted(peer_ip(request)) && admitted(client_ip(request, auth.config())) {
            Outcome::Success(Scraper)
        } else {
            Outcome::Error((Status::NotFound, ()))
        }
    }
}
