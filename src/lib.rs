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
pub mod doctor;
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

/// The configuration file Rocket reads: `ROCKET_CONFIG` (default `Rocket.toml`),
/// a relative path looked up in the current directory and then its parents, as
/// Rocket does. `None` when there is none.
pub fn config_file() -> Option<std::path::PathBuf> {
    let name = std::env::var_os("ROCKET_CONFIG").unwrap_or_else(|| "Rocket.toml".into());
    let path = std::path::PathBuf::from(name);
    if path.is_absolute() {
        return path.is_file().then_some(path);
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|dir| dir.join(&path))
        .find(|candidate| candidate.is_file())
}

/// Why the configuration file named by `ROCKET_CONFIG` cannot be read, if it is set
/// and names no file. Rocket itself would silently fall back to every default, which
/// for a service (the systemd unit sets `ROCKET_CONFIG=/etc/portcullis/Rocket.toml`)
/// means a wrong data dir and `public_url`: the binary refuses to start instead.
/// `ROCKET_CONFIG=/dev/null` says "no file, built-in defaults".
pub fn config_file_problem() -> Option<String> {
    let path = std::path::PathBuf::from(std::env::var_os("ROCKET_CONFIG")?);
    let found = config_file().is_some() || path == std::path::Path::new("/dev/null");
    (!found).then(|| {
        format!(
            "ROCKET_CONFIG={} names no readable file; create it or unset ROCKET_CONFIG",
            path.display()
        )
    })
}

/// The Portcullis server built from `figment`: the binary, the tests and anyone who
/// wants the whole server go through here.
pub fn rocket(figment: Figment) -> Rocket<Build> {
    rocket::custom(figment).attach(fairing())
}
