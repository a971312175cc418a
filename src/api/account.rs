//! `/api/v1/users`, `/api/v1/me` and `/api/v1/password` (SPEC §4): create an
//! account, say who is calling, change the password.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get, post, put};
use serde::{Deserialize, Serialize};

use super::TokenPair;
use super::body::Body;
use super::error::{ApiError, ApiResult};
use super::guard::ApiUser;
use crate::auth::Auth;
use crate::config::Registration;
use crate::domain::{Email, Password};
use crate::web::client::ClientInfo;

/// `POST /api/v1/users` body.
#[derive(Deserialize)]
pub struct NewUser {
    email: String,
    password: String,
}

/// `PUT /api/v1/password` body.
#[derive(Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// `POST /api/v1/users` answer.
#[derive(Serialize)]
pub struct Created {
    id: String,
    email: String,
}

/// `GET /api/v1/me` answer.
#[derive(Serialize)]
pub struct Me {
    id: String,
    email: String,
    groups: Vec<String>,
    session_id: String,
}

/// Creates an account (open registration only); the client then logs in.
#[post("/users", data = "<body>")]
pub async fn register(
    body: ApiResult<Body<NewUser>>,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<(Status, Json<Created>)> {
    // Closed registration says so before judging the input.
    if auth.config().registration != Registration::Open {
        return Err(ApiError::RegistrationClosed);
    }
    let Body(new) = body?;
    let email = Email::parse(&new.email).map_err(|_| ApiError::InvalidEmail)?;
    let password =
        Password::new(new.password).map_err(|e| ApiError::WeakPassword(e.to_string()))?;
    let accounts = auth.accounts();
    let user = accounts
        .register_account(&email, &password, &client.0)
        .await?;
    let (id, email) = (user.id.to_string(), user.email);
    Ok((Status::Created, Json(Created { id, email })))
}

/// Who is calling, through which session.
#[get("/me")]
pub fn me(user: ApiUser) -> Json<Me> {
    let me = &user.0;
    Json(Me {
        id: me.user.id.to_string(),
        email: me.user.email.clone(),
        groups: me.user.groups.clone(),
        session_id: me.session.to_string(),
    })
}

/// Changes the password: every other session ends, this one gets a new pair (and
/// its earlier refresh tokens stop working).
#[put("/password", data = "<body>")]
pub async fn change_password(
    user: ApiUser,
    body: ApiResult<Body<PasswordChange>>,
    client: ClientInfo,
    auth: &State<Auth>,
) -> ApiResult<Json<TokenPair>> {
    let Body(change) = body?;
    let current = Password::new(change.current_password).map_err(|_| ApiError::WrongPassword)?;
    let new =
        Password::new(change.new_password).map_err(|e| ApiError::WeakPassword(e.to_string()))?;
    let accounts = auth.accounts();
    let issued = accounts
        .change_password(&user.0, &current, &new, &client.0)
        .await?;
    TokenPair::new(issued, auth.now())
        .map(Json)
        .ok_or(ApiError::InvalidToken)
}
