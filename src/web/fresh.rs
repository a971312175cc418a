//! `FreshAuth`: a browser user who confirmed their password within `reauth_window`
//! (SPEC §3), and their second factor too when they have one (SPEC §10). A stale
//! session is sent to `/reauth?rd=<this page>` and back.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::Redirect;
use rocket::{Ignite, Rocket, Sentinel, catch};

use super::session::AuthUser;
use crate::auth::Auth;
use crate::clock::secs;
use crate::web::notice;

/// Status a stale session's request ends in; its catcher redirects to `/reauth`.
pub const STALE: Status = Status::PreconditionRequired;

/// A logged-in user whose last password entry (and, for a user with a second
/// factor, whose last proof of it) is recent enough for sensitive actions.
///
/// # Example
/// ```
/// use portcullis::FreshAuth;
///
/// #[rocket::post("/delete-everything")]
/// fn delete_everything(user: FreshAuth) -> String {
///     // Only reached within `reauth_window` of typing the password; otherwise the
///     // browser was sent to /reauth and comes back here afterwards.
///     format!("done, {}", user.0.0.user.email)
/// }
/// ```
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
        let recent = |at: i64| auth.now() - at < window;
        let me = &user.0;
        // A user with a second factor proves it too (SPEC §10): a session that
        // has not (one opened before the factor existed) is stale. Fails closed.
        let factor =
            || recent(me.factor_at) || !auth.factors().has_any(&me.user.id).unwrap_or(true);
        if recent(me.auth_at) && factor() {
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
/// (for a form submission, to the page the form lives on, which then says that the
/// form was not acted on; admin actions are carried out instead, see
/// `pages::admin::carry`).
#[catch(428)]
pub fn stale(request: &Request<'_>) -> Redirect {
    let auth = request.rocket().state::<Auth>();
    if let Some(enrol) = auth.and_then(|auth| super::enrol::redirect(request, auth)) {
        return enrol;
    }
    let base = auth
        .map(|auth| auth.config().base_path().to_owned())
        .unwrap_or_default();
    let back = if request.method() == rocket::http::Method::Get {
        request.uri().to_string()
    } else {
        if let Some(auth) = auth {
            let said = "That was not done: your password confirmation had expired. \
                        Submit the form again.";
            notice::not_done(request.cookies(), auth.config(), said);
        }
        let path = request.uri().path();
        let inner = path
            .as_str()
            .strip_prefix(base.as_str())
            .unwrap_or(path.as_str());
        format!("{base}{}", page_of_action(inner))
    };
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("rd", &back)
        .finish();
    Redirect::to(format!("{base}/reauth?{query}"))
}

/// The page a form posting to `path` lives on: admin actions go back to the page of
/// the user they act on (or the user list), other forms post to their own page.
fn page_of_action(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("/admin/users/") {
        let id = rest.split('/').next().unwrap_or_default();
        return format!("/admin/users/{id}");
    }
    if path.starts_with("/admin/") {
        return "/admin".to_owned();
    }
    // The second-factor forms live on `/account/security` (SPEC §10).
    let factors = [
        "/account/totp",
        "/account/recovery-codes",
        "/account/passkeys",
    ];
    if factors.iter().any(|f| path.starts_with(f)) {
        return "/account/security".to_owned();
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::page_of_action;

    #[test]
    fn admin_actions_return_to_the_page_they_were_taken_on() {
        assert_eq!(
            page_of_action("/admin/users/abc/disable"),
            "/admin/users/abc"
        );
        assert_eq!(
            page_of_action("/admin/users/abc/sessions/def/revoke"),
            "/admin/users/abc"
        );
        assert_eq!(page_of_action("/admin/invites"), "/admin");
        assert_eq!(page_of_action("/account/totp/remove"), "/account/security");
        assert_eq!(
            page_of_action("/account/recovery-codes"),
            "/account/security"
        );
        assert_eq!(page_of_action("/account/password"), "/account/password");
    }
}
