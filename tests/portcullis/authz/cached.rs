//! Forward auth keeps the targets it has parsed, keyed by the raw header bytes
//! (issue 20). The same bytes from different browsers, or from one browser whose
//! session ends, must still get each their own answer; and the slimmer answers
//! (no page security headers on a `200`) must say everything a proxy reads.

use rocket::http::Status;

use super::{
    AUTH_REQUEST, LOGIN_FOR_DOCS, alice, anonymous, behind_proxy, caddy, nginx, set_groups, spawn,
};
use crate::helpers::{PASSWORD, registered};

const STAFF: &str = "https://app.example.com/staff/list";

#[test]
fn the_same_target_bytes_get_each_asker_their_own_answer() {
    let app = spawn();
    let mut alice = alice(&app);
    set_groups(&app, "alice@example.com", &["staff"]);
    alice.login("alice@example.com", PASSWORD);
    let mut bob = behind_proxy(registered(&app, "bob@example.com"));
    let mut stranger = anonymous(&app);

    for _ in 0..3 {
        let a = nginx(&mut alice, STAFF, "GET");
        let b = nginx(&mut bob, STAFF, "GET");
        let s = nginx(&mut stranger, STAFF, "GET");
        assert_eq!(a.status, Status::Ok);
        assert_eq!(a.header("Remote-Email"), Some("alice@example.com"));
        assert_eq!(a.header("Remote-Groups"), Some("staff"));
        assert_eq!(b.status, Status::Forbidden);
        assert_eq!(b.header("Remote-Email"), None);
        assert_eq!(s.status, Status::Unauthorized);
        assert_eq!(s.header("Remote-Email"), None);
        let f = caddy(&mut bob, "GET", "/staff/list", &[]);
        assert_eq!(f.status, Status::Forbidden);
    }
}

#[test]
fn a_session_ended_is_refused_on_a_target_seen_before() {
    let app = spawn();
    let mut browser = alice(&app);
    let mut other_tab = anonymous(&app);
    other_tab.cookies = browser.cookies.clone();
    for _ in 0..2 {
        assert_eq!(
            caddy(&mut other_tab, "GET", "/docs?x=1", &[]).status,
            Status::Ok
        );
        let url = "https://app.example.com/docs?x=1";
        assert_eq!(nginx(&mut other_tab, url, "GET").status, Status::Ok);
    }

    browser.logout();

    let forwarded = caddy(&mut other_tab, "GET", "/docs?x=1", &[]);
    assert_eq!(forwarded.status, Status::Found);
    assert_eq!(forwarded.location(), Some(LOGIN_FOR_DOCS));
    let original = nginx(&mut other_tab, "https://app.example.com/docs?x=1", "GET");
    assert_eq!(original.status, Status::Unauthorized);
    assert_eq!(original.location(), Some(LOGIN_FOR_DOCS));
}

#[test]
fn a_cached_target_is_answered_exactly_like_a_fresh_one() {
    let app = spawn();
    let mut browser = anonymous(&app);
    let first = caddy(&mut browser, "POST", "/docs?x=1", &[]);
    let again = caddy(&mut browser, "POST", "/docs?x=1", &[]);
    let json = caddy(
        &mut browser,
        "POST",
        "/docs?x=1",
        &[("Accept", "application/json")],
    );

    assert_eq!(
        (first.status, again.status),
        (Status::SeeOther, Status::SeeOther)
    );
    assert_eq!(first.location(), Some(LOGIN_FOR_DOCS));
    assert_eq!(again.location(), first.location());
    assert_eq!(json.status, Status::Unauthorized);
    assert!(
        json.body
            .contains("\"login_url\":\"http://localhost:8000/login?rd=")
    );
}

#[test]
fn answers_carry_what_a_proxy_reads_and_refusals_stay_uncacheable() {
    let app = spawn();
    let mut browser = alice(&app);
    let mut stranger = anonymous(&app);

    let allowed = nginx(&mut browser, "https://app.example.com/docs", "GET");
    let refused = caddy(&mut stranger, "GET", "/docs", &[]);
    let denied = caddy(&mut browser, "GET", "/admin", &[]);

    assert_eq!(allowed.status, Status::Ok);
    assert_eq!(allowed.header("Remote-Email"), Some("alice@example.com"));
    assert!(allowed.header("X-Request-Id").is_some());
    assert_eq!(allowed.header("Content-Security-Policy"), None);
    for reply in [&refused, &denied] {
        assert_eq!(reply.header("Cache-Control"), Some("no-store"));
        assert_eq!(reply.header("X-Content-Type-Options"), Some("nosniff"));
    }
    assert_eq!(refused.status, Status::Found);
    assert_eq!(denied.status, Status::Forbidden);
}

#[test]
fn an_untrusted_peers_error_page_keeps_every_security_header() {
    let app = spawn();
    let mut direct = app.browser();

    let headers = [
        ("X-Original-URL", "https://app.example.com/docs"),
        ("X-Original-Method", "GET"),
    ];
    let reply = direct.get_with(AUTH_REQUEST, &headers);

    assert_eq!(reply.status, Status::Forbidden);
    assert!(
        reply.header("Content-Security-Policy").is_some(),
        "{:?}",
        reply.headers
    );
    assert_eq!(reply.header("Cache-Control"), Some("no-store"));
}
