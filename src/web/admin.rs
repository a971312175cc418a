//! `AdminUser`: a logged-in browser user in the `admin` group, and `AdminAction`:
//! such a user who also confirmed their password recently. Built on [`AuthUser`],
//! whose check is in memory (and whose refresh, if any, runs once per request), so
//! it costs nothing more than the session check; a logged-in user outside the group
//! gets `403`, an anonymous one is sent to log in.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Ignite, Rocket, Sentinel};

use super::session::AuthUser;

/// A logged-in administrator.
///
/// # Example
/// ```
/// use portcullis::AdminUser;
///
/// #[rocket::get("/ops")]
/// fn ops(admin: AdminUser) -> String {
///     format!("hello, admin {}", admin.0.0.user.email)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

/// Why [`AdminUser`] refused a logged-in user.
#[derive(Debug, Clone, Copy)]
pub struct NotAdmin;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AdminUser {
    type Error = NotAdmin;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match AuthUser::from_request(request).await {
            Outcome::Success(user) if user.0.user.is_admin() => Outcome::Success(AdminUser(user)),
            Outcome::Success(_) => Outcome::Error((Status::Forbidden, NotAdmin)),
            Outcome::Forward(status) => Outcome::Forward(status),
            Outcome::Error((_, never)) => match never {},
        }
    }
}

impl Sentinel for AdminUser {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        <AuthUser as Sentinel>::abort(rocket)
    }
}

/// What every admin action needs: an administrator ([`AdminUser`]: `403` otherwise)
/// who confirmed their password recently ([`FreshAuth`](super::fresh::FreshAuth):
/// sent to `/reauth` otherwise), and the client, recorded as acting for them.
pub struct AdminAction {
    /// The client, acting for the admin in the audit log.
    pub client: crate::auth::Client,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AdminAction {
    type Error = NotAdmin;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let admin = match AdminUser::from_request(request).await {
            Outcome::Success(admin) => admin,
            Outcome::Forward(status) => return Outcome::Forward(status),
            Outcome::Error(e) => return Outcome::Error(e),
        };
        match super::fresh::FreshAuth::from_request(request).await {
            Outcome::Success(_) => {}
            Outcome::Forward(status) => return Outcome::Forward(status),
            Outcome::Error((_, never)) => match never {},
        }
        let client = match super::client::ClientInfo::from_request(request).await {
            Outcome::Success(info) => info.0,
            _ => crate::auth::Client::default(),
        };
        Outcome::Success(AdminAction {
            client: client.acting_as(admin.0.0.user.id),
        })
    }
}
