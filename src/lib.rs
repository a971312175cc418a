//! Portcullis: a self-hosted authentication server and a Rocket library.
//!
//! Browsers get PASETO v4.local tokens in private cookies; every user has a
//! generation counter and every login a session record in an embedded sled store, so
//! revocation takes effect on the very next request while the hot path reads nothing
//! from disk. See `README.md` for the tour and `../shared/SPEC.md` for the interface.
//!
//! # Example
//! ```no_run
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     portcullis::rocket(portcullis::figment())
//! }
//! ```

pub mod api;
pub mod auth;
pub mod authz;
pub mod clock;
pub mod config;
pub mod domain;
mod fairing;
pub mod hashing;
pub mod ops;
pub mod store;
pub mod token;
pub mod web;

use rocket::figment::Figment;
use rocket::{Build, Rocket};

pub use api::ApiUser;
pub use fairing::{Portcullis, fairing};
pub use web::admin::AdminUser;
pub use web::fresh::FreshAuth;
pub use web::session::{AuthUser, MaybeUser};

/// Rocket's standard figment: `Rocket.toml` (with its `[default.portcullis]` table)
/// and `ROCKET_*` variables. `PORTCULLIS_*` variables are layered on by the fairing.
pub fn figment() -> Figment {
    rocket::Config::figment()
}

/// The Portcullis server built from `figment`: the binary, the tests and anyone who
/// wants the whole server go through here.
pub fn rocket(figment: Figment) -> Rocket<Build> {
    rocket::custom(figment).attach(fairing())
}
