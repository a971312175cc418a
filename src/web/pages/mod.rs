//! HTML route handlers, one file per area. Each handler takes its form through
//! [`CsrfForm`](crate::web::csrf::CsrfForm), calls one capability of the core and
//! lets [`Error`](crate::web::error::Error)'s conversions choose the status; form
//! pages are typed structs serialised into their template's context.

pub mod account;
pub mod admin;
pub mod doctor;
pub mod links;
pub mod login;
pub mod mfa;
pub mod misc;
pub mod passkey_login;
pub mod passkeys;
pub mod password;
pub mod reauth;
pub mod register;
pub mod second_factor;
pub mod signins;
pub mod tokens;
