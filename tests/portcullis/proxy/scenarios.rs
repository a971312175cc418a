//! What users and scripts go through behind either proxy, step by step.

use std::time::Duration;

use super::DOMAIN;
use super::browser::Browser;
use super::portal::Portal;

/// What a user of an app behind the proxy goes through.
pub(super) fn scenario(port: u16, portal: &Portal) {
    let auth = format!("http://auth.{DOMAIN}:{port}");
    let app = format!("http://app.{DOMAIN}:{port}");
    let docs = format!("{app}/docs?page=1");
    Browser::new().register(&auth, "alice@example.test");

    // Anonymous: sent to the portal, with the way back in `rd`.
    let mut alice = Browser::new();
    let sent = alice.get(&docs, &[]);
    assert_eq!(sent.status, 302, "{sent:?}");
    let rd: String = url::form_urlencoded::byte_serialize(docs.as_bytes()).collect();
    assert_eq!(
        sent.location(),
        Some(format!("{auth}/login?rd={rd}").as_str())
    );

    // A public page passes, and a client cannot choose its own identity.
    let public = alice.get(&format!("{app}/public/x"), &[("Remote-User", "admin")]);
    assert_eq!(public.status, 200, "{public:?}");
    assert!(!public.body.contains("admin"), "{}", public.body);

    // Log in through the portal's form; land back on the app, known to it.
    let landed = alice.login(sent.location().unwrap(), "alice@example.test");
    assert_eq!(landed.status, 303, "{landed:?}");
    assert_eq!(landed.location(), Some(docs.as_str()));
    let page = alice.get(&docs, &[]);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("path=/docs?page=1\n"), "{}", page.body);
    assert!(
        page.body.contains("remote-email=alice@example.test\n"),
        "{}",
        page.body
    );
    let user = page.seen("remote-user");
    assert_eq!(user.len(), 22, "Remote-User is the user id: {}", page.body);
    let post = alice.post(&format!("{app}/docs"), &[("x", "1")]);
    assert_eq!(post.status, 200, "{post:?}");

    // A rule limited to a group this user is not in.
    assert_eq!(alice.get(&format!("{app}/staff"), &[]).status, 403);

    // The session slides: the refreshed cookie reaches the browser through the proxy.
    portal.clock.advance(Duration::from_secs(16 * 60));
    let refreshed = alice.get(&docs, &[]);
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    assert!(refreshed.cookies.iter().any(|c| c.contains("portcullis=")));
    portal.clock.advance(Duration::from_secs(60));
    assert_eq!(alice.get(&docs, &[]).status, 200, "old cookie replaced");

    // A session revoked from another login is blocked on its next request.
    let mut phone = Browser::new();
    phone.login(&format!("{auth}/login"), "alice@example.test");
    assert_eq!(phone.get(&docs, &[]).status, 200);
    let account = format!("{auth}/account");
    let revoked = alice.post_form(&account, &format!("{account}/sessions/revoke-others"), &[]);
    assert_eq!(revoked.status, 303, "{revoked:?}");
    assert_eq!(phone.get(&docs, &[]).status, 302);

    // Logging out of the portal blocks the app at once, even for a copied cookie.
    let mut copy = alice.clone();
    assert_eq!(copy.get(&docs, &[]).status, 200);
    let out = alice.post_form(&account, &format!("{auth}/logout"), &[]);
    assert_eq!(out.status, 303, "{out:?}");
    assert_eq!(alice.get(&docs, &[]).status, 302);
    assert_eq!(copy.get(&docs, &[]).status, 302);
}

/// A cron job reaching an app behind the proxy with a personal access token
/// (SPEC §11), until its owner deletes the token.
pub(super) fn token_scenario(port: u16) {
    let auth = format!("http://auth.{DOMAIN}:{port}");
    let docs = format!("http://app.{DOMAIN}:{port}/docs");
    let mut alice = Browser::new();
    alice.register(&auth, "alice@example.test");
    let tokens = format!("{auth}/account/tokens");
    let app_host = format!("app.{DOMAIN}");
    let fields = [("name", "cron"), ("domains", app_host.as_str())];
    let made = alice.post_form(&tokens, &tokens, &fields);
    assert_eq!(made.status, 200, "{made:?}");
    let marker = "id=\"new-token\">";
    let start = made.body.find(marker).expect("token shown") + marker.len();
    let token = made.body[start..].split('<').next().unwrap().to_owned();
    let bearer = format!("Bearer {token}");

    let mut script = Browser::new();
    let page = script.get(&docs, &[("Authorization", &bearer)]);
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("remote-email=alice@example.test\n"),
        "{}",
        page.body
    );
    let other = script.get(
        &format!("http://auth.{DOMAIN}:{port}/api/v1/me"),
        &[("Authorization", &bearer)],
    );
    assert_eq!(other.status, 403, "no `api` scope: {other:?}");
    assert!(other.body.contains("insufficient_scope"), "{other:?}");

    let listed = alice.get(&tokens, &[]);
    let id_at =
        listed.body.find("/account/tokens/").expect("a delete form") + "/account/tokens/".len();
    let id = listed.body[id_at..].split('/').next().unwrap().to_owned();
    let deleted = alice.post_form(&tokens, &format!("{tokens}/{id}/delete"), &[]);
    assert_eq!(deleted.status, 303, "{deleted:?}");
    let refused = script.get(&docs, &[("Authorization", &bearer)]);
    assert_eq!(refused.status, 401, "{refused:?}");
    assert!(!refused.body.contains("remote-email"), "{}", refused.body);
}

/// A `two_factor` rule (SPEC §10): no factor yet → enrolment; a session opened
/// before the factor existed → the second step, which returns to the app.
pub(super) fn two_factor_scenario(port: u16, portal: &Portal) {
    use portcullis::clock::Clock;
    let auth = format!("http://auth.{DOMAIN}:{port}");
    let vault = format!("http://app.{DOMAIN}:{port}/vault");
    let rd: String = url::form_urlencoded::byte_serialize(vault.as_bytes()).collect();
    let mut alice = Browser::new();
    alice.register(&auth, "alice@example.test");
    let mut phone = Browser::new();
    let signed_in = phone.login(&format!("{auth}/login"), "alice@example.test");
    assert_eq!(signed_in.status, 303, "{signed_in:?}");

    let sent = alice.get(&vault, &[]);
    assert_eq!(sent.status, 302, "{sent:?}");
    let enrol = format!("{auth}/account/security?rd={rd}");
    assert_eq!(sent.location(), Some(enrol.as_str()));

    let security = format!("{auth}/account/security");
    let back = [("rd", vault.as_str())];
    let started = alice.post_form(&enrol, &format!("{auth}/account/totp"), &back);
    assert_eq!(started.status, 200, "{started:?}");
    let marker = "id=\"totp-secret\">";
    let at = started.body.find(marker).expect("the secret") + marker.len();
    let secret = started.body[at..].split('<').next().unwrap().to_owned();
    let code = portcullis::auth::mfa::code_at(&secret, portal.clock.now()).unwrap();
    let confirm = format!("{auth}/account/totp/confirm");
    let done = alice.post_form(&security, &confirm, &[("code", &code), back[0]]);
    assert_eq!(done.status, 200, "{done:?}");
    let onward = format!(
        "href=\"{}\">I have saved them",
        vault.replace('/', "&#x2F;")
    );
    assert!(
        done.body.contains(&onward),
        "back to the app: {}",
        done.body
    );
    let page = alice.get(&vault, &[]);
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.seen("remote-auth-level"), "2", "{}", page.body);

    let asked = phone.get(&vault, &[]);
    assert_eq!(asked.status, 302, "{asked:?}");
    let step = format!("{auth}/login/second-factor?rd={rd}");
    assert_eq!(asked.location(), Some(step.as_str()));
    portal.clock.advance(Duration::from_secs(30));
    let code = portcullis::auth::mfa::code_at(&secret, portal.clock.now()).unwrap();
    let target = format!("{auth}/login/second-factor");
    let fields = [("code", code.as_str()), ("rd", vault.as_str())];
    let back = phone.post_form(&step, &target, &fields);
    assert_eq!(back.status, 303, "{back:?}");
    assert_eq!(back.location(), Some(vault.as_str()));
    let page = phone.get(&vault, &[]);
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(page.seen("remote-auth-level"), "2", "{}", page.body);
}

/// A tab left polling through the proxy ends at the idle limit; a person who keeps
/// navigating stays signed in (SPEC §11 `idle_counts`).
pub(super) fn idle_scenario(port: u16, portal: &Portal) {
    let auth = format!("http://auth.{DOMAIN}:{port}");
    let feed = format!("http://app.{DOMAIN}:{port}/feed");
    let fetch = [("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")];
    let navigate = [
        ("Sec-Fetch-Mode", "navigate"),
        ("Sec-Fetch-Dest", "document"),
    ];
    let mut tab = Browser::new();
    tab.register(&auth, "alice@example.test");
    let mut person = Browser::new();
    assert_eq!(
        person
            .login(&format!("{auth}/login"), "alice@example.test")
            .status,
        303
    );
    for round in 1..=5 {
        portal.clock.advance(Duration::from_secs(10 * 60));
        assert_eq!(tab.get(&feed, &fetch).status, 200, "poll {round}");
        assert_eq!(person.get(&feed, &navigate).status, 200, "visit {round}");
    }
    portal.clock.advance(Duration::from_secs(10 * 60));
    let ended = tab.get(&feed, &fetch);
    assert_eq!(
        ended.status, 302,
        "the polling tab is signed out: {ended:?}"
    );
    assert_eq!(person.get(&feed, &navigate).status, 200);
}
