//! The error type of the HTML routes: each variant documents the status it answers
//! with. Internal failures are logged with their cause; the client only learns that
//! something went wrong.

use rocket::http::Status;
use rocket::request::Request;
use rocket::response::{self, Responder};
use tera::Context;

use crate::auth::InternalError;
use crate::store::StoreError;
use crate::web::views::Views;

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `403 Forbidden`: the CSRF token is missing or wrong, or the origin is foreign.
    #[error("This form has expired or did not come from this site. Reload the page and try again.")]
    Csrf,
    /// `404 Not Found`: no such thing (or not yours).
    #[error("Not found.")]
    NotFound,
    /// `500 Internal Server Error`: a route using Portcullis's guards was mounted
    /// without the Portcullis fairing.
    #[error("Portcullis is not configured on this server.")]
    NotConfigured,
    /// `500 Internal Server Error`: storage or hashing failed; the cause is logged.
    #[error("Something went wrong on our side.")]
    Internal(#[from] InternalError),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::Internal(e.into())
    }
}

impl Error {
    /// The status this error answers with.
    pub fn status(&self) -> Status {
        match self {
            Error::Csrf => Status::Forbidden,
            Error::NotFound => Status::NotFound,
            Error::NotConfigured | Error::Internal(_) => Status::InternalServerError,
        }
    }
}

/// Renders the error page for `status` with `message`.
pub fn error_page(
    request: &Request<'_>,
    status: Status,
    message: &str,
) -> response::Result<'static> {
    let Some(views) = request.rocket().state::<Views>() else {
        return Err(status);
    };
    let mut context = Context::new();
    context.insert("status", &status.code);
    context.insert("reason", status.reason_lossy());
    context.insert("message", message);
    views
        .page(status, "error.html", &context)
        .respond_to(request)
}

impl<'r> Responder<'r, 'static> for Error {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        if let Error::Internal(cause) = &self {
            rocket::error!("internal error on {}: {cause}", request.uri().path());
        }
        error_page(request, self.status(), &self.to_string())
    }
}
