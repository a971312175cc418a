//! Personal access tokens on the forward-auth endpoints (SPEC §11): a script sends
//! `Authorization: Bearer pcp_…` to an app behind the proxy, the proxy passes the
//! header on in its check, and a token whose scope names the target's host is let
//! through with the same `Remote-*` headers as its owner's browser would be.
//!
//! Any other `Authorization` value is left alone (it may be the app's own), and the
//! cookie decides as before. A `pcp_` token that is not live answers `401` with
//! `WWW-Authenticate: Bearer` (never a login redirect: a script cannot follow one);
//! a live one for another host answers `403`.

use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder, Response};

use crate::auth::{Auth, Client, TokenCheck, Wants};
use crate::domain::access::PREFIX;
use crate::web::client::client_of;
use crate::web::session::{AuthUser, MaybeUser};

/// The personal access token a forwarded request carries, if any.
pub struct PersonalToken(Option<(String, Client)>);

/// Why a presented personal access token does not pass.
#[derive(Debug)]
pub enum Refusal {
    /// `401`: unknown, expired or ended.
    Unauthorized,
    /// `403`: live, but its scope does not name this host.
    OutOfScope,
}

impl PersonalToken {
    /// The user the request speaks for: the token's owner when a token was sent,
    /// else whatever the cookie said.
    pub fn or_cookie(
        self,
        cookie: MaybeUser,
        host: &str,
        auth: &Auth,
    ) -> Result<MaybeUser, Refusal> {
        let Some((token, client)) = self.0 else {
            return Ok(cookie);
        };
        match auth.access().check(&token, Wants::Host(host), &client) {
            TokenCheck::Valid(identity) => Ok(MaybeUser(Some(AuthUser(identity)))),
            TokenCheck::OutOfScope => Err(Refusal::OutOfScope),
            TokenCheck::Refused(_) => Err(Refusal::Unauthorized),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for PersonalToken {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let token = request
            .headers()
            .get("Authorization")
            .filter_map(|value| {
                let (scheme, token) = value.trim().split_once(' ')?;
                let token = token.trim();
                (scheme.eq_ignore_ascii_case("bearer") && token.starts_with(PREFIX))
                    .then(|| token.to_owned())
            })
            .next();
        let found = match (token, request.rocket().state::<Auth>()) {
            (Some(token), Some(auth)) => Some((token, client_of(request, auth.config()))),
            _ => None,
        };
        Outcome::Success(PersonalToken(found))
    }
}

impl<'r> Responder<'r, 'static> for Refusal {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let (status, body) = match self {
            Refusal::Unauthorized => (Status::Unauthorized, "The access token is not valid."),
            Refusal::OutOfScope => (Status::Forbidden, "The access token is not for this site."),
        };
        let mut response = Response::build_from(body.respond_to(request)?);
        response.status(status);
        if status == Status::Unauthorized {
            response.header(Header::new("WWW-Authenticate", "Bearer"));
        }
        response.ok()
    }
}
