use super::*;
use crate::authz::target::Target;
use crate::domain::UserId;

fn rule(domain: &str, resources: &[&str], policy: Policy) -> AccessRule {
    AccessRule {
        domain: domain.into(),
        resources: resources.iter().map(|s| s.to_string()).collect(),
        methods: Vec::new(),
        policy,
        groups: Vec::new(),
        max_auth_age: None,
    }
}

fn target(url: &str, method: &str) -> Target {
    Target::from_original(url, method).expect("valid target")
}

fn user(groups: &[&str]) -> UserView {
    UserView {
        id: UserId::random(),
        email: "alice@example.com".into(),
        groups: groups.iter().map(|s| s.to_string()).collect(),
        generation: 0,
        enabled: true,
    }
}

#[test]
fn first_matching_rule_wins_then_the_default() {
    let rules = Rules::compile(
        Policy::Deny,
        &[
            rule("wiki.example.com", &["^/public"], Policy::Allow),
            rule(
                "wiki.example.com",
                &["^/public/secret", "^/admin"],
                Policy::Deny,
            ),
            rule("wiki.example.com", &[], Policy::Authenticated),
        ],
    )
    .unwrap();
    let alice = user(&[]);
    let decide = |url, user| rules.decide(&target(url, "GET"), user);

    assert_eq!(
        decide("https://wiki.example.com/public/secret", None),
        Decision::Allow
    );
    assert_eq!(
        decide("https://wiki.example.com/admin", Some(&alice)),
        Decision::Forbid
    );
    assert_eq!(
        decide("https://wiki.example.com/page", None),
        Decision::Login
    );
    assert_eq!(
        decide("https://wiki.example.com/page", Some(&alice)),
        Decision::Allow
    );
    assert_eq!(
        decide("https://other.example.com/", Some(&alice)),
        Decision::Forbid
    );
}

#[test]
fn wildcard_matches_subdomains_only() {
    let rules = Rules::compile(Policy::Deny, &[rule("*.example.com", &[], Policy::Allow)]).unwrap();
    let decide = |url| rules.decide(&target(url, "GET"), None);

    assert_eq!(decide("https://wiki.example.com/"), Decision::Allow);
    assert_eq!(decide("https://a.b.example.com/"), Decision::Allow);
    assert_eq!(decide("https://example.com/"), Decision::Forbid);
    assert_eq!(decide("https://evilexample.com/"), Decision::Forbid);
    assert_eq!(decide("https://example.com.evil.net/"), Decision::Forbid);
}

#[test]
fn hosts_are_canonical_before_matching() {
    let rules = Rules::compile(
        Policy::Deny,
        &[rule("Wiki.Example.COM.", &[], Policy::Allow)],
    )
    .unwrap();
    for url in [
        "https://wiki.example.com/",
        "https://WIKI.example.com/",
        "https://wiki.example.com./",
        "https://wiki.example.com:8443/",
        "http://Wiki.Example.Com.:80/x",
    ] {
        assert_eq!(
            rules.decide(&target(url, "GET"), None),
            Decision::Allow,
            "{url}"
        );
    }
}

#[test]
fn letter_case_never_bypasses_a_rule_nor_widens_an_allow() {
    let rules = Rules::compile(
        Policy::Authenticated,
        &[
            rule("app.example.com", &["^/admin"], Policy::Deny),
            rule("app.example.com", &["^/Public"], Policy::Allow),
        ],
    )
    .unwrap();
    let alice = user(&[]);
    let decide = |url, user| rules.decide(&target(url, "GET"), user);

    assert_eq!(
        decide("https://app.example.com/ADMIN", Some(&alice)),
        Decision::Forbid
    );
    assert_eq!(
        decide("https://app.example.com/%61dmin", Some(&alice)),
        Decision::Forbid
    );
    assert_eq!(
        decide("https://app.example.com/Public/x", None),
        Decision::Allow
    );
    assert_eq!(
        decide("https://app.example.com/public/x", None),
        Decision::Login
    );
}

#[test]
fn compatibility_forms_never_bypass_a_rule_nor_widen_an_allow() {
    let rules = Rules::compile(
        Policy::Authenticated,
        &[
            rule("app.example.com", &["^/admin/"], Policy::Deny),
            rule("app.example.com", &["^/public/"], Policy::Allow),
        ],
    )
    .unwrap();
    let alice = user(&[]);
    let decide = |path: &str, user| {
        let url = format!("https://app.example.com{path}");
        rules.decide(&target(&url, "GET"), user)
    };

    // ａｄｍｉｎ (fullwidth), Ａdmin, admⅰn (roman numeral one): NFKC reads /admin/…
    for path in [
        "/%EF%BD%81%EF%BD%84%EF%BD%8D%EF%BD%89%EF%BD%8E/x",
        "/%EF%BC%A1dmin/x",
        "/adm%E2%85%B0n/x",
    ] {
        assert_eq!(decide(path, Some(&alice)), Decision::Forbid, "{path}");
    }
    // ｐublic is public only to apps that fold it: not opened to anonymous users.
    assert_eq!(decide("/%EF%BD%90ublic/x", None), Decision::Login);
    assert_eq!(decide("/public/%EF%BD%98", None), Decision::Allow);
}

#[test]
fn methods_narrow_a_rule() {
    let mut read_only = rule("app.example.com", &[], Policy::Allow);
    read_only.methods = vec!["get".into(), "HEAD".into()];
    let rules = Rules::compile(Policy::Authenticated, &[read_only]).unwrap();

    assert_eq!(
        rules.decide(&target("https://app.example.com/", "GET"), None),
        Decision::Allow
    );
    assert_eq!(
        rules.decide(&target("https://app.example.com/", "POST"), None),
        Decision::Login
    );
}

#[test]
fn groups_are_any_of_and_anonymous_users_are_asked_to_log_in() {
    let mut staff = rule("app.example.com", &["^/staff"], Policy::Authenticated);
    staff.groups = vec!["staff".into(), "admins".into()];
    let rules = Rules::compile(Policy::Authenticated, &[staff]).unwrap();
    let decide = |user: Option<&UserView>| {
        rules.decide(&target("https://app.example.com/staff", "GET"), user)
    };

    assert_eq!(decide(Some(&user(&["admins"]))), Decision::Allow);
    assert_eq!(decide(Some(&user(&["staff", "x"]))), Decision::Allow);
    assert_eq!(decide(Some(&user(&["Staff"]))), Decision::Forbid);
    assert_eq!(decide(Some(&user(&[]))), Decision::Forbid);
    assert_eq!(decide(None), Decision::Login);
}

#[test]
fn bad_rules_are_refused_by_index() {
    let mut with_groups = rule("a.example.com", &[], Policy::Allow);
    with_groups.groups = vec!["staff".into()];
    let mut bad_method = rule("a.example.com", &[], Policy::Deny);
    bad_method.methods = vec!["GET /".into()];
    for (bad, needle) in [
        (
            rule("a.example.com", &["^/ok", "(unclosed"], Policy::Deny),
            "regex",
        ),
        (rule("https://a.example.com", &[], Policy::Deny), "domain"),
        (rule("a.example.com:8080", &[], Policy::Deny), "domain"),
        (rule("*", &[], Policy::Deny), "domain"),
        (rule("a.*.example.com", &[], Policy::Deny), "domain"),
        (rule("", &[], Policy::Deny), "domain"),
        (with_groups, "groups"),
        (bad_method, "method"),
    ] {
        let ok = rule("b.example.com", &[], Policy::Allow);
        let err = Rules::compile(Policy::Deny, &[ok, bad]).unwrap_err();
        assert_eq!(err.index, 1);
        let message = err.to_string();
        assert!(message.starts_with("access_rules[1]"), "{message}");
        assert!(message.contains(needle), "{message}");
    }
}

#[test]
fn two_factor_and_max_auth_age_judge_how_the_session_was_proven() {
    let hour = Some(std::time::Duration::from_secs(3600));
    let mut vault = rule("app.example.com", &["^/vault"], Policy::TwoFactor);
    vault.max_auth_age = hour;
    let mut billing = rule("app.example.com", &["^/billing"], Policy::Authenticated);
    billing.max_auth_age = hour;
    let rules = Rules::compile(Policy::TwoFactor, &[vault, billing]).unwrap();
    let alice = user(&[]);
    let decide = |path: &str, aal, auth_age, factor_age| {
        let proof = Proof {
            aal,
            auth_age,
            factor_age,
        };
        let target = target(&format!("https://app.example.com{path}"), "GET");
        rules.decide_with(&target, Some(&alice), proof)
    };
    assert_eq!(decide("/vault", 1, 0, 0), Decision::SecondFactor);
    assert_eq!(decide("/vault", 2, 0, 0), Decision::Allow);
    assert_eq!(
        decide("/vault", 2, 0, 3601),
        Decision::StepUp,
        "the factor's age"
    );
    assert_eq!(decide("/vault", 2, 7200, 60), Decision::Allow);
    assert_eq!(decide("/billing", 1, 3600, 0), Decision::Allow);
    assert_eq!(decide("/billing", 1, 3601, 0), Decision::StepUp);
    assert_eq!(
        decide("/other", 1, 0, 0),
        Decision::SecondFactor,
        "the default"
    );
    let anonymous = rules.decide(&target("https://app.example.com/vault", "GET"), None);
    assert_eq!(anonymous, Decision::Login);
}
