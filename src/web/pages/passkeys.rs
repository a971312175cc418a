//! Passkeys on `/account/security` (SPEC §10): the JSON routes the ceremony
//! script (`/static/passkeys.js`) calls to add one, and the forms to rename and
//! remove one. Every change needs a fresh confirmation (`FreshAuth`).
//!
//! The script's requests are `POST`s with a JSON body; they pass the same origin
//! check as forms and carry the page's CSRF token in `X-CSRF-Token`.

use rocket::http::{CookieJar, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Redirect, Responder};
use rocket::serde::json::Json;
use rocket::{FromForm, State, post, uri};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use webauthn_rs::prelude::RegisterPublicKeyCredential;

use crate::auth::{Auth, PasskeyError};
use crate::web::acting::Acting;
use crate::web::client::ClientInfo;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::{Error, Result};
use crate::web::forms::NoFields;
use crate::web::fresh::FreshAuth;
use crate::web::notice;
use crate::web::pages::mfa;
use crate::web::session::set_session_cookie;

/// The header the ceremony script sends the page's CSRF token in.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// A script request from this site: the origin check of every form, and
/// `X-CSRF-Token` equal to this browser's CSRF token (`403` otherwise).
pub struct ScriptCsrf(pub Csrf);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ScriptCsrf {
    type Error = Error;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Error> {
        let csrf = match Csrf::from_request(request).await {
            Outcome::Success(csrf) => csrf,
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(status) => return Outcome::Forward(status),
        };
        let sent = request.headers().get_one(CSRF_HEADER).unwrap_or_default();
        if bool::from(sent.as_bytes().ct_eq(csrf.token().as_bytes())) && !sent.is_empty() {
            Outcome::Success(ScriptCsrf(csrf))
        } else {
            Outcome::Error((Status::Forbidden, Error::Csrf))
        }
    }
}

/// A refused script request: its status and `{"error": "…"}`.
#[derive(Debug)]
pub enum Failure {
    /// The passkey step was refused.
    Passkey(PasskeyError),
    /// An admin action carried through the confirmation failed (the user it
    /// acts on is gone, say): the status and message its page would show.
    Page(Error),
}

impl From<PasskeyError> for Failure {
    fn from(e: PasskeyError) -> Self {
        Failure::Passkey(e)
    }
}

/// The status a passkey refusal is answered with.
fn status_of(e: &PasskeyError) -> Status {
    match e {
        PasskeyError::Unavailable(_) | PasskeyError::Busy => Status::ServiceUnavailable,
        PasskeyError::NoCeremony | PasskeyError::NoPending => Status::BadRequest,
        PasskeyError::Refused => Status::Unauthorized,
        PasskeyError::Duplicate | PasskeyError::TooMany => Status::Conflict,
        PasskeyError::NoName => Status::UnprocessableEntity,
        PasskeyError::NotFound => Status::NotFound,
        PasskeyError::Throttled(_) => Status::TooManyRequests,
        PasskeyError::Internal(_) => Status::InternalServerError,
    }
}

impl Failure {
    /// The status, the message for the user (internal causes logged, not told)
    /// and the seconds to wait, if throttled.
    fn parts(self) -> (Status, String, Option<i64>) {
        match self {
            Failure::Passkey(PasskeyError::Internal(e)) => {
                tracing::error!(error = %e, "passkey request failed");
                let status = Status::InternalServerError;
                (status, "Something went wrong on our side.".to_owned(), None)
            }
            Failure::Passkey(e) => {
                let wait = match &e {
                    PasskeyError::Throttled(wait) => Some(*wait),
                    _ => None,
                };
                (status_of(&e), e.to_string(), wait)
            }
            Failure::Page(e) => {
                if let Error::Internal(cause) = &e {
                    tracing::error!(error = %cause, "carried admin action failed");
                }
                (e.status(), e.to_string(), None)
            }
        }
    }
}

impl<'r> Responder<'r, 'static> for Failure {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let (status, message, wait) = self.parts();
        let mut answer = (status, Json(json!({ "error": message }))).respond_to(request)?;
        if let Some(wait) = wait {
            answer.set_raw_header("Retry-After", wait.to_string());
        }
        Ok(answer)
    }
}

/// What a script route answers.
pub type Answer = std::result::Result<Json<Value>, Failure>;

/// A started ceremony, as the script receives it.
pub fn started((ceremony, options): (String, Value)) -> Json<Value> {
    Json(json!({ "ceremony": ceremony, "options": options }))
}

/// `POST /account/passkeys/register/finish`.
#[derive(Debug, Deserialize)]
pub struct RegisterFinish {
    pub ceremony: String,
    pub name: String,
    pub credential: RegisterPublicKeyCredential,
}

/// `POST /account/passkeys/<id>/rename`.
#[derive(Debug, FromForm)]
pub struct RenameForm {
    pub name: String,
}

/// One passkey as `security.html` lists it.
#[derive(Debug, Serialize)]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    /// RFC 3339, as the templates' time filters want.
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// The passkeys of a user, for the security page.
pub fn views_of(auth: &Auth, user: &crate::domain::UserId) -> Result<Vec<PasskeyView>> {
    let list = auth.passkeys().of(user)?;
    Ok(list
        .into_iter()
        .map(|p| PasskeyView {
            id: p.id,
            name: p.name,
            created_at: crate::clock::rfc3339(p.created_at),
            last_used_at: p.last_used_at.map(crate::clock::rfc3339),
        })
        .collect())
}

/// Starts adding a passkey: the options for `navigator.credentials.create`.
#[post("/account/passkeys/register/start")]
pub fn register_start(_csrf: ScriptCsrf, user: FreshAuth, auth: &State<Auth>) -> Answer {
    Ok(started(auth.passkeys().start_register(&(user.0).0)?))
}

/// Finishes adding a passkey with the browser's answer.
#[post("/account/passkeys/register/finish", data = "<body>")]
pub async fn register_finish(
    _csrf: ScriptCsrf,
    user: FreshAuth,
    body: Json<RegisterFinish>,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Answer {
    let me = &(user.0).0;
    let (ceremony, name) = (&body.ceremony, &body.name);
    let added = auth
        .passkeys()
        .finish_register(me, ceremony, name, &body.credential, &client.0)
        .await?;
    let said = format!("Passkey “{}” added.", added.name);
    notice::done(cookies, auth.config(), &said);
    let back = auth.config().at("/account/security");
    Ok(Json(json!({ "redirect": back })))
}

/// Renames a passkey.
#[post("/account/passkeys/<id>/rename", data = "<form>")]
pub async fn rename(
    id: &str,
    form: CsrfForm<'_, RenameForm>,
    user: FreshAuth,
    acting: Acting<'_>,
) -> Result<Redirect> {
    let name = &form.value()?.name;
    let passkeys = acting.auth.passkeys();
    passkeys
        .rename(&(user.0).0, id, name)
        .await
        .map_err(page_error)?;
    Ok(acting.done("Passkey renamed.", uri!(mfa::show(_))))
}

/// Removes a passkey; the other devices are signed out.
#[post("/account/passkeys/<id>/remove", data = "<_form>")]
pub async fn remove(
    id: &str,
    _form: CsrfForm<'_, NoFields>,
    user: FreshAuth,
    acting: Acting<'_>,
) -> Result<Redirect> {
    let auth = acting.auth;
    let removed = auth
        .passkeys()
        .remove(&(user.0).0, id, &acting.client)
        .await;
    let issued = removed.map_err(page_error)?;
    set_session_cookie(acting.cookies, auth.config(), &issued, auth.now());
    let said = "Passkey removed; your other devices were signed out.";
    Ok(acting.done(said, uri!(mfa::show(_))))
}

/// A passkey refusal as an HTML page's error.
fn page_error(e: PasskeyError) -> Error {
    match e {
        PasskeyError::NotFound => Error::NotFound,
        PasskeyError::Internal(e) => Error::Internal(e),
        other => Error::refused(status_of(&other), other.to_string()),
    }
}

/// The ceremony script, embedded.
pub const SCRIPT: &str = include_str!("../../../static/passkeys.js");

/// The ceremony script, loaded by the pages that offer passkeys.
#[rocket::get("/static/passkeys.js")]
pub fn script() -> super::misc::Static {
    super::misc::Static(rocket::http::ContentType::JavaScript, SCRIPT)
}
