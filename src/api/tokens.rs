//! `/api/v1/tokens` (SPEC §11): make, list and delete personal access tokens.
//!
//! Making one needs a login session: a personal access token cannot make another
//! (it could otherwise widen its own scope or outlive its expiry).

use rocket::http::Status;
use rocket::response::status::NoContent;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post};
use serde::{Deserialize, Serialize};

use super::body::Body;
use super::error::{ApiError, ApiResult};
use super::guard::ApiUser;
use super::{done_or_not_found, path_id};
use crate::auth::{Auth, TokenRow};
use crate::domain::SessionId;
use crate::domain::access::{self, Scope};
use crate::web::client::ClientInfo;
use crate::web::models::TokenView;

/// `POST /api/v1/tokens` body.
#[derive(Deserialize)]
pub struct NewToken {
    name: String,
    /// 1 to 365; 90 when absent.
    #[serde(default)]
    expires_in_days: Option<i64>,
    /// `api` and/or host names; `["api"]` when absent.
    #[serde(default)]
    scope: Option<Vec<String>>,
}

/// `POST /api/v1/tokens` answer: the listing fields and, this once, the token.
#[derive(Serialize)]
pub struct Created {
    token: String,
    #[serde(flatten)]
    view: TokenView,
}

/// `GET /api/v1/tokens` answer.
#[derive(Serialize)]
pub struct TokenList {
    tokens: Vec<TokenView>,
}

/// Makes a token; the answer is the only time it is shown.
#[post("/tokens", data = "<body>")]
pub async fn create(
    body: ApiResult<Body<NewToken>>,
    user: ApiUser,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<(Status, Json<Created>)> {
    let Body(new) = body?;
    if auth.access().is_token(&user.0.session) {
        return Err(ApiError::Other(Status::Forbidden));
    }
    let words = new
        .scope
        .unwrap_or_else(|| vec![access::API_SCOPE.to_owned()]);
    let (name, days, scope) = (|| {
        let scope = Scope::parse(words.iter().map(String::as_str))?;
        Ok((
            access::parse_name(&new.name)?,
            access::parse_days(new.expires_in_days)?,
            scope,
        ))
    })()
    .map_err(ApiError::InvalidRequest)?;
    let (grant, token) = auth
        .access()
        .create(&user.0, name, days, scope, &client.0)
        .await?;
    let row = TokenRow {
        grant,
        last_used_at: None,
    };
    let view = TokenView::from(&row);
    let token = token.expose().to_owned();
    Ok((Status::Created, Json(Created { token, view })))
}

/// The user's tokens, oldest first; never the secrets.
#[get("/tokens")]
pub fn list(user: ApiUser, auth: &State<Auth>) -> ApiResult<Json<TokenList>> {
    let rows = auth.access().list(&user.0.user.id)?;
    let tokens = rows.iter().map(TokenView::from).collect();
    Ok(Json(TokenList { tokens }))
}

/// Deletes one of the user's tokens; anything else is a 404.
#[delete("/tokens/<id>")]
pub async fn delete(
    id: Result<SessionId, &str>,
    user: ApiUser,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<NoContent> {
    let id = path_id(id)?;
    done_or_not_found(auth.access().delete(&user.0, &id, &client.0).await?)
}
