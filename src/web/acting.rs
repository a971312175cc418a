//! [`Acting`]: what a form handler acts with besides its form and its user — the
//! client (recorded in the audit log), the cookie jar (for the session and the
//! notice) and the server — as one guard, so each handler names only what is its
//! own.

use rocket::http::CookieJar;
use rocket::http::uri::Origin;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::{Ignite, Rocket, Sentinel, State};

use super::client::ClientInfo;
use super::{notice, redirect};
use crate::auth::{Auth, Client};

/// The client, the cookie jar and the server of a request; `500` when the
/// fairing is missing (which aborts the launch first).
pub struct Acting<'r> {
    /// The client, for the audit log.
    pub client: Client,
    /// The request's cookies.
    pub cookies: &'r CookieJar<'r>,
    /// The server.
    pub auth: &'r Auth,
}

impl Acting<'_> {
    /// Leaves `said` for the next page to show and goes to `to` (`303`).
    pub fn done(&self, said: impl Into<String>, to: Origin<'_>) -> Redirect {
        notice::done(self.cookies, self.auth.config(), said);
        redirect(self.auth.config(), to)
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Acting<'r> {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let client = match ClientInfo::from_request(request).await {
            Outcome::Success(info) => info.0,
            Outcome::Forward(status) => return Outcome::Forward(status),
            Outcome::Error((_, never)) => match never {},
        };
        let cookies = match <&CookieJar<'r>>::from_request(request).await {
            Outcome::Success(cookies) => cookies,
            Outcome::Forward(status) => return Outcome::Forward(status),
            Outcome::Error((_, never)) => match never {},
        };
        let auth = match <&State<Auth>>::from_request(request).await {
            Outcome::Success(auth) => auth.inner(),
            Outcome::Forward(status) => return Outcome::Forward(status),
            Outcome::Error(e) => return Outcome::Error(e),
        };
        Outcome::Success(Acting {
            client,
            cookies,
            auth,
        })
    }
}

impl Sentinel for Acting<'_> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        super::session::fairing_missing(rocket)
    }
}
