//! What the HTML itself must hold for people (SPEC §9), checked without a browser:
//! human times with the exact time kept in `<time>`, destructive forms behind a
//! disclosure, the account links and sign-out on every signed-in page, labels on
//! every input, a safe *Cancel* on re-authentication, the favicon and script served
//! from the binary, and a CSP that runs only this origin's script. What only a
//! browser can show (layout, colours, the copy button running) is in `browser/`.

use std::time::Duration;

use regex::Regex;
use rocket::http::Status;

use crate::helpers::{Reply, TestApp, first_admin, registered};

/// The page's text as shown: tags dropped, whitespace collapsed, `&#x2F;` undone.
fn visible_text(body: &str) -> String {
    let tags = Regex::new(r"(?s)<[^>]*>").unwrap();
    let text = tags.replace_all(body, "").replace("&#x2F;", "/");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unescape(body: &str) -> String {
    body.replace("&#x2F;", "/")
}

/// Whether the form posting to `action` sits inside an unclosed `<details>`.
fn behind_disclosure(body: &str, action: &str) -> bool {
    let body = unescape(body);
    let Some(at) = body.find(&format!("action=\"{action}\"")) else {
        panic!("no form posts to {action}:\n{body}");
    };
    let before = &body[..at];
    let opened = before.rfind("<details");
    let closed = before.rfind("</details>");
    matches!((opened, closed), (Some(o), c) if c.is_none_or(|c| c < o))
}

fn an_admin_with_a_user(app: &TestApp) -> (crate::helpers::Browser<'_>, String) {
    let admin = first_admin(app, "root@example.com");
    registered(app, "bob@example.com");
    let email = portcullis::domain::Email::parse("bob@example.com").unwrap();
    let id = app.auth().accounts().by_email(&email).unwrap().unwrap().id;
    (admin, id.to_string())
}

#[test]
fn times_are_shown_in_words_with_the_exact_utc_time_kept() {
    let app = TestApp::spawn();
    let (mut admin, bob) = an_admin_with_a_user(&app);
    app.advance(Duration::from_secs(5 * 60));
    let invite = admin.post_form("/admin/invites", &[]);
    let pages = [
        admin.get("/account"),
        admin.get("/admin"),
        admin.get(&format!("/admin/users/{bob}")),
        admin.get("/admin/audit"),
        invite,
    ];

    let raw = Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}").unwrap();
    let time =
        Regex::new(r#"<time datetime="(\d{4}-\d{2}-\d{2}T[^"]+Z)" title="([^"]+)">([^<]+)</time>"#)
            .unwrap();
    for page in &pages {
        assert_eq!(page.status, Status::Ok, "{}", page.body);
        let text = visible_text(&page.body);
        assert!(!raw.is_match(&text), "raw RFC 3339 shown:\n{text}");
        let times: Vec<_> = time.captures_iter(&page.body).collect();
        assert!(!times.is_empty(), "no <time> on the page:\n{}", page.body);
        for found in times {
            assert!(
                found[2].ends_with(" UTC"),
                "exact UTC time in the title: {}",
                &found[0]
            );
            assert!(
                !raw.is_match(&found[3]),
                "words, not a timestamp: {}",
                &found[0]
            );
        }
    }
    let account = visible_text(&pages[0].body);
    assert!(account.contains("5 minutes ago"), "{account}");
    assert!(visible_text(&pages[4].body).contains("expiring in 1 week"));
}

#[test]
fn destructive_actions_ask_first_behind_a_disclosure() {
    let app = TestApp::spawn();
    let (mut admin, bob) = an_admin_with_a_user(&app);
    let mut other = app.browser();
    other.login("root@example.com", crate::helpers::PASSWORD);

    let account = admin.get("/account").body;
    assert!(behind_disclosure(&account, "/account/logout-everywhere"));
    assert!(behind_disclosure(
        &account,
        "/account/sessions/revoke-others"
    ));
    assert!(account.contains("<summary>Log out everywhere…</summary>"));
    assert!(account.contains("This signs out every device, including this one."));
    let revoke = Regex::new(r#"action="(/account/sessions/[A-Za-z0-9_-]+/revoke)""#).unwrap();
    let unescaped = unescape(&account);
    let forms: Vec<_> = revoke.captures_iter(&unescaped).collect();
    assert_eq!(forms.len(), 2, "one revoke form per session");
    for form in forms {
        assert!(behind_disclosure(&account, &form[1]), "{}", &form[1]);
    }

    let user = admin.get(&format!("/admin/users/{bob}")).body;
    for action in ["disable", "logout-everywhere"] {
        assert!(
            behind_disclosure(&user, &format!("/admin/users/{bob}/{action}")),
            "{action}"
        );
    }
    assert!(!behind_disclosure(
        &user,
        &format!("/admin/users/{bob}/reset-link")
    ));
}

/// The pages a signed-in user sees, each with what it is.
fn signed_in_pages(app: &TestApp) -> Vec<(String, Reply)> {
    let (mut admin, bob) = an_admin_with_a_user(app);
    let mut pages = vec![];
    for path in [
        "/account".to_owned(),
        "/account/password".to_owned(),
        "/reauth?rd=/account".to_owned(),
        "/admin".to_owned(),
        format!("/admin/users/{bob}"),
        "/admin/audit".to_owned(),
    ] {
        pages.push((path.clone(), admin.get(&path)));
    }
    pages.push(("invite page".into(), admin.post_form("/admin/invites", &[])));
    pages
}

#[test]
fn every_signed_in_page_offers_the_account_and_sign_out() {
    let app = TestApp::spawn();
    for (page, reply) in signed_in_pages(&app) {
        assert_eq!(reply.status, Status::Ok, "{page}: {}", reply.body);
        let body = unescape(&reply.body);
        assert!(
            body.contains("<a href=\"/account\""),
            "{page} links the account"
        );
        assert!(body.contains(">Your account</a>"), "{page}");
        assert!(
            body.contains("action=\"/logout\""),
            "{page} has a sign-out form"
        );
        assert!(body.contains(">Sign out</button>"), "{page}");
    }
}

#[test]
fn every_input_has_a_label() {
    let app = TestApp::spawn();
    let mut pages = signed_in_pages(&app);
    for path in ["/login", "/register"] {
        pages.push((path.into(), app.browser().get(path)));
    }
    let input = Regex::new(r"<input\b[^>]*>").unwrap();
    let id = Regex::new(r#"\bid="([^"]+)""#).unwrap();
    for (page, reply) in pages {
        for tag in input.find_iter(&reply.body).map(|m| m.as_str()) {
            if tag.contains("type=\"hidden\"") {
                continue;
            }
            let id = id
                .captures(tag)
                .unwrap_or_else(|| panic!("{page}: no id on {tag}"));
            assert!(
                reply.body.contains(&format!("<label for=\"{}\"", &id[1]))
                    || reply.body.contains(&format!("for=\"{}\"", &id[1])),
                "{page}: no label for {tag}"
            );
        }
    }
}

#[test]
fn cancel_on_reauthentication_goes_back_only_within_the_site() {
    let app = TestApp::spawn();
    let (mut admin, bob) = an_admin_with_a_user(&app);
    let page = format!("/admin/users/{bob}");
    let cases = [
        (page.as_str(), page.as_str()),
        ("/account/password", "/account"),
        ("//evil.example/", "/account"),
        ("/\\evil.example", "/account"),
        ("https://evil.example/", "/account"),
        ("javascript:alert(1)", "/account"),
    ];
    for (rd, cancel) in cases {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("rd", rd)
            .finish();
        let body = unescape(&admin.get(&format!("/reauth?{query}")).body);
        assert!(
            body.contains(&format!("<a href=\"{cancel}\">Cancel</a>")),
            "rd={rd} must cancel to {cancel}:\n{body}"
        );
    }
}

#[test]
fn the_favicon_and_script_come_from_the_binary_and_are_cacheable() {
    let app = TestApp::spawn();
    let login = app.browser().get("/login");
    let body = unescape(&login.body);
    assert!(
        body.contains("<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">")
    );
    assert!(body.contains("<script src=\"/static/portcullis.js\" defer></script>"));

    for (path, kind) in [
        ("/static/favicon.svg", "image/svg+xml"),
        ("/favicon.ico", "image/svg+xml"),
        ("/static/portcullis.js", "text/javascript"),
    ] {
        let reply = app.browser().get(path);
        assert_eq!(reply.status, Status::Ok, "{path}");
        assert!(
            reply.header("Content-Type").unwrap().starts_with(kind),
            "{path}"
        );
        if path.starts_with("/static/") {
            assert!(
                reply.header("Cache-Control").unwrap().contains("max-age"),
                "{path}"
            );
        }
    }
}

#[test]
fn the_csp_runs_only_this_origins_script_and_pages_carry_none_inline() {
    let app = TestApp::spawn();
    let mut pages = signed_in_pages(&app);
    pages.push(("/login".into(), app.browser().get("/login")));

    let script = Regex::new(r"(?s)<script\b([^>]*)>(.*?)</script>").unwrap();
    let handler = Regex::new(r#"\son[a-z]+\s*="#).unwrap();
    for (page, reply) in pages {
        let csp = reply.header("Content-Security-Policy").unwrap();
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        assert!(directives.contains(&"script-src 'self'"), "{csp}");
        assert!(directives.contains(&"default-src 'none'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        for tag in script.captures_iter(&reply.body) {
            assert!(tag[1].contains("src="), "{page}: inline script {}", &tag[0]);
            assert!(
                tag[2].trim().is_empty(),
                "{page}: inline script {}",
                &tag[0]
            );
        }
        assert!(
            !handler.is_match(&reply.body),
            "{page}: inline event handler"
        );
    }
}

#[test]
fn the_copy_button_is_optional_and_the_url_stays_selectable_text() {
    let app = TestApp::spawn();
    let (mut admin, _) = an_admin_with_a_user(&app);

    let body = unescape(&admin.post_form("/admin/invites", &[]).body);

    assert!(body.contains("<code class=\"url\" id=\"invite-url\">http://localhost:8000/invite/"));
    assert!(
        body.contains("data-copy=\"invite-url\" hidden>Copy</button>"),
        "{body}"
    );
}
