//! The scenarios behind Caddy and its `forward_auth` template.

use rocket::figment::value::Dict;

use super::scenarios::{idle_scenario, scenario, token_scenario};
use super::stack::{Caddy, behind, behind_with};

#[test]
#[ignore = "needs caddy"]
fn proxy_caddy_forward_auth_guards_an_app() {
    let stack = behind(Caddy::start, Dict::new());
    scenario(stack.port, &stack.portal);
}

#[test]
#[ignore = "needs caddy"]
fn proxy_caddy_lets_a_script_with_an_access_token_through() {
    let stack = behind(Caddy::start, Dict::new());
    token_scenario(stack.port);
}

#[test]
#[ignore = "needs caddy"]
fn proxy_caddy_forwards_sec_fetch_so_only_navigations_keep_a_session() {
    let stack = behind_with(Caddy::start, "session_idle_timeout", "1h".into());
    idle_scenario(stack.port, &stack.portal);
}
