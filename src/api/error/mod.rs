//! The error type of the JSON API (SPEC §4): every failure is
//! `{"error": "<code>", "message": "<human text>"}` with the status its variant
//! documents; `401` answers carry `WWW-Authenticate: Bearer`, `429` answers
//! `Retry-After`. Internal failures are logged with their cause; the client only
//! learns that something went wrong.

use rocket::http::{Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use serde::Serialize;

use crate::auth::InternalError;
use crate::domain::ended::EndReason;
use crate::hashing::Busy;
use crate::web::error::{BUSY_RETRY_AFTER, busy_status};

mod convert;

/// `Result` with [`ApiError`] as the default error.
pub type ApiResult<T, E = ApiError> = std::result::Result<T, E>;

/// What went wrong with an API request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `401 unauthenticated`: no `Authorization: Bearer` header (cookies do not count).
    #[error("Send an access token as `Authorization: Bearer <token>`.")]
    Unauthenticated,
    /// `401 invalid_token`: the bearer token is forged, for another purpose, revoked
    /// or of an old generation.
    #[error("The access token is not valid; log in again.")]
    InvalidToken,
    /// `401 session_ended`, with the `reason` (SPEC §9): the bearer token is
    /// authentic but its session was ended (revoked, signed out everywhere,
    /// password changed, disabled…); log in again.
    #[error("This session has ended; log in again.")]
    SessionEnded(EndReason),
    /// `401 token_expired`: the bearer token has expired; refresh it.
    #[error("The access token has expired; get a new one with the refresh token.")]
    TokenExpired,
    /// `403 insufficient_scope` (RFC 6750 §3.1): a live personal access token
    /// whose scope does not include `api`.
    #[error("This access token's scope does not include the API.")]
    InsufficientScope,
    /// `401 invalid_credentials`: unknown email, wrong password or disabled account,
    /// on purpose indistinguishable.
    #[error("Invalid email or password.")]
    InvalidCredentials,
    /// `403 invalid_credentials`: the current password given to change it is wrong.
    #[error("The current password is not correct.")]
    WrongPassword,
    /// `401 invalid_refresh_token`: malformed, unknown, expired, or its session is over.
    #[error("The refresh token is not valid; log in again.")]
    InvalidRefreshToken,
    /// `401 refresh_token_reused`: an already-rotated refresh token was presented
    /// after the grace window; the session has been ended.
    #[error("This refresh token was already used; the session has been ended. Log in again.")]
    RefreshTokenReused,
    /// `429 too_many_attempts`: throttled; retry after this many seconds.
    #[error("Too many attempts. Try again in {0}s.")]
    TooManyAttempts(i64),
    /// `403 registration_closed`: `registration` is not `open`.
    #[error("Registration is not open.")]
    RegistrationClosed,
    /// `409 email_taken`.
    #[error("An account with this email already exists.")]
    EmailTaken,
    /// `422 invalid_email`.
    #[error("Enter a valid email address.")]
    InvalidEmail,
    /// `422 weak_password`, with the reason.
    #[error("{0}")]
    WeakPassword(String),
    /// `404 not_found`: no such thing, or not yours.
    #[error("Not found.")]
    NotFound,
    /// `400 malformed_json`: the body is not JSON.
    #[error("The request body is not valid JSON.")]
    MalformedJson,
    /// `422 invalid_request`: the JSON lacks a field or has one of the wrong type.
    #[error("{0}")]
    InvalidRequest(String),
    /// `413 payload_too_large`.
    #[error("The request body is too large.")]
    PayloadTooLarge,
    /// `415 unsupported_media_type`: the body is not sent as `application/json`.
    #[error("Send the body as `Content-Type: application/json`.")]
    UnsupportedMediaType,
    /// Any other error status (from a catcher), with a generic code and message.
    #[error("{}", generic(*.0).1)]
    Other(Status),
    /// `401 second_factor_required` (SPEC §10): the password was right; finish with
    /// `POST /api/v1/sessions/second-factor` and this `mfa_token`.
    #[error("This account has a second factor: send a code with the mfa_token.")]
    SecondFactorRequired(String),
    /// `401 invalid_mfa_token`: unknown, used or expired (5 minutes) pending login.
    #[error("The mfa_token is not valid or has expired; log in again.")]
    InvalidMfaToken,
    /// `401 invalid_code`: wrong, reused or out-of-window code.
    #[error("The code is not valid.")]
    InvalidCode,
    /// `403 second_factor_enrolment_required` (SPEC §10 `second_factor`): this
    /// account must set up a second factor (in the browser) before using the API.
    #[error(
        "This account must set up a second factor first: sign in on the portal's /account/security."
    )]
    EnrolFirst,
    /// `500 internal_error`: storage or hashing failed; the cause is logged.
    #[error("Something went wrong on our side.")]
    Internal(#[from] InternalError),
}

/// The body of every error answer (SPEC §4); `reason` only on `session_ended`.
#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mfa_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    methods: Option<[&'static str; 2]>,
}

/// Code and message for a bare status.
fn generic(status: Status) -> (&'static str, &'static str) {
    match status.code {
        400 => ("bad_request", "The request could not be understood."),
        401 => ("unauthenticated", "Authentication is required."),
        403 => ("forbidden", "You are not allowed to do that."),
        404 => ("not_found", "Not found."),
        405 => ("method_not_allowed", "This method is not allowed here."),
        413 => ("payload_too_large", "The request body is too large."),
        415 => ("unsupported_media_type", "Unsupported content type."),
        422 => ("invalid_request", "The request is not valid."),
        429 => ("too_many_attempts", "Too many attempts."),
        code if code >= 500 => ("internal_error", "Something went wrong on our side."),
        _ => ("error", "The request could not be completed."),
    }
}

impl ApiError {
    /// The status this error answers with.
    pub fn status(&self) -> Status {
        use ApiError::*;
        match self {
            Unauthenticated
            | InvalidToken
            | SessionEnded(_)
            | TokenExpired
            | InvalidCredentials
            | InvalidRefreshToken
            | RefreshTokenReused
            | SecondFactorRequired(_)
            | InvalidMfaToken
            | InvalidCode => Status::Unauthorized,
            WrongPassword | RegistrationClosed | EnrolFirst | InsufficientScope => {
                Status::Forbidden
            }
            TooManyAttempts(_) => Status::TooManyRequests,
            EmailTaken => Status::Conflict,
            InvalidEmail | WeakPassword(_) | InvalidRequest(_) => Status::UnprocessableEntity,
            NotFound => Status::NotFound,
            MalformedJson => Status::BadRequest,
            PayloadTooLarge => Status::PayloadTooLarge,
            UnsupportedMediaType => Status::UnsupportedMediaType,
            Other(status) => *status,
            Internal(InternalError::Busy(busy)) => busy_status(*busy),
            Internal(InternalError::Store(crate::store::StoreError::Database(_))) => {
                Status::ServiceUnavailable
            }
            Internal(_) => Status::InternalServerError,
        }
    }

    /// The machine-readable `error` code.
    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            Unauthenticated => "unauthenticated",
            InvalidToken => "invalid_token",
            InsufficientScope => "insufficient_scope",
            SessionEnded(_) => "session_ended",
            TokenExpired => "token_expired",
            InvalidCredentials | WrongPassword => "invalid_credentials",
            InvalidRefreshToken => "invalid_refresh_token",
            RefreshTokenReused => "refresh_token_reused",
            TooManyAttempts(_) => "too_many_attempts",
            RegistrationClosed => "registration_closed",
            EmailTaken => "email_taken",
            InvalidEmail => "invalid_email",
            WeakPassword(_) => "weak_password",
            NotFound => "not_found",
            MalformedJson => "malformed_json",
            InvalidRequest(_) => "invalid_request",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            Other(status) => generic(*status).0,
            Internal(InternalError::Busy(Busy::Account)) => "too_many_attempts",
            Internal(InternalError::Busy(Busy::Overall)) => "busy",
            SecondFactorRequired(_) => "second_factor_required",
            InvalidMfaToken => "invalid_mfa_token",
            InvalidCode => "invalid_code",
            EnrolFirst => "second_factor_enrolment_required",
            Internal(_) => "internal_error",
        }
    }

    /// The `WWW-Authenticate` challenge of a `401` (RFC 6750 §3): a presented but
    /// unusable token is named `invalid_token`, other failures carry no error code.
    fn challenge(&self) -> &'static str {
        match self {
            ApiError::InvalidToken | ApiError::SessionEnded(_) | ApiError::TokenExpired => {
                "Bearer error=\"invalid_token\""
            }
            _ => "Bearer",
        }
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let busy = matches!(self, ApiError::Internal(InternalError::Busy(_)));
        if let ApiError::Internal(cause) = &self
            && !busy
        {
            rocket::error!("internal error on {}: {cause}", request.uri().path());
        }
        let status = self.status();
        let body = ErrorBody {
            error: self.code(),
            message: match &self {
                ApiError::Internal(cause) if busy => cause.to_string(),
                other => other.to_string(),
            },
            reason: match &self {
                ApiError::SessionEnded(reason) => Some(reason.code()),
                _ => None,
            },
            mfa_token: match &self {
                ApiError::SecondFactorRequired(token) => Some(token.clone()),
                _ => None,
            },
            methods: matches!(self, ApiError::SecondFactorRequired(_))
                .then_some(["totp", "recovery_code"]),
        };
        let mut response = rocket::Response::build_from(Json(body).respond_to(request)?);
        response.status(status);
        if status == Status::Unauthorized {
            response.header(Header::new("WWW-Authenticate", self.challenge()));
        }
        if let ApiError::InsufficientScope = self {
            let challenge = "Bearer error=\"insufficient_scope\", scope=\"api\"";
            response.header(Header::new("WWW-Authenticate", challenge));
        }
        if let ApiError::TooManyAttempts(wait) = self {
            response.header(Header::new("Retry-After", wait.max(1).to_string()));
        }
        if busy {
            response.header(Header::new("Retry-After", BUSY_RETRY_AFTER.to_string()));
        }
        response.ok()
    }
}
