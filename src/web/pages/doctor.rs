//! `/admin/doctor`: the report of `portcullis doctor` (SPEC §12) for an admin, with
//! the live part judged on the admin's own request, which came through the proxy;
//! and `/doctor/probe`, what a request brought, for `portcullis doctor --url`.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;

use crate::auth::Auth;
use crate::doctor::live::{self, Seen};
use crate::doctor::{self, Report};
use crate::web::admin::AdminUser;
use crate::web::csrf::Csrf;
use crate::web::views::{Page, Views};

/// What the current request brought, as [`live::observe`] reads it.
pub struct Observed(pub Seen);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Observed {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match request.rocket().state::<Auth>() {
            Some(auth) => Outcome::Success(Observed(live::observe(request, auth.config()))),
            None => Outcome::Forward(Status::NotFound),
        }
    }
}

/// A client allowed to see the probe: one on this machine (as Portcullis believes
/// the client address) or a logged-in admin. Anyone else gets `404`.
pub struct ProbeViewer;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ProbeViewer {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(auth) = request.rocket().state::<Auth>() else {
            return Outcome::Forward(Status::NotFound);
        };
        let client = crate::web::client::client_ip(request, auth.config());
        if client.is_some_and(|ip| ip.is_loopback()) {
            return Outcome::Success(ProbeViewer);
        }
        match request.guard::<AdminUser>().await {
            Outcome::Success(_) => Outcome::Success(ProbeViewer),
            _ => Outcome::Error((Status::NotFound, ())),
        }
    }
}

/// What a request brought: forwarding headers, peer, trust, cookie count (no values).
#[get("/doctor/probe")]
pub fn probe(_viewer: ProbeViewer, seen: Observed) -> Json<Seen> {
    Json(seen.0)
}

/// `admin_doctor.html`'s context.
#[derive(Serialize)]
struct DoctorPage<'a> {
    csrf_token: &'a str,
    report: Report,
    failed: bool,
}

/// The doctor's report: configuration, data dir, hashing cost, and this request.
#[get("/admin/doctor")]
pub async fn page(
    _admin: AdminUser,
    csrf: Csrf,
    seen: Observed,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Page {
    let config = auth.config().clone();
    let host = config.public_url.host_str().unwrap_or_default().to_owned();
    let host = match config.public_url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    // The argon2 measurement takes a moment of CPU: off the async workers.
    let mut report = rocket::tokio::task::spawn_blocking(move || doctor::offline(&config))
        .await
        .unwrap_or_default();
    report.add(
        "this request, through the proxy",
        live::judge(&seen.0, &host, None),
    );
    let failed = report.failed();
    let page = DoctorPage {
        csrf_token: csrf.token(),
        report,
        failed,
    };
    views.render(Status::Ok, "admin_doctor.html", &page)
}
