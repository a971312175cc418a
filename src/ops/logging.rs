//! The binary's log (SPEC §12): `tracing` events written by `tracing-subscriber`,
//! as text or JSON lines (`log_format`), at the level of Rocket's `log_level`.
//!
//! Rocket logs through the `log` crate and, left alone, prints every request's raw
//! path, so a one-time link's token would land in the log. [`init`] installs a
//! bridge before Rocket can install its own logger: Rocket's per-request chatter is
//! dropped (the request fairing writes one line instead, [`super::request_log`]), and
//! every other message has one-time link tokens and bearer credentials
//! [`redact`]ed before it is written. An embedding app that sets up its own logging
//! keeps its own choices; the request lines are ordinary `tracing` events with the
//! target `portcullis::request`.

use std::sync::LazyLock;

use regex::Regex;
use rocket::figment::Figment;
use tracing_subscriber::filter::LevelFilter;

use crate::config::{Config, LogFormat};

/// Path segments after which the next segment is a one-time link token.
const TOKEN_PARENTS: [&str; 4] = ["setup", "invite", "reset", "link"];

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// One-time link tokens after their path segment, `Bearer` credentials, and PASETO
/// tokens wherever they appear in free text.
static SECRETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?P<keep>/(?:setup|invite|reset|link)/|bearer\s+)[^\s/?#<][^\s/?#]*|v4\.local\.[A-Za-z0-9_\-.]+",
    )
    .expect("static regex compiles")
});

/// `text` with every one-time link token, bearer credential and PASETO token
/// replaced by [`REDACTED`].
pub fn redact(text: &str) -> String {
    SECRETS
        .replace_all(text, |caps: &regex::Captures<'_>| match caps.name("keep") {
            Some(keep) => format!("{}{REDACTED}", keep.as_str()),
            None => REDACTED.to_owned(),
        })
        .into_owned()
}

/// A request path as logged: no query, and the segment after `setup`, `invite`,
/// `reset` or `link` replaced by [`REDACTED`].
pub fn loggable_path(path: &str) -> String {
    let mut previous = "";
    let segments: Vec<&str> = path
        .split('/')
        .map(|segment| {
            let shown = if TOKEN_PARENTS.contains(&previous) && !segment.is_empty() {
                REDACTED
            } else {
                segment
            };
            previous = segment;
            shown
        })
        .collect();
    segments.join("/")
}

/// Installs the subscriber and the `log` bridge for the binary, from the same
/// configuration the server will read (a configuration error is left for the
/// fairing to report). Call it before building Rocket; a second call does nothing.
pub fn init(figment: &Figment) {
    let format = Config::from_figment(figment).map_or(LogFormat::Text, |c| c.log_format);
    let level = match figment.extract_inner::<rocket::config::LogLevel>("log_level") {
        Ok(rocket::config::LogLevel::Off) => LevelFilter::OFF,
        Ok(rocket::config::LogLevel::Critical) => LevelFilter::WARN,
        Ok(rocket::config::LogLevel::Debug) => LevelFilter::DEBUG,
        Ok(rocket::config::LogLevel::Normal) | Err(_) => LevelFilter::INFO,
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stdout)
        .with_target(false);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    if installed.is_ok() && log::set_boxed_logger(Box::new(Bridge)).is_ok() {
        log::set_max_level(match level {
            LevelFilter::OFF => log::LevelFilter::Off,
            LevelFilter::WARN => log::LevelFilter::Warn,
            LevelFilter::DEBUG => log::LevelFilter::Debug,
            _ => log::LevelFilter::Info,
        });
    }
}

/// Forwards `log` records (Rocket's) to `tracing`, redacted.
struct Bridge;

impl log::Log for Bridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        let level = record.level();
        // Rocket's own per-request lines (`GET /setup/… text/html:`, `Matched: …`):
        // the request fairing's one line replaces them.
        let per_request =
            record.target().starts_with("rocket::server") && level >= log::Level::Info;
        let dependency = ["hyper", "rustls", "h2"]
            .iter()
            .any(|name| record.target().starts_with(name));
        if !self.enabled(record.metadata())
            || per_request
            || (dependency && level > log::Level::Warn)
        {
            return;
        }
        let message = redact(&record.args().to_string());
        // Rocket logs its launch banner as a warning so that it shows at
        // `critical`; where information is shown anyway, it is information.
        let launch = record.target().starts_with("rocket::launch");
        let level = if launch && log::max_level() >= log::LevelFilter::Info {
            log::Level::Info
        } else {
            level
        };
        match level {
            log::Level::Error => tracing::error!(target: "rocket", "{message}"),
            log::Level::Warn => tracing::warn!(target: "rocket", "{message}"),
            log::Level::Info => tracing::info!(target: "rocket", "{message}"),
            log::Level::Debug => tracing::debug!(target: "rocket", "{message}"),
            log::Level::Trace => tracing::trace!(target: "rocket", "{message}"),
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_tokens_and_bearer_credentials_are_redacted() {
        assert_eq!(
            loggable_path("/auth/setup/AbC-123_x"),
            "/auth/setup/<redacted>"
        );
        assert_eq!(loggable_path("/reset/tok/extra"), "/reset/<redacted>/extra");
        assert_eq!(loggable_path("/account/sessions"), "/account/sessions");
        assert_eq!(
            redact("(setup_show) GET /setup/<token>"),
            "(setup_show) GET /setup/<token>"
        );
        assert_eq!(
            redact("No matching routes for GET /invite/s3cr3t?x=1 text/html."),
            "No matching routes for GET /invite/<redacted>?x=1 text/html."
        );
        assert_eq!(
            redact("Authorization: Bearer abc.def"),
            "Authorization: Bearer <redacted>"
        );
        assert_eq!(
            redact("token v4.local.AAAA-bb_cc.dd end"),
            "token <redacted> end"
        );
    }
}
