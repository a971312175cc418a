//! The edge where raw request text becomes domain types: form fields
//! ([`Email`], [`Password`]) and path segments (user and session ids). The domain
//! defines the parsing; this file only teaches Rocket to call it, so `domain/`
//! knows nothing of HTTP.

use rocket::form::{self, FromFormField, ValueField};
use rocket::request::FromParam;

use crate::domain::ids::{Id, IdKind};
use crate::domain::{Email, Password};

#[rocket::async_trait]
impl<'v> FromFormField<'v> for Email {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        Ok(Email::parse(field.value).map_err(|e| form::Error::validation(e.to_string()))?)
    }
}

#[rocket::async_trait]
impl<'v> FromFormField<'v> for Password {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        Ok(Password::new(field.value).map_err(|e| form::Error::validation(e.to_string()))?)
    }
}

/// A malformed id is handed to the route as `Err(segment)`, which answers 404.
impl<'a, K: IdKind> FromParam<'a> for Id<K> {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        Self::parse(param).ok_or(param)
    }
}
