//! Forward authentication for reverse proxies (SPEC §5): nginx `auth_request`,
//! Traefik `forwardAuth` and Caddy `forward_auth` ask Portcullis whether a request
//! to another app may pass, with Authelia's endpoints and headers so existing proxy
//! configurations carry over. `docs/PROXIES.md` is the user's guide.
//!
//! - [`target`] parses the forwarded request strictly (fail closed).
//! - [`rules`] holds the compiled `access_rules` and decides.
//! - [`answer`] speaks each proxy's dialect.
//! - [`routes`] is the HTTP face: the trusted-proxy check, the session cookie (the
//!   browser guards' own code, sliding refresh included) and the answers.

pub mod answer;
pub mod routes;
pub mod rules;
pub mod target;

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::{Build, Rocket};

use crate::auth::Auth;
pub use rules::{Decision, RuleError, Rules};

/// Compiles the access rules into Rocket state and mounts the forward-auth routes.
/// The Portcullis fairing attaches it after managing [`Auth`], whose configuration
/// has already been validated (bad rules stopped the launch there).
pub struct Authz;

#[rocket::async_trait]
impl Fairing for Authz {
    fn info(&self) -> Info {
        Info {
            name: "Portcullis forward-auth",
            kind: Kind::Ignite | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let Some(auth) = rocket.state::<Auth>() else {
            rocket::error!("Portcullis forward-auth needs the Portcullis fairing");
            return Err(rocket);
        };
        let config = auth.config();
        match Rules::compile(config.default_policy, &config.access_rules) {
            Ok(rules) => {
                let at = config.mount_point();
                Ok(rocket.manage(rules).mount(at, routes::routes()))
            }
            Err(e) => {
                rocket::error!("Portcullis cannot start: invalid `access_rules`: {e}");
                Err(rocket)
            }
        }
    }
}
