//! The checks a configuration passes before the launch: values that parse but
//! cannot work (a zero lifetime, a URL without a host, argon2 parameters argon2
//! refuses) stop it with a message naming the key.

use super::{Config, ConfigError, StoreKind};

impl Config {
    /// Refuses values that parse but cannot work, naming the key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_owned(),
            })
        };
        if self.access_token_ttl.is_zero() {
            return invalid("access_token_ttl", "must be longer than zero");
        }
        if self.session_idle_timeout.is_zero() || self.remember_idle_timeout.is_zero() {
            return invalid("session_idle_timeout", "must be longer than zero");
        }
        if !matches!(self.public_url.scheme(), "http" | "https") || !self.public_url.has_host() {
            return invalid("public_url", "must be an http(s) URL with a host");
        }
        if !(1..=1024).contains(&self.password_min_length) {
            return invalid("password_min_length", "must be between 1 and 1024");
        }
        if self.sweep_interval.is_zero() {
            return invalid("sweep_interval", "must be longer than zero");
        }
        if self.store == StoreKind::Postgres && self.database_url.is_none() {
            return invalid("database_url", "is needed with store = \"postgres\"");
        }
        if self.max_concurrent_hashes == 0 {
            return invalid("max_concurrent_hashes", "must be at least 1");
        }
        if !(1..=128).contains(&self.ipv6_prefix_length) {
            return invalid("ipv6_prefix_length", "must be between 1 and 128");
        }
        if self.max_hashes_per_account == 0 || self.max_queued_hashes == 0 {
            return invalid(
                "max_queued_hashes",
                "and `max_hashes_per_account` must be at least 1",
            );
        }
        if let Err(e) = argon2::Params::new(
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            None,
        ) {
            return invalid("argon2_memory_kib", &format!("(argon2 parameters): {e}"));
        }
        if let Some(domain) = &self.cookie_domain
            && (domain.is_empty() || domain.contains(['/', ':', ';', ' ']))
        {
            return invalid("cookie_domain", "must be a bare domain name");
        }
        Ok(())
    }
}
