//! The small types of the configuration: which policies and engines it names,
//! the access rules, and the database URL whose `Debug` hides its password.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::optional_duration;

/// Who may create an account (SPEC §6 `registration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Anyone may register.
    Open,
    /// Only through invite links.
    Invite,
    /// Nobody may register; admins create accounts.
    Closed,
}

/// What forward-auth does with a request (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Anyone passes, logged in or not.
    #[serde(alias = "bypass")]
    Allow,
    /// A logged-in user passes (limited to the rule's groups when it names some).
    #[serde(alias = "one_factor")]
    Authenticated,
    /// Nobody passes.
    Deny,
    /// A user who also proved a second factor (`aal` 2) passes (SPEC §10).
    #[serde(rename = "two_factor")]
    TwoFactor,
}

/// Who must have a second factor (SPEC §10 `second_factor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecondFactor {
    /// Users may enrol one (members of `second_factor_groups` must).
    Optional,
    /// Every user must enrol one before any other page.
    Required,
}

/// One forward-auth access rule (SPEC §5); rules are matched in order.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRule {
    /// Host the rule applies to: exact, or `*.example.com` for any subdomain.
    pub domain: String,
    /// Path regexes; empty means every path.
    #[serde(default)]
    pub resources: Vec<String>,
    /// HTTP methods; empty means every method.
    #[serde(default)]
    pub methods: Vec<String>,
    /// What happens to a matching request.
    pub policy: Policy,
    /// With `authenticated`: the user must be in one of these groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// An authentication older than this must be confirmed again (step-up); for
    /// `two_factor` rules, the second factor's age counts (SPEC §10).
    #[serde(
        default,
        with = "optional_duration",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_auth_age: Option<Duration>,
}

/// The store engine (SPEC §13 `store`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    /// The embedded sled database in `data_dir`: one instance.
    #[default]
    Sled,
    /// A PostgreSQL database shared by any number of instances.
    Postgres,
}

/// A database URL; its `Debug` form hides the password.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct DatabaseUrl(pub String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match Url::parse(&self.0) {
            Ok(mut url) => {
                if url.password().is_some() {
                    let _ = url.set_password(Some("***"));
                }
                write!(f, "{url}")
            }
            Err(_) => f.write_str("(unparsable URL)"),
        }
    }
}

/// Which requests count as activity for the idle timeout (SPEC §11 `idle_counts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdleCounts {
    /// Only what a person does: top-level navigations (or no `Sec-Fetch-*` at all).
    Navigation,
    /// Every request, background fetches included.
    Any,
}

/// How the request log is written (SPEC §12 `log_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `key=value` fields after the message, one line per event.
    Text,
    /// One JSON object per line.
    Json,
}
