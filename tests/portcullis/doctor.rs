//! `portcullis doctor` (SPEC §12): every configuration, data dir and hashing check
//! on a good and a bad deployment. `doctor_live.rs` has the live checks, the probe,
//! the admin page and the command line; `doctor_proxy.rs` runs the doctor through
//! real nginx and Caddy.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use portcullis::config::Config;
use portcullis::doctor::{Check, argon2, config, files};
use rocket::figment::Figment;
use serde_json::json;

use crate::helpers::TestApp;

/// A configuration from `settings` (JSON), checked as the server would.
fn with(settings: serde_json::Value) -> Config {
    let figment = Figment::new().merge(("portcullis", settings));
    Config::from_figment(&figment).expect("valid configuration")
}

pub fn failed(checks: &[Check]) -> Vec<&str> {
    checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.summary.as_str())
        .collect()
}

/// The one failed check whose summary contains `words`; it must carry a fix.
pub fn fails_with<'c>(checks: &'c [Check], words: &str) -> &'c Check {
    let check = checks
        .iter()
        .find(|c| c.summary.contains(words))
        .unwrap_or_else(|| panic!("no check mentions {words:?}: {checks:#?}"));
    assert!(!check.ok, "{check:?}");
    assert!(
        check.fix.as_deref().is_some_and(|f| !f.is_empty()),
        "{check:?}"
    );
    check
}

const GOOD: fn() -> serde_json::Value = || {
    json!({
        "public_url": "https://auth.example.com",
        "cookie_domain": "example.com",
        "trusted_proxies": ["127.0.0.1/32"],
        "access_rules": [
            {"domain": "wiki.example.com", "policy": "authenticated"},
            {"domain": "*.apps.example.com", "policy": "authenticated"},
        ],
    })
};

#[test]
fn a_sound_configuration_passes_every_check() {
    let checks = config::checks(&with(GOOD()));
    assert!(failed(&checks).is_empty(), "{checks:#?}");
    assert_eq!(checks.len(), 6, "{checks:#?}");
}

#[test]
fn plain_http_on_a_network_host_is_flagged() {
    let checks = config::checks(&with(json!({"public_url": "http://auth.example.com"})));
    fails_with(&checks, "plain http on a network host");
    let local = config::checks(&with(json!({"public_url": "http://127.0.0.1:8000"})));
    assert!(failed(&local).is_empty(), "{local:#?}");
}

#[test]
fn cookie_secure_against_the_scheme_is_flagged_both_ways() {
    let mut off = GOOD();
    off["cookie_secure"] = json!(false);
    fails_with(&config::checks(&with(off)), "cookie_secure = false");
    let on = json!({"public_url": "http://auth.example.com", "cookie_secure": true});
    fails_with(&config::checks(&with(on)), "cookie_secure = true");
}

#[test]
fn a_public_suffix_or_foreign_cookie_domain_is_flagged() {
    for suffix in ["co.uk", "github.io", "com"] {
        let settings = json!({"public_url": format!("https://auth.example.{suffix}"), "cookie_domain": suffix});
        let checks = config::checks(&with(settings));
        fails_with(&checks, "is a public suffix");
    }
    let mut foreign = GOOD();
    foreign["cookie_domain"] = json!("other.org");
    fails_with(
        &config::checks(&with(foreign)),
        "does not contain public_url's host",
    );
}

#[test]
fn trusting_every_address_is_flagged() {
    let mut settings = GOOD();
    settings["trusted_proxies"] = json!(["0.0.0.0/0"]);
    fails_with(
        &config::checks(&with(settings)),
        "trusted_proxies contains 0.0.0.0/0",
    );
}

#[test]
fn an_access_rule_the_cookie_or_redirects_cannot_reach_is_flagged() {
    let mut settings = GOOD();
    settings["access_rules"] = json!([{"domain": "wiki.other.org", "policy": "authenticated"}]);
    settings["allowed_redirect_hosts"] = json!(["wiki.other.org"]);
    fails_with(
        &config::checks(&with(settings)),
        "access rule for wiki.other.org",
    );
    let no_domain = json!({
        "public_url": "https://auth.example.com",
        "access_rules": [{"domain": "*.example.com", "policy": "allow"}],
    });
    fails_with(
        &config::checks(&with(no_domain)),
        "the session cookie never reaches it",
    );
}

#[test]
fn argon2_below_the_owasp_minimum_or_too_slow_is_flagged() {
    let weak = with(json!({"argon2_memory_kib": 4096, "argon2_iterations": 1}));
    fails_with(
        &[argon2::judge(&weak, Duration::from_millis(5))],
        "below OWASP's minimum",
    );
    let default = Config::default();
    assert!(argon2::judge(&default, Duration::from_millis(60)).ok);
    fails_with(
        &[argon2::judge(&default, Duration::from_secs(3))],
        "takes 3000 ms",
    );
    let other_owasp = with(json!({"argon2_memory_kib": 12288, "argon2_iterations": 3}));
    assert!(argon2::judge(&other_owasp, Duration::from_millis(60)).ok);
}

#[test]
fn the_data_dir_of_a_started_server_passes_and_loosened_modes_fail() {
    let app = TestApp::spawn();
    let dir = app.data_dir();
    // The test's temporary dir existed before the server (which only sets the mode
    // of a dir it creates): make it what a first start makes.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let checks = files::checks(&dir);
    assert!(failed(&checks).is_empty(), "{checks:#?}");

    let key = std::fs::read_dir(dir.join("keys"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loosened = files::checks(&dir);
    let check = fails_with(&loosened, "has mode 0644");
    assert!(check.fix.as_deref().unwrap().contains("chmod"));

    std::fs::remove_file(&key).unwrap();
    fails_with(&files::checks(&dir), "no signing key");

    std::fs::remove_file(dir.join("secret_key")).unwrap();
    fails_with(&files::checks(&dir), "no secret_key");
}

#[test]
fn a_missing_data_dir_is_fine_and_a_file_is_not() {
    let dir = tempfile::tempdir().unwrap();
    assert!(failed(&files::checks(&dir.path().join("data"))).is_empty());
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    fails_with(&files::checks(&file), "is not a directory");
}

#[test]
fn a_world_readable_config_file_holding_the_secret_key_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Rocket.toml");
    std::fs::write(
        &file,
        "[default]\nsecret_key = \"hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .arg("doctor")
            .current_dir(dir.path())
            .env("ROCKET_CONFIG", &file)
            .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
            .output()
            .unwrap()
    };
    let out = crate::cli::text(&run());
    assert!(
        out.contains("holds a secret_key and is readable by every user (mode 0644)"),
        "{out}"
    );
    assert!(
        out.contains(&format!("fix: chmod 640 {}", file.display())),
        "{out}"
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = crate::cli::text(&run());
    assert!(
        out.contains(&format!("✓ configuration read from {}", file.display())),
        "{out}"
    );
}
