//! Forward authentication for reverse proxies (SPEC §5): nginx `auth_request`,
//! Traefik `forwardAuth` and Caddy `forward_auth` ask Portcullis whether a request
//! to another app may pass, with Authelia's endpoints and headers so existing proxy
//! configurations carry over. `docs/PROXIES.md` is the user's guide.
//!
//! - [`target`] parses the forwarded request strictly (fail closed).
//! - [`rules`] holds the compiled `access_rules` and decides. The Portcullis fairing
//!   compiles them once, before anything else is opened, and manages the [`Rules`].
//! - [`answer`] speaks each proxy's dialect.
//! - [`bearer`] lets personal access tokens through for the hosts in their scope.
//! - [`routes`] is the HTTP face: the trusted-proxy check, the session cookie (the
//!   browser guards' own code, sliding refresh included) and the answers.

pub mod answer;
pub mod bearer;
pub mod known;
mod proof;
pub mod routes;
pub mod rules;
pub mod target;

pub use rules::{Decision, RuleError, Rules};
