//! Which address a request comes from (SPEC §6 `trusted_proxies`, §8 throttling and
//! audit): the same client is the same address whether the server sees it over IPv4
//! or, bound to `::`, as an IPv4-mapped IPv6 address.

use rocket::http::Status;

use crate::helpers::{Browser, PASSWORD, TestApp};

fn shown_ip(browser: &mut Browser<'_>) -> String {
    let page = browser.get("/account");
    assert_eq!(page.status, Status::Ok);
    crate::helpers::between(&page.body, "<td data-label=\"IP address\">", "</td>")
        .expect("an IP cell")
        .to_owned()
}

#[test]
fn an_ipv4_mapped_peer_is_recorded_as_its_ipv4_address() {
    let app = TestApp::spawn();
    let mut browser = app.browser();
    browser.remote = Some("[::ffff:203.0.113.9]:40000".parse().unwrap());

    assert_eq!(
        browser.register("alice@example.com", PASSWORD).status,
        Status::SeeOther
    );

    assert_eq!(shown_ip(&mut browser), "203.0.113.9");
}

#[test]
fn a_trusted_proxy_seen_through_a_dual_stack_socket_is_still_trusted() {
    let app = TestApp::spawn();
    let mut browser = app.browser();
    browser.remote = Some("[::ffff:127.0.0.1]:40000".parse().unwrap());
    let token = browser.csrf_token();
    let body = crate::helpers::encode(&[
        ("csrf_token", &token),
        ("email", "alice@example.com"),
        ("password", PASSWORD),
    ]);

    let signup = browser.post_raw("/register", body, &[("X-Forwarded-For", "198.51.100.7")]);

    assert_eq!(signup.status, Status::SeeOther);
    assert_eq!(shown_ip(&mut browser), "198.51.100.7");
}

#[test]
fn forward_auth_trusts_a_mapped_loopback_proxy_and_no_one_else() {
    let app = TestApp::spawn();
    let ask = |peer: &str| {
        let mut request = app
            .client
            .get("/api/authz/auth-request")
            .header(rocket::http::Header::new(
                "X-Original-URL",
                "https://app.example.com/",
            ))
            .header(rocket::http::Header::new("X-Original-Method", "GET"));
        request = request.remote(peer.parse().unwrap());
        request.dispatch().status()
    };

    assert_eq!(ask("[::ffff:127.0.0.1]:40000"), Status::Unauthorized);
    assert_eq!(ask("[::ffff:203.0.113.9]:40000"), Status::Forbidden);
}
