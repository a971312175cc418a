//! End to end behind real proxies (SPEC §5): Portcullis on a loopback port, a tiny
//! upstream app that echoes the identity headers it received, and nginx or Caddy
//! in front of both, configured with the very templates in `docs/proxies/`.
//!
//! These need the programs installed (`apt-get install -y nginx-light caddy`) and
//! run with `cargo test -- --ignored proxy`; a missing program fails the test.

mod browser;
mod caddy;
mod nginx;
mod portal;
mod scenarios;
mod stack;

use std::path::PathBuf;

pub(crate) use portal::Portal;
pub(crate) use stack::{Caddy, Nginx, free_port};

const DOMAIN: &str = "example.test";

#[test]
fn proxies_guide_shows_the_very_configs_the_tests_run() {
    let guide = std::fs::read_to_string(repo_file("docs/PROXIES.md")).unwrap();
    for name in ["nginx.conf", "Caddyfile"] {
        assert!(
            guide.contains(&template(name)),
            "docs/PROXIES.md must quote docs/proxies/{name} verbatim"
        );
    }
}

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn template(name: &str) -> String {
    let path = repo_file("docs/proxies").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
