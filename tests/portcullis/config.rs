//! First start and configuration at launch (SPEC §6).

use std::os::unix::fs::PermissionsExt;

use rocket::figment::value::Dict;

use crate::helpers::{TestApp, figment};

#[test]
fn first_start_creates_the_store_a_key_file_and_a_secret_key() {
    let app = TestApp::spawn();
    let dir = app.data_dir();

    let keys: Vec<_> = std::fs::read_dir(dir.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(keys.len(), 1);
    let key = std::fs::read_to_string(&keys[0]).unwrap();
    assert!(key.starts_with("k4.local."), "a PASERK k4.local key");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&keys[0]), 0o600);
    assert_eq!(mode(&dir.join("secret_key")), 0o600);
    assert!(dir.join("db").is_dir());
}

fn launch_error(settings: &[(&str, rocket::figment::value::Value)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut dict = Dict::new();
    dict.insert("data_dir".into(), dir.path().display().to_string().into());
    for (k, v) in settings {
        dict.insert((*k).into(), v.clone());
    }
    let rocket = rocket::custom(figment(&dict)).attach(portcullis::fairing());
    let error = rocket::execute(rocket.ignite()).expect_err("launch must be refused");
    error.to_string()
}

#[test]
fn an_unknown_key_stops_the_launch() {
    // The message naming the key is what the operator reads: the real binary's.
    let dir = tempfile::tempdir().unwrap();
    let rocket_toml = dir.path().join("Rocket.toml");
    std::fs::write(&rocket_toml, "[default.portcullis]\nsesion_lifetime = 5\n").unwrap();

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .current_dir(dir.path())
        .env("ROCKET_CONFIG", &rocket_toml)
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", "0")
        .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
        .output()
        .expect("the portcullis binary runs");

    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success(), "{printed}");
    assert!(printed.contains("sesion_lifetime"), "{printed}");
    let in_process = launch_error(&[("sesion_lifetime", 5.into())]);
    assert!(
        in_process.to_lowercase().contains("fairing"),
        "{in_process}"
    );
}

#[test]
fn an_invalid_value_stops_the_launch() {
    launch_error(&[("access_token_ttl", "soon".into())]);
    launch_error(&[("public_url", "not a url".into())]);
    launch_error(&[("argon2_memory_kib", 1.into())]);
}

#[test]
fn a_second_server_on_the_same_data_dir_is_refused() {
    let app = TestApp::spawn();
    let mut dict = Dict::new();
    dict.insert(
        "data_dir".into(),
        app.data_dir().display().to_string().into(),
    );

    let rocket = rocket::custom(figment(&dict)).attach(portcullis::fairing());

    let refused = rocket::execute(rocket.ignite()).map_err(|e| e.to_string());
    assert!(refused.is_err());
}
