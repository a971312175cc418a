//! The edge where raw request text becomes domain types: form fields
//! ([`Email`], [`Password`]) and path segments (user and session ids, both ways:
//! parsed from requests, written into `uri!` links). The domain defines the
//! parsing; this file only teaches Rocket to call it, so `domain/` knows nothing
//! of HTTP.

use std::fmt;

use rocket::form::{self, FromFormField, ValueField};
use rocket::http::uri::fmt::{Formatter, FromUriParam, Path, UriDisplay};
use rocket::request::FromParam;

use crate::domain::ids::{Id, IdKind};
use crate::domain::{Email, Password};
use crate::web::error::Error;

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

/// The id a route was given; a malformed one is a `404`, as an id that names
/// nothing would be.
pub fn found<K: IdKind>(id: Result<Id<K>, &str>) -> Result<Id<K>, Error> {
    id.map_err(|_| Error::NotFound)
}

/// Ids in `uri!` paths, as their routes parse them.
impl<K: IdKind> UriDisplay<Path> for Id<K> {
    fn fmt(&self, f: &mut Formatter<'_, Path>) -> fmt::Result {
        f.write_value(self.to_string())
    }
}

impl<K: IdKind> FromUriParam<Path, Id<K>> for Id<K> {
    type Target = Id<K>;

    fn from_uri_param(id: Id<K>) -> Id<K> {
        id
    }
}

impl<'a, K: IdKind> FromUriParam<Path, &'a Id<K>> for Id<K> {
    type Target = &'a Id<K>;

    fn from_uri_param(id: &'a Id<K>) -> &'a Id<K> {
        id
    }
}
