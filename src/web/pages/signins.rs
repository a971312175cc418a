//! The new sign-in banner's two buttons on `/account` (SPEC §11): "Not me" ends
//! that session and leads to the password change; "Dismiss" forgets the notice.

use rocket::http::CookieJar;
use rocket::response::Redirect;
use rocket::{State, post, uri};

use super::{account, password};
use crate::auth::Auth;
use crate::domain::SessionId;
use crate::web::client::ClientInfo;
use crate::web::csrf::CsrfForm;
use crate::web::error::{Error, Result};
use crate::web::forms::NoFields;
use crate::web::notice;
use crate::web::redirect;
use crate::web::session::AuthUser;

pub use crate::web::models::NewSignInView;

/// "Not me": signs that device out, then on to changing the password.
#[post("/account/sign-ins/<id>/not-me", data = "<_form>")]
pub async fn not_me(
    id: Result<SessionId, &str>,
    _form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let id = id.map_err(|_| Error::NotFound)?;
    if id == user.0.session
        || !auth
            .sessions()
            .disown_sign_in(&user.0, &id, &client.0)
            .await?
    {
        return Err(Error::NotFound);
    }
    let said = "That device is signed out. Now change your password, so it cannot sign in again.";
    notice::done(cookies, auth.config(), said);
    Ok(redirect(auth.config(), uri!(password::show)))
}

/// "Dismiss": the sign-in was the user's own.
#[post("/account/sign-ins/<id>/dismiss", data = "<_form>")]
pub async fn dismiss(
    id: Result<SessionId, &str>,
    _form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let id = id.map_err(|_| Error::NotFound)?;
    let me = &user.0.user.id;
    if !auth.sessions().dismiss_sign_in(me, &id, &client.0).await? {
        return Err(Error::NotFound);
    }
    notice::done(cookies, auth.config(), "Notice dismissed.");
    Ok(redirect(auth.config(), uri!(account::show)))
}
