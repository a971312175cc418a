//! Portcullis's configuration: the `[default.portcullis]` table of `Rocket.toml`
//! (SPEC §1 and §6), overridable key by key with `PORTCULLIS_<KEY>` variables.
//!
//! The table is extracted once at ignition; an unknown or invalid key stops the launch
//! with a message naming it, while an unknown `PORTCULLIS_*` variable is only warned
//! about (a typo in a shell profile should not take the gate down).

use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use rocket::figment::providers::Serialized;
use rocket::figment::value::Value;
use rocket::figment::{Figment, Profile};
use serde::{Deserialize, Serialize};
use url::Url;

mod kinds;
mod serde_time;
mod validate;

pub use kinds::*;
use serde_time::{duration, optional_duration};

/// The figment key under which Portcullis's settings live.
pub const NAMESPACE: &str = "portcullis";

/// Prefix of the environment variables that override single settings.
pub const ENV_PREFIX: &str = "PORTCULLIS_";

/// Every setting of SPEC §1 and §6, with its default. It serialises back to the
/// same keys, which is how the `PORTCULLIS_*` variables know them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Lifetime of one access token (cookie or bearer).
    #[serde(with = "duration")]
    pub access_token_ttl: Duration,
    /// A session unused this long is over.
    #[serde(with = "duration")]
    pub session_idle_timeout: Duration,
    /// Idle timeout of a session opened with "remember me".
    #[serde(with = "duration")]
    pub remember_idle_timeout: Duration,
    /// Absolute cap from login; zero means none.
    #[serde(with = "duration")]
    pub session_lifetime: Duration,
    /// API refresh token lifetime (never past `session_lifetime`).
    #[serde(with = "duration")]
    pub refresh_token_ttl: Duration,
    /// How long a just-rotated credential may be presented again without being theft.
    #[serde(with = "duration")]
    pub refresh_reuse_grace: Duration,
    /// How long a password confirmation unlocks sensitive actions.
    #[serde(with = "duration")]
    pub reauth_window: Duration,
    /// Minimum password length in Unicode code points.
    pub password_min_length: usize,
    /// Where the sled database, the keys and the generated `secret_key` live.
    pub data_dir: PathBuf,
    /// The portal's external URL, used in redirects.
    pub public_url: Url,
    /// `Secure` cookies with a `__Host-`/`__Secure-` prefix; follows `public_url` when unset.
    pub cookie_secure: Option<bool>,
    /// Domain attribute of the session cookie, for single sign-on across subdomains.
    pub cookie_domain: Option<String>,
    /// Who may create an account.
    pub registration: Registration,
    /// Peers whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Extra hosts a post-login redirect may point to.
    pub allowed_redirect_hosts: Vec<String>,
    /// Forward-auth policy when no rule matches.
    pub default_policy: Policy,
    /// Forward-auth rules, first match wins.
    pub access_rules: Vec<AccessRule>,
    /// argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// argon2id time cost.
    pub argon2_iterations: u32,
    /// argon2id lanes.
    pub argon2_parallelism: u32,
    /// argon2 jobs at once; the rest wait.
    pub max_concurrent_hashes: usize,
    /// argon2 jobs one account may have queued or running; more answer 429.
    pub max_hashes_per_account: usize,
    /// argon2 jobs queued or running in all; more answer 503.
    pub max_queued_hashes: usize,
    /// Failed logins per client IP per 5 minutes before 429.
    pub login_ip_limit: u32,
    /// Registrations (and reset/invite uses) per client IP per minute.
    pub register_rate_limit: u32,
    /// IPv6 clients are counted by their network of this many bits for the per-IP
    /// limits (one subscriber usually holds a whole /64).
    pub ipv6_prefix_length: u8,
    /// Optional folder whose templates override the embedded ones by file name.
    pub templates_dir: Option<PathBuf>,
    /// How often the sweeper deletes what has ended (SPEC §12).
    #[serde(with = "duration")]
    pub sweep_interval: Duration,
    /// Audit records older than this are deleted by the sweeper.
    #[serde(with = "duration")]
    pub audit_retention: Duration,
    /// Clients that may read `GET /metrics`; everyone else gets `404`.
    pub metrics_allowed: Vec<IpNet>,
    /// The request log's format (binary only; an embedding app sets up its own).
    pub log_format: LogFormat,
    /// Whether every user must enrol a second factor (SPEC §10).
    pub second_factor: SecondFactor,
    /// Members of these groups must enrol a second factor.
    pub second_factor_groups: Vec<String>,
    /// Where users, sessions and throttles live (SPEC §13).
    pub store: StoreKind,
    /// With `store = "postgres"`: `postgres://user:password@host:port/database`.
    pub database_url: Option<DatabaseUrl>,
    /// Cut off from PostgreSQL, an instance answers from its mirror this long, then
    /// refuses authenticated requests with 503 until it has caught up.
    #[serde(with = "duration")]
    pub max_staleness: Duration,
    /// Which requests move a session's "last seen" (SPEC §11 `idle_counts`).
    pub idle_counts: IdleCounts,
}

impl Default for Config {
    fn default() -> Self {
        const MINUTE: u64 = 60;
        const DAY: u64 = 24 * 60 * MINUTE;
        Config {
            access_token_ttl: Duration::from_secs(15 * MINUTE),
            session_idle_timeout: Duration::from_secs(DAY),
            remember_idle_timeout: Duration::from_secs(14 * DAY),
            session_lifetime: Duration::from_secs(30 * DAY),
            refresh_token_ttl: Duration::from_secs(30 * DAY),
            refresh_reuse_grace: Duration::from_secs(10),
            reauth_window: Duration::from_secs(10 * MINUTE),
            password_min_length: 12,
            data_dir: PathBuf::from("data"),
            public_url: Url::parse("http://localhost:8000").expect("static URL parses"),
            cookie_secure: None,
            cookie_domain: None,
            registration: Registration::Open,
            trusted_proxies: vec![
                "127.0.0.0/8".parse().expect("static net parses"),
                "::1/128".parse().expect("static net parses"),
            ],
            allowed_redirect_hosts: Vec::new(),
            default_policy: Policy::Authenticated,
            access_rules: Vec::new(),
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            max_concurrent_hashes: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_hashes_per_account: 2,
            max_queued_hashes: 64,
            login_ip_limit: 50,
            register_rate_limit: 10,
            ipv6_prefix_length: 64,
            templates_dir: None,
            sweep_interval: Duration::from_secs(10 * MINUTE),
            audit_retention: Duration::from_secs(400 * DAY),
            metrics_allowed: vec![
                "127.0.0.0/8".parse().expect("static net parses"),
                "::1/128".parse().expect("static net parses"),
            ],
            log_format: LogFormat::Text,
            second_factor: SecondFactor::Optional,
            second_factor_groups: Vec::new(),
            store: StoreKind::Sled,
            database_url: None,
            max_staleness: Duration::from_secs(5),
            idle_counts: IdleCounts::Navigation,
        }
    }
}

/// Why the configuration cannot be used; the message names the offending key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key is unknown or its value does not parse.
    #[error("invalid [portcullis] configuration: {0}")]
    Parse(#[from] Box<rocket::figment::Error>),
    /// A key parses but its value cannot work.
    #[error("invalid [portcullis] configuration: `{key}` {reason}")]
    Invalid { key: &'static str, reason: String },
}

impl Config {
    /// Extracts and checks the `portcullis` table from `figment`, with the
    /// `PORTCULLIS_*` variables of this process layered on top.
    pub fn from_figment(figment: &Figment) -> Result<Config, ConfigError> {
        Config::from_figment_and_env(figment, std::env::vars())
    }

    fn from_figment_and_env(
        figment: &Figment,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let figment = figment.clone().merge(env_layer(vars));
        let config: Config = match figment.find_value(NAMESPACE) {
            Ok(_) => figment.extract_inner(NAMESPACE).map_err(Box::new)?,
            Err(_) => Config::default(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Whether cookies carry `Secure` and a `__Host-`/`__Secure-` prefix.
    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure
            .unwrap_or(self.public_url.scheme() == "https")
    }

    /// The path Portcullis's pages live under: `public_url`'s path without the
    /// trailing slash (`""` for a portal at the root, `"/auth"` for
    /// `https://example.com/auth/`). Routes are mounted there and every link and
    /// redirect starts with it.
    pub fn base_path(&self) -> &str {
        self.public_url.path().trim_end_matches('/')
    }

    /// `path` (starting with `/`) under [`base_path`](Config::base_path).
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base_path())
    }

    /// Where the routes are mounted: the base path, or `/`.
    pub fn mount_point(&self) -> String {
        match self.base_path() {
            "" => "/".to_owned(),
            base => base.to_owned(),
        }
    }

    /// `session_lifetime`, or `None` when sessions have no absolute cap.
    pub fn session_lifetime(&self) -> Option<Duration> {
        (!self.session_lifetime.is_zero()).then_some(self.session_lifetime)
    }
}

/// The keys a `PORTCULLIS_<KEY>` variable may set: the fields of [`Config`], read
/// off its serialised default so that a new setting needs no second list.
fn known_keys() -> Vec<String> {
    match serde_json::to_value(Config::default()) {
        Ok(serde_json::Value::Object(fields)) => fields.into_iter().map(|(key, _)| key).collect(),
        _ => Vec::new(),
    }
}

/// Turns `PORTCULLIS_<KEY>=value` pairs into a figment layer that overrides the
/// `portcullis` table in every profile. Values parse like Rocket's own variables
/// (`60`, `"15m"`, `["a.example"]`); unknown keys are warned about and dropped.
pub fn env_layer(vars: impl IntoIterator<Item = (String, String)>) -> Figment {
    let known = known_keys();
    let mut layer = Figment::new();
    for (name, raw) in vars {
        let Some(key) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        if !known.contains(&key) {
            rocket::warn!("ignoring unknown environment variable {name}");
            continue;
        }
        let value: Value = raw.parse().unwrap_or_else(|_| Value::from(raw.clone()));
        let provider = Serialized::from(value, Profile::Global).key(&format!("{NAMESPACE}.{key}"));
        layer = layer.merge(provider);
    }
    layer
}

#[cfg(test)]
mod tests;
