//! The scenarios behind nginx and its `auth_request` template.

use rocket::figment::value::{Dict, Value};
use serde_json::json;

use super::DOMAIN;
use super::scenarios::{idle_scenario, scenario, token_scenario, two_factor_scenario};
use super::stack::{Nginx, behind, behind_with};

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_auth_request_guards_an_app() {
    let stack = behind(Nginx::start, Dict::new());
    scenario(stack.port, &stack.portal);
}

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_lets_a_script_with_an_access_token_through() {
    let stack = behind(Nginx::start, Dict::new());
    token_scenario(stack.port);
}

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_two_factor_rule_sends_to_enrolment_then_to_the_second_step() {
    let rules = json!([
        {"domain": format!("app.{DOMAIN}"), "resources": ["^/vault"], "policy": "two_factor"},
    ]);
    let rules = Value::serialize(rules).unwrap();
    let stack = behind_with(Nginx::start, "access_rules", rules);
    two_factor_scenario(stack.port, &stack.portal);
}

#[test]
#[ignore = "needs nginx"]
fn proxy_nginx_forwards_sec_fetch_so_only_navigations_keep_a_session() {
    let stack = behind_with(Nginx::start, "session_idle_timeout", "1h".into());
    idle_scenario(stack.port, &stack.portal);
}
