//! `/api/v1/new-sign-ins` (SPEC §11): the new sign-in notices of `/account`, for
//! apps and scripts. A sign-in from a device and network not seen for the user in
//! 90 days waits here until it is dismissed ("it was me") or disowned ("not me":
//! that session ends). The caller's own session is never listed: it knows.

use rocket::response::status::NoContent;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::Serialize;

use super::error::ApiResult;
use super::guard::ApiUser;
use super::{done_or_not_found, path_id};
use crate::auth::Auth;
use crate::domain::SessionId;
use crate::web::client::ClientInfo;
use crate::web::models::NewSignInView;

/// `GET /api/v1/new-sign-ins` answer.
#[derive(Serialize)]
pub struct NewSignIns {
    new_sign_ins: Vec<NewSignInView>,
}

/// The notices waiting for the user, newest first.
#[get("/new-sign-ins")]
pub fn list(user: ApiUser, auth: &State<Auth>) -> ApiResult<Json<NewSignIns>> {
    let me = &user.0;
    let flags = auth
        .sessions()
        .new_sign_ins(&me.user.id, Some(&me.session))?;
    Ok(Json(NewSignIns {
        new_sign_ins: NewSignInView::list(&flags),
    }))
}

/// "It was me": forgets the notice of sign-in `id`; the session stays.
#[delete("/new-sign-ins/<id>")]
pub async fn dismiss(
    id: Result<SessionId, &str>,
    user: ApiUser,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<NoContent> {
    let (id, me) = (path_id(id)?, &user.0);
    let sessions = auth.sessions();
    let done = id != me.session
        && sessions
            .dismiss_sign_in(&me.user.id, &id, &client.0)
            .await?;
    done_or_not_found(done)
}

/// "Not me": ends the session of sign-in `id` and forgets its notice. Changing
/// the password (`PUT /api/v1/password`) is the caller's next step.
#[post("/new-sign-ins/<id>/not-me")]
pub async fn not_me(
    id: Result<SessionId, &str>,
    user: ApiUser,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<NoContent> {
    let (id, me) = (path_id(id)?, &user.0);
    let done = id != me.session && auth.sessions().disown_sign_in(me, &id, &client.0).await?;
    done_or_not_found(done)
}
