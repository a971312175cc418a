//! The new sign-in banner's two buttons on `/account` (SPEC §11): "Not me" ends
//! that session and leads to the password change; "Dismiss" forgets the notice.

use rocket::response::Redirect;
use rocket::{post, uri};

use super::{account, password};
use crate::domain::SessionId;
use crate::web::acting::Acting;
use crate::web::csrf::CsrfForm;
use crate::web::error::{Error, Result};
use crate::web::forms::NoFields;
use crate::web::params::found;
use crate::web::session::AuthUser;

pub use crate::web::models::NewSignInView;

/// "Not me": signs that device out, then on to changing the password.
#[post("/account/sign-ins/<id>/not-me", data = "<_form>")]
pub async fn not_me(
    id: Result<SessionId, &str>,
    _form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    acting: Acting<'_>,
) -> Result<Redirect> {
    let id = found(id)?;
    if id == user.0.session
        || !acting
            .auth
            .sessions()
            .disown_sign_in(&user.0, &id, &acting.client)
            .await?
    {
        return Err(Error::NotFound);
    }
    let said = "That device is signed out. Now change your password, so it cannot sign in again.";
    Ok(acting.done(said, uri!(password::show)))
}

/// "Dismiss": the sign-in was the user's own.
#[post("/account/sign-ins/<id>/dismiss", data = "<_form>")]
pub async fn dismiss(
    id: Result<SessionId, &str>,
    _form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    acting: Acting<'_>,
) -> Result<Redirect> {
    let id = found(id)?;
    let sessions = acting.auth.sessions();
    if !sessions
        .dismiss_sign_in(&user.0.user.id, &id, &acting.client)
        .await?
    {
        return Err(Error::NotFound);
    }
    Ok(acting.done("Notice dismissed.", uri!(account::show)))
}
