//! `FreshAuth`: a browser user who confirmed their password within `reauth_window`
//! (SPEC §3). A stale session is sent to `/reauth?rd=<this page>` and back.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::{Ignite, Rocket, Sentinel, catch};

use super::session::AuthUser;
use crate::auth::Auth;
use crate::clock::secs;

/// Status a stale session's request ends in; its catcher redirects to `/reauth`.
pub const STALE: Status = Status::PreconditionRequired;

/// A logged-in user whose last password entry is recent enough for sensitive actions.
#[derive(Debug, Clone)]
pub struct FreshAuth(pub AuthUser);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for FreshAuth {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let user = match AuthUser::from_request(request).await {
            Outcome::Success(user) => user,
            Outcome::Forward(status) => return Outcome::Forward(status),
            Outcome::Error(e) => return Outcome::Error(e),
        };
        let Some(auth) = request.rocket().state::<Auth>() else {
            return Outcome::Forward(Status::InternalServerError);
        };
        let window = secs(auth.config().reauth_window);
        if auth.now() - user.0.auth_at < window {
            Outcome::Success(FreshAuth(user))
        } else {
            Outcome::Forward(STALE)
        }
    }
}

impl Sentinel for FreshAuth {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        <AuthUser as Sentinel>::abort(rocket)
    }
}

/// Sends a stale session to confirm the password, then back to the page it wanted
/// (for a form submission, to the page the form lives on).
#[catch(428)]
pub fn stale(request: &Request<'_>) -> Redirect {
    let back = if request.method() == rocket::http::Method::Get {
        request.uri().to_string()
    } else {
        request.uri().path().to_string()
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("rd", &back)
        .finish();
    Redirect::to(format!("/reauth?{query}"))
}
