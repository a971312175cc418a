//! IPv6 clients are counted by their /64 (configurable) for the per-IP login and
//! registration limits: rotating addresses inside one prefix does not reset them.

use rocket::http::Status;

use crate::helpers::{PASSWORD, TestApp};

/// The `n`-th address inside `2001:db8:1:2::/64`, or of another /64 with `net`.
fn address(net: u16, n: u16) -> std::net::SocketAddr {
    format!("[2001:db8:1:{net:x}:{n:x}:{n:x}:{n:x}:{n:x}]:40000")
        .parse()
        .unwrap()
}

fn wrong_login_from(app: &TestApp, peer: std::net::SocketAddr, n: u16) -> Status {
    let mut browser = app.browser();
    browser.remote = Some(peer);
    browser
        .login(
            &format!("nobody{n}@example.com"),
            "not the right passphrase",
        )
        .status
}

fn register_from(app: &TestApp, peer: std::net::SocketAddr, n: u16) -> Status {
    let mut browser = app.browser();
    browser.remote = Some(peer);
    browser
        .register(&format!("user{n}@example.com"), PASSWORD)
        .status
}

#[test]
fn rotating_addresses_inside_one_64_share_the_login_limit() {
    let app = TestApp::spawn_with(&[("login_ip_limit", 3.into())]);
    for n in 1..=3 {
        assert_eq!(
            wrong_login_from(&app, address(2, n), n),
            Status::Unauthorized
        );
    }

    assert_eq!(
        wrong_login_from(&app, address(2, 99), 4),
        Status::TooManyRequests
    );
    assert_eq!(
        wrong_login_from(&app, address(3, 1), 5),
        Status::Unauthorized
    );
}

#[test]
fn rotating_addresses_inside_one_64_share_the_registration_limit() {
    let app = TestApp::spawn_with(&[("register_rate_limit", 2.into())]);
    assert_eq!(register_from(&app, address(2, 1), 1), Status::SeeOther);
    assert_eq!(register_from(&app, address(2, 2), 2), Status::SeeOther);

    assert_eq!(
        register_from(&app, address(2, 3), 3),
        Status::TooManyRequests
    );
    assert_eq!(register_from(&app, address(3, 1), 4), Status::SeeOther);
}

#[test]
fn the_prefix_length_is_configurable() {
    let app = TestApp::spawn_with(&[
        ("login_ip_limit", 2.into()),
        ("ipv6_prefix_length", 48.into()),
    ]);
    wrong_login_from(&app, address(2, 1), 1);
    wrong_login_from(&app, address(3, 1), 2);

    assert_eq!(
        wrong_login_from(&app, address(4, 1), 3),
        Status::TooManyRequests
    );
}
