//! What each core error means on the API: the `From` conversions into [`ApiError`]
//! that let handlers use `?` on the core's results.

use super::ApiError;
use crate::auth::{FactorError, LoginError, PasswordChangeError, RegisterError};
use crate::store::StoreError;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::InvalidCredentials => ApiError::InvalidCredentials,
            LoginError::Throttled(wait) => ApiError::TooManyAttempts(wait),
            LoginError::SecondFactor(token) => ApiError::SecondFactorRequired(token),
            LoginError::Internal(e) => e.into(),
        }
    }
}

impl From<FactorError> for ApiError {
    fn from(e: FactorError) -> Self {
        match e {
            FactorError::WrongCode => ApiError::InvalidCode,
            FactorError::NoPending | FactorError::NotEnrolling => ApiError::InvalidMfaToken,
            FactorError::Throttled(wait) => ApiError::TooManyAttempts(wait),
            FactorError::Internal(e) => e.into(),
        }
    }
}

impl From<RegisterError> for ApiError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Closed => ApiError::RegistrationClosed,
            RegisterError::Weak(reason) => ApiError::WeakPassword(reason.to_string()),
            RegisterError::EmailTaken => ApiError::EmailTaken,
            RegisterError::RateLimited(wait) => ApiError::TooManyAttempts(wait),
            RegisterError::Internal(e) => e.into(),
        }
    }
}

impl From<PasswordChangeError> for ApiError {
    fn from(e: PasswordChangeError) -> Self {
        match e {
            PasswordChangeError::WrongPassword => ApiError::WrongPassword,
            PasswordChangeError::Weak(reason) => ApiError::WeakPassword(reason.to_string()),
            PasswordChangeError::SessionGone => ApiError::InvalidToken,
            PasswordChangeError::Throttled(wait) => ApiError::TooManyAttempts(wait),
            PasswordChangeError::Internal(e) => e.into(),
        }
    }
}
