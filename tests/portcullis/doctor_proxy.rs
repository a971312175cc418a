//! `portcullis doctor --url` through the real nginx and Caddy configs of
//! `docs/proxies/` (SPEC §12): as written they pass the live checks; a copy
//! without `X-Forwarded-For`, or a portal that does not trust its proxy, is flagged.
//! Run with `cargo test -- --ignored proxy`; a missing program fails the test.

use rocket::figment::value::{Dict, Value};

use crate::cli::text;
use crate::proxy::{Caddy, Nginx, Portal, free_port};

/// The lines of the doctor's "through the proxy" section, for a portal behind a
/// proxy on `port`.
fn doctor_through(port: u16) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["doctor", "--url", &url])
        .current_dir(dir.path())
        .env("PORTCULLIS_PUBLIC_URL", &url)
        .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    let out = text(&output);
    eprintln!("{out}");
    let section: Vec<String> = out
        .lines()
        .skip_while(|l| *l != "through the proxy")
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .map(|l| l.trim().to_owned())
        .collect();
    assert!(!section.is_empty(), "no live section:\n{out}");
    assert_eq!(output.status.success(), !out.contains('✗'), "{out}");
    (section, out)
}

fn passes(section: &[String], out: &str) {
    let failed: Vec<&String> = section.iter().filter(|l| l.starts_with('✗')).collect();
    assert!(failed.is_empty(), "{out}");
    for words in [
        "a trusted proxy",
        "X-Forwarded-For arrived",
        "X-Forwarded-Proto arrived",
        "Host header arrived unchanged",
        "no second cookie",
    ] {
        assert!(
            section
                .iter()
                .any(|l| l.starts_with('✓') && l.contains(words)),
            "no ✓ {words:?}:\n{out}"
        );
    }
}

fn flags(section: &[String], out: &str, words: &str) {
    assert!(
        section
            .iter()
            .any(|l| l.starts_with('✗') && l.contains(words)),
        "doctor did not flag {words:?}:\n{out}"
    );
}

fn untrusting() -> Dict {
    let mut extra = Dict::new();
    extra.insert(
        "trusted_proxies".into(),
        Value::serialize(Vec::<String>::new()).unwrap(),
    );
    extra
}

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_doctor_passes_the_documented_config() {
    let port = free_port();
    let portal = Portal::start_with(&format!("http://127.0.0.1:{port}"), Dict::new());
    let _nginx = Nginx::start_with(port, portal.port, free_port(), "127.0.0.1", |c| c);
    let (section, out) = doctor_through(port);
    passes(&section, &out);
}

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_doctor_flags_a_portal_without_x_forwarded_for() {
    let port = free_port();
    let portal = Portal::start_with(&format!("http://127.0.0.1:{port}"), Dict::new());
    // The portal's server block loses its X-Forwarded-For line (the first one).
    let line = "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n";
    let _nginx = Nginx::start_with(port, portal.port, free_port(), "127.0.0.1", |c| {
        assert!(c.contains(line), "the template changed");
        c.replacen(line, "", 1)
    });
    let (section, out) = doctor_through(port);
    flags(&section, &out, "no X-Forwarded-For arrived");
}

#[test]
#[ignore = "needs caddy"]
fn proxy_caddy_doctor_passes_the_documented_config() {
    let port = free_port();
    let portal = Portal::start_with(&format!("http://127.0.0.1:{port}"), Dict::new());
    let site = format!("http://127.0.0.1:{port}");
    let _caddy = Caddy::start_with(port, portal.port, free_port(), &site);
    let (section, out) = doctor_through(port);
    passes(&section, &out);
}

#[test]
#[ignore = "needs caddy"]
fn proxy_caddy_doctor_flags_a_portal_that_does_not_trust_it() {
    let port = free_port();
    let portal = Portal::start_with(&format!("http://127.0.0.1:{port}"), untrusting());
    let site = format!("http://127.0.0.1:{port}");
    let _caddy = Caddy::start_with(port, portal.port, free_port(), &site);
    let (section, out) = doctor_through(port);
    flags(&section, &out, "which is not in trusted_proxies");
}
