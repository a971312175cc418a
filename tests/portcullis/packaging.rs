//! The Debian package's files (packaging/debian/, SPEC §12): the shipped
//! `/etc/portcullis/Rocket.toml` names every key at its default, the unit points the
//! binary at it, and a `ROCKET_CONFIG` naming no file stops the binary instead of
//! silently running on defaults. `scripts/deb-test.sh` builds, installs and runs the
//! real package.

use std::collections::BTreeSet;
use std::path::Path;

use portcullis::config::Config;
use rocket::figment::Figment;
use rocket::figment::providers::{Format, Toml};
use rocket::figment::value::{Dict, Value};

use crate::cli::text;

const PACKAGED: &str = include_str!("../../packaging/debian/Rocket.toml");
const REPO: &str = include_str!("../../Rocket.toml");
const UNIT: &str = include_str!("../../packaging/debian/portcullis.service");

/// The packaged file with every `# key = value` line and `# [table]` header
/// uncommented: what an admin gets by removing the `# ` in front of each setting.
fn uncommented() -> String {
    PACKAGED
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if is_setting(rest) => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_setting(line: &str) -> bool {
    let key: String = line
        .chars()
        .take_while(|c| *c == '_' || c.is_ascii_lowercase() || c.is_ascii_digit())
        .collect();
    !key.is_empty() && line[key.len()..].starts_with(" = ")
}

fn table(source: &str, path: &str) -> Dict {
    let figment = Figment::from(Toml::string(source));
    match figment.find_value(path) {
        Ok(Value::Dict(_, dict)) => dict,
        other => panic!("{path} is not a table: {other:?}"),
    }
}

fn keys(dict: &Dict) -> BTreeSet<String> {
    dict.keys().cloned().collect()
}

/// Every key the configuration knows, from its own serialisation.
fn known_keys() -> BTreeSet<String> {
    let value = serde_json::to_value(Config::default()).unwrap();
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_packaged_config_mentions_every_known_key() {
    for key in known_keys() {
        let mentioned = PACKAGED.lines().any(|l| {
            l.trim_start_matches(['#', ' '])
                .starts_with(&format!("{key} = "))
        });
        assert!(
            mentioned,
            "packaging/debian/Rocket.toml does not mention `{key}`"
        );
    }
}

#[test]
fn uncommented_it_holds_the_repository_keys_at_their_defaults() {
    let packaged = uncommented();
    for path in ["default", "default.limits", "default.portcullis"] {
        let ours = table(&packaged, path);
        for (key, value) in table(REPO, path) {
            if key == "data_dir" || matches!(value, Value::Dict(..)) {
                continue;
            }
            assert_eq!(
                ours.get(&key),
                Some(&value),
                "{path}.{key} differs from Rocket.toml"
            );
        }
    }
    assert!(keys(&table(&packaged, "default.portcullis")).contains("data_dir"));
}

#[test]
fn uncommented_it_parses_to_the_built_in_defaults() {
    let figment = Figment::from(Toml::string(&uncommented()).nested());
    let config = Config::from_figment(&figment).expect("the uncommented file is valid");
    let mut got = serde_json::to_value(&config).unwrap();
    let mut want = serde_json::to_value(Config::default()).unwrap();
    for value in [&mut got, &mut want] {
        let object = value.as_object_mut().unwrap();
        object.remove("max_concurrent_hashes");
    }
    assert_eq!(got["data_dir"], "/var/lib/portcullis");
    got["data_dir"] = want["data_dir"].clone();
    assert_eq!(got, want);
}

#[test]
fn the_commented_file_as_shipped_only_moves_the_data_dir() {
    let figment = Figment::from(Toml::string(PACKAGED).nested());
    let config = Config::from_figment(&figment).expect("the shipped file is valid");
    assert_eq!(config.data_dir, Path::new("/var/lib/portcullis"));
    assert_eq!(config.public_url.as_str(), "http://localhost:8000/");
}

#[test]
fn the_unit_runs_the_packaged_config_as_the_service_user() {
    for line in [
        "Environment=ROCKET_CONFIG=/etc/portcullis/Rocket.toml",
        "ExecStart=/usr/bin/portcullis serve",
        "User=portcullis",
        "ReadWritePaths=/var/lib/portcullis",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=",
    ] {
        assert!(UNIT.lines().any(|l| l == line), "unit lacks {line:?}");
    }
}

#[test]
fn a_rocket_config_naming_no_file_stops_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["serve"][..], &["user", "list"], &["doctor"]] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .args(args)
            .current_dir(dir.path())
            .env("ROCKET_CONFIG", "/nonexistent/portcullis/Rocket.toml")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            text(&output).contains("ROCKET_CONFIG=/nonexistent/portcullis/Rocket.toml names no"),
            "{args:?}: {}",
            text(&output)
        );
        assert!(!dir.path().join("data").exists(), "nothing was created");
    }
    let defaults = crate::cli::portcullis(dir.path(), &["user", "list"], None);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"));
    let null = command
        .args(["user", "list"])
        .current_dir(dir.path())
        .env("ROCKET_CONFIG", "/dev/null")
        .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(
        defaults.status.success() && null.status.success(),
        "{}",
        text(&null)
    );
}
