//! The error type of the HTML routes: each variant documents the status it answers
//! with, and each error of the core converts into it (`From`), so a handler is the
//! happy path and `?`. A [`Refusal`] is the user's own mistake (wrong password,
//! weak password, taken email, throttled): form handlers show it on the form it came
//! from (`forms::answer`); anywhere else it gets the error page. Internal failures
//! are logged with their cause; the client only learns that something went wrong.

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Redirect, Responder};
use tera::Context;

use crate::auth::{
    AdminError, Auth, FactorError, InternalError, LinkError, LoginError, PasswordChangeError,
    RegisterError,
};
use crate::domain::user::InvalidGroup;
use crate::hashing::Busy;
use crate::store::StoreError;
use crate::web::csrf::token_of;
use crate::web::session::signed_in;
use crate::web::views::Views;

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A refusal of what the user asked, with the status and the message to show.
#[derive(Debug)]
pub struct Refusal {
    /// The answer's status (4xx).
    pub status: Status,
    /// What to tell the user.
    pub message: String,
    /// Seconds for a `Retry-After` header (throttled answers).
    pub retry_after: Option<i64>,
}

/// What went wrong while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `403 Forbidden`: the CSRF token is missing or wrong, or the origin is foreign.
    #[error("This form has expired or did not come from this site. Reload the page and try again.")]
    Csrf,
    /// `404 Not Found`: no such thing (or not yours).
    #[error("Not found.")]
    NotFound,
    /// `404 Not Found`: a one-time link that is spent, expired or unknown; the
    /// message says so and what to do (SPEC §9).
    #[error("{0}")]
    LinkGone(&'static str),
    /// The status of the [`Refusal`] (401, 403, 409, 422, 429), its message shown.
    #[error("{}", .0.message)]
    Refused(Refusal),
    /// `303 See Other` to the login page: the session ended during the request.
    #[error("Your session has ended.")]
    SessionGone,
    /// `500 Internal Server Error`: a route using Portcullis's guards was mounted
    /// without the Portcullis fairing.
    #[error("Portcullis is not configured on this server.")]
    NotConfigured,
    /// `500 Internal Server Error`: storage or hashing failed; the cause is logged.
    #[error("Something went wrong on our side.")]
    Internal(#[from] InternalError),
}

impl Error {
    /// A refusal with `status` and `message`.
    pub fn refused(status: Status, message: impl Into<String>) -> Error {
        Error::Refused(Refusal {
            status,
            message: message.into(),
            retry_after: None,
        })
    }

    /// `429` with `Retry-After: wait`.
    fn throttled(message: String, wait: i64) -> Error {
        Error::Refused(Refusal {
            status: Status::TooManyRequests,
            message,
            retry_after: Some(wait),
        })
    }

    /// The status this error answers with.
    pub fn status(&self) -> Status {
        match self {
            Error::Csrf => Status::Forbidden,
            Error::NotFound | Error::LinkGone(_) => Status::NotFound,
            Error::Refused(refusal) => refusal.status,
            Error::SessionGone => Status::SeeOther,
            Error::Internal(InternalError::Busy(busy)) => busy_status(*busy),
            Error::Internal(InternalError::Store(StoreError::Database(_))) => {
                Status::ServiceUnavailable
            }
            Error::NotConfigured | Error::Internal(_) => Status::InternalServerError,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.into())
    }
}

impl From<LoginError> for Error {
    fn from(e: LoginError) -> Self {
        let message = e.to_string();
        match e {
            LoginError::InvalidCredentials => Error::refused(Status::Unauthorized, message),
            LoginError::Throttled(wait) => Error::throttled(message, wait),
            // The login page sends this one to the second step before it gets here.
            LoginError::SecondFactor(_) => Error::refused(Status::Unauthorized, message),
            LoginError::Internal(e) => e.into(),
        }
    }
}

impl From<FactorError> for Error {
    fn from(e: FactorError) -> Self {
        let message = e.to_string();
        match e {
            FactorError::WrongCode | FactorError::NoPending => {
                Error::refused(Status::Unauthorized, message)
            }
            FactorError::NotEnrolling => Error::refused(Status::Conflict, message),
            FactorError::Throttled(wait) => Error::throttled(message, wait),
            FactorError::Internal(e) => e.into(),
        }
    }
}

impl From<RegisterError> for Error {
    fn from(e: RegisterError) -> Self {
        let message = e.to_string();
        match e {
            RegisterError::Closed => Error::refused(Status::Forbidden, message),
            RegisterError::Weak(_) => Error::refused(Status::UnprocessableEntity, message),
            RegisterError::EmailTaken => Error::refused(Status::Conflict, message),
            RegisterError::RateLimited(wait) => Error::throttled(message, wait),
            RegisterError::Internal(e) => e.into(),
        }
    }
}

impl From<LinkError> for Error {
    fn from(e: LinkError) -> Self {
        let message = e.to_string();
        match e {
            LinkError::NotFound => Error::NotFound,
            LinkError::Weak(_) => Error::refused(Status::UnprocessableEntity, message),
            LinkError::EmailTaken => Error::refused(Status::Conflict, message),
            LinkError::Closed => Error::refused(Status::Forbidden, message),
            LinkError::RateLimited(wait) => Error::throttled(message, wait),
            LinkError::Internal(e) => e.into(),
        }
    }
}

impl From<PasswordChangeError> for Error {
    fn from(e: PasswordChangeError) -> Self {
        let message = e.to_string();
        match e {
            PasswordChangeError::WrongPassword => Error::refused(Status::Forbidden, message),
            PasswordChangeError::Weak(_) => Error::refused(Status::UnprocessableEntity, message),
            PasswordChangeError::SessionGone => Error::SessionGone,
            PasswordChangeError::Throttled(wait) => Error::throttled(message, wait),
            PasswordChangeError::Internal(e) => e.into(),
        }
    }
}

impl From<AdminError> for Error {
    fn from(e: AdminError) -> Self {
        let message = e.to_string();
        match e {
            AdminError::NotFound => Error::NotFound,
            AdminError::LastAdmin => Error::refused(Status::Conflict, message),
            AdminError::Internal(e) => e.into(),
        }
    }
}

impl From<InvalidGroup> for Error {
    fn from(e: InvalidGroup) -> Self {
        Error::refused(Status::UnprocessableEntity, e.to_string())
    }
}

/// Seconds a client refused by the hashing pool is told to wait.
pub const BUSY_RETRY_AFTER: u32 = 1;

/// The status of a hashing-pool refusal: the account's own flood is `429`, a full
/// pool `503`.
pub fn busy_status(busy: Busy) -> Status {
    match busy {
        Busy::Account => Status::TooManyRequests,
        Busy::Overall => Status::ServiceUnavailable,
    }
}

/// Renders the error page for `status` with `message` (and a `heading` instead of
/// the status line, when given).
pub fn error_page(
    request: &Request<'_>,
    status: Status,
    heading: Option<&str>,
    message: &str,
) -> response::Result<'static> {
    let Some(views) = request.rocket().state::<Views>() else {
        return Err(status);
    };
    let mut context = Context::new();
    context.insert("status", &status.code);
    context.insert("reason", status.reason_lossy());
    context.insert("message", message);
    if let Some(heading) = heading {
        context.insert("heading", heading);
    }
    // The way on: the signed-in user's navigation, or the way to sign in.
    if let Some(user) = signed_in(request) {
        context.insert("signed_in", &true);
        context.insert("is_admin", &user.0.user.is_admin());
        context.insert("csrf_token", &token_of(request).unwrap_or_default());
    }
    views
        .page(status, "error.html", &context)
        .respond_to(request)
}

impl<'r> Responder<'r, 'static> for Error {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        match &self {
            Error::Internal(busy @ InternalError::Busy(_)) => {
                let mut page = error_page(request, self.status(), None, &busy.to_string())?;
                page.set_raw_header("Retry-After", BUSY_RETRY_AFTER.to_string());
                return Ok(page);
            }
            Error::Internal(cause) => {
                rocket::error!("internal error on {}: {cause}", request.uri().path());
            }
            Error::SessionGone => {
                let auth = request.rocket().state::<Auth>();
                let login = auth.map_or_else(|| "/login".to_owned(), |a| a.config().at("/login"));
                return Redirect::to(login).respond_to(request);
            }
            _ => {}
        }
        let heading = match self {
            Error::LinkGone(_) => Some("This link does not work any more"),
            _ => None,
        };
        let mut page = error_page(request, self.status(), heading, &self.to_string())?;
        if let Error::Refused(Refusal {
            retry_after: Some(wait),
            ..
        }) = self
        {
            page.set_raw_header("Retry-After", wait.max(1).to_string());
        }
        Ok(page)
    }
}
