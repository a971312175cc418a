//! HTML route handlers, one file per area.

pub mod account;
pub mod login;
pub mod misc;
pub mod password;
pub mod reauth;
pub mod register;
