//! `/api/v1/sessions…` and `/api/v1/logout-everywhere` (SPEC §4): log in, refresh,
//! list and end sessions.

use rocket::http::Status;
use rocket::response::status::NoContent;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::{Deserialize, Serialize};

use super::body::Body;
use super::error::{ApiError, ApiResult};
use super::guard::ApiUser;
use super::{TokenPair, done_or_not_found, path_id};
use crate::auth::{Auth, TokenRefresh};
use crate::domain::{Email, Password, SessionId};
use crate::web::client::ClientInfo;
use crate::web::models::SessionView;

/// `POST /api/v1/sessions` body.
#[derive(Deserialize)]
pub struct Login {
    email: String,
    password: String,
    #[serde(default)]
    device_name: Option<String>,
}

/// `POST /api/v1/sessions/refresh` body.
#[derive(Deserialize)]
pub struct Refresh {
    refresh_token: String,
}

fn pair(issued: crate::auth::Issued, auth: &Auth) -> ApiResult<Json<TokenPair>> {
    // An API session always issues a refresh token; its absence is our bug.
    TokenPair::new(issued, auth.now())
        .map(Json)
        .ok_or(ApiError::Other(Status::InternalServerError))
}

/// Logs in and opens an API session. A malformed email or an over-long password
/// cannot belong to an account: same answer as a wrong password (SPEC §8).
#[post("/sessions", data = "<body>")]
pub async fn login(
    body: ApiResult<Body<Login>>,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<(Status, Json<TokenPair>)> {
    let Body(login) = body?;
    let (Ok(email), Ok(password)) = (Email::parse(&login.email), Password::new(login.password))
    else {
        return Err(ApiError::InvalidCredentials);
    };
    let device = login.device_name.as_deref();
    let (_, issued) = auth
        .api()
        .login(&email, &password, device, &client.0)
        .await?;
    Ok((Status::Created, pair(issued, auth)?))
}

/// Rotates a refresh token into a new pair.
#[post("/sessions/refresh", data = "<body>")]
pub async fn refresh(
    body: ApiResult<Body<Refresh>>,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<Json<TokenPair>> {
    let Body(refresh) = body?;
    match auth
        .api()
        .refresh(&refresh.refresh_token, &client.0)
        .await?
    {
        TokenRefresh::Renewed(_, issued) => pair(*issued, auth),
        TokenRefresh::Invalid => Err(ApiError::InvalidRefreshToken),
        TokenRefresh::Reused => Err(ApiError::RefreshTokenReused),
    }
}

/// `GET /api/v1/sessions` answer.
#[derive(Serialize)]
pub struct SessionList {
    sessions: Vec<SessionView>,
}

/// The user's sessions, browser and API alike, oldest first.
#[get("/sessions")]
pub fn list(user: ApiUser, auth: &State<Auth>) -> ApiResult<Json<SessionList>> {
    let me = &user.0;
    let sessions = auth.sessions().list(&me.user.id)?;
    Ok(Json(SessionList {
        sessions: SessionView::list(&sessions, Some(&me.session)),
    }))
}

/// Logs this session out.
#[delete("/sessions/current")]
pub async fn logout(user: ApiUser, client: ClientInfo, auth: &State<Auth>) -> ApiResult<NoContent> {
    auth.sessions().logout(&user.0, &client.0).await?;
    Ok(NoContent)
}

/// Ends one of the user's sessions (browser or API); another user's is a 404.
#[delete("/sessions/<id>", rank = 2)]
pub async fn revoke(
    id: Result<SessionId, &str>,
    user: ApiUser,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<NoContent> {
    let id = path_id(id)?;
    done_or_not_found(auth.sessions().revoke(&user.0, &id, &client.0).await?)
}

/// Ends every session of the user and kills every token they hold.
#[post("/logout-everywhere")]
pub async fn logout_everywhere(
    user: ApiUser,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<NoContent> {
    auth.sessions()
        .log_out_everywhere(&user.0.user.id, &client.0)
        .await?;
    Ok(NoContent)
}

/// `POST /api/v1/sessions/second-factor` body (SPEC §10).
#[derive(Deserialize)]
pub struct SecondFactor {
    mfa_token: String,
    code: String,
}

/// The second step of an API login: the `mfa_token` from `second_factor_required`
/// and a TOTP or recovery code open the session.
#[post("/sessions/second-factor", data = "<body>")]
pub async fn second_factor(
    body: ApiResult<Body<SecondFactor>>,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<(Status, Json<TokenPair>)> {
    let Body(step) = body?;
    let kind = crate::domain::SessionKind::Api;
    let (_, issued) = auth
        .factors()
        .complete(&step.mfa_token, &step.code, kind, &client.0)
        .await?;
    Ok((Status::Created, pair(issued, auth)?))
}
