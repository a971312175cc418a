//! `rd` checks: what is honoured, what falls back, and the exact `Location` sent.

use super::*;

fn config() -> Config {
    Config {
        public_url: Url::parse("https://auth.example.com").unwrap(),
        cookie_domain: Some("example.com".into()),
        allowed_redirect_hosts: vec!["partner.example.org".into()],
        ..Config::default()
    }
}

#[test]
fn relative_paths_and_known_hosts_are_honoured() {
    let config = config();
    for rd in [
        "/account",
        "/x?y=1#z",
        "https://auth.example.com/settings",
        "https://wiki.example.com/page",
        "https://partner.example.org/",
    ] {
        assert!(safe_target(rd, &config).is_some(), "{rd} should be allowed");
    }
}

#[test]
fn forward_auth_targets_come_back_after_login() {
    // The `rd` forward-auth builds is the app's own URL: any port, any case.
    let config = config();
    for rd in [
        "https://wiki.example.com:8443/page?x=1",
        "https://WIKI.Example.com./page",
        "https://deep.sub.example.com/",
        "https://example.com/",
    ] {
        assert!(safe_target(rd, &config).is_some(), "{rd} should be allowed");
    }
    let plain = Config {
        public_url: Url::parse("http://auth.example.test:8080").unwrap(),
        cookie_domain: Some("example.test".into()),
        ..Config::default()
    };
    let rd = "http://app.example.test:8080/x?y=1";
    assert_eq!(safe_target(rd, &plain).as_deref(), Some(rd));
}

#[test]
fn open_redirect_tricks_fall_back() {
    let config = config();
    for rd in [
        "https://evil.com",
        "//evil.com",
        "/\\evil.com",
        "/%5Cevil.com",
        "/%09/evil.com",
        "/\t/evil.com",
        "https://auth.example.com.evil.com",
        "https://auth.example.com@evil.com",
        "https://user:pw@auth.example.com/",
        "javascript:alert(1)",
        "data:text/html,hi",
        "http://wiki.example.com.evil.com/",
        "ftp://auth.example.com/",
        "evil.com",
        "",
    ] {
        assert_eq!(safe_target(rd, &config), None, "{rd:?} should be refused");
        assert_eq!(target_or_fallback(Some(rd), &config), FALLBACK);
    }
}

/// `Location` text Rocket accepts and a browser sends back unchanged.
fn assert_valid_location(location: &str) {
    assert!(
        location.bytes().all(|b| b.is_ascii_graphic()),
        "{location:?}"
    );
    assert!(Reference::parse(location).is_ok(), "{location:?}");
}

#[test]
fn targets_are_percent_encoded_into_valid_locations() {
    let config = config();
    for (rd, location) in [
        ("/é", "/%C3%A9"),
        ("/a\u{2028}b", "/a%E2%80%A8b"),
        ("/\u{a0}?q=\u{a0}#\u{a0}", "/%C2%A0?q=%C2%A0#%C2%A0"),
        ("/日本?x=ü", "/%E6%97%A5%E6%9C%AC?x=%C3%BC"),
        ("/a|b^c`d{e}\"<>", "/a%7Cb%5Ec%60d%7Be%7D%22%3C%3E"),
        ("/x?a|b={c}&d=\"'", "/x?a%7Cb=%7Bc%7D&d=%22%27"),
        ("/x#a#b|c", "/x#a%23b%7Cc"),
        ("/a b?c d", "/a%20b?c%20d"),
        ("/100%/%zz", "/100%/%zz"),
        (
            "https://wiki.example.com/é?q=é#é",
            "https://wiki.example.com/%C3%A9?q=%C3%A9#%C3%A9",
        ),
        (
            "https://ＷＩＫＩ.example.com./x",
            "https://wiki.example.com./x",
        ),
        (
            "https://bücher.example.com/",
            "https://xn--bcher-kva.example.com/",
        ),
        (
            "https://auth.example.com:443/x",
            "https://auth.example.com/x",
        ),
    ] {
        let got = safe_target(rd, &config);
        assert_eq!(got.as_deref(), Some(location), "{rd:?}");
        assert_valid_location(location);
    }
}

#[test]
fn absolute_targets_need_https_or_public_urls_exact_plain_origin() {
    let plain = Config {
        public_url: Url::parse("http://127.0.0.1:8000").unwrap(),
        ..Config::default()
    };
    assert_eq!(
        safe_target("http://127.0.0.1:8000/x", &plain).as_deref(),
        Some("http://127.0.0.1:8000/x")
    );
    for rd in [
        "http://127.0.0.1:1/x",
        "http://127.0.0.1/x",
        "http://127.0.0.2:8000/x",
        "http://localhost:8000/x",
        "http://[::1]:8000/x",
        "https://127.0.0.1:8000/x",
        "ftp://127.0.0.1:8000/x",
        "ws://127.0.0.1:8000/x",
    ] {
        assert_eq!(safe_target(rd, &plain), None, "{rd}");
    }

    let tls = Config {
        public_url: Url::parse("https://auth.example.com").unwrap(),
        ..Config::default()
    };
    for rd in [
        "http://auth.example.com/x",
        "https://auth.example.com:8443/x",
        "https://auth.example.com:80/x",
    ] {
        assert_eq!(safe_target(rd, &tls), None, "{rd}");
    }
    // Under cookie_domain, https is required too; the port is free.
    let config = config();
    assert_eq!(safe_target("http://wiki.example.com/", &config), None);
    assert!(safe_target("https://wiki.example.com:8443/", &config).is_some());
}

#[test]
fn allowed_hosts_are_compared_as_a_browser_resolves_them() {
    let config = Config {
        public_url: Url::parse("https://auth.example.com").unwrap(),
        cookie_domain: Some(".Example.COM.".into()),
        allowed_redirect_hosts: vec![
            "Partner.Example.org".into(),
            "dev.example.net:8443".into(),
            "legacy.example.net:443".into(),
            "[2001:db8::1]".into(),
            "2001:db8::2".into(),
            "10.0.0.5:8080".into(),
            "bücher.example".into(),
            "https://bad.example".into(),
            "bad.example/x".into(),
        ],
        ..Config::default()
    };
    for rd in [
        "https://partner.example.org:9999/",
        "https://PARTNER.example.org./",
        "https://dev.example.net:8443/",
        "https://legacy.example.net/",
        "https://[2001:DB8:0:0::1]/",
        "https://[2001:db8::2]:444/",
        "https://10.0.0.5:8080/",
        "https://0x0a000005:8080/",
        "https://xn--bcher-kva.example/",
        "https://wiki.example.com/",
        "https://a.b.example.com:8443/",
        "https://example.com/",
    ] {
        let location = safe_target(rd, &config).unwrap_or_else(|| panic!("{rd} refused"));
        assert_valid_location(&location);
    }
    for rd in [
        "https://dev.example.net/",
        "https://legacy.example.net:8443/",
        "https://10.0.0.5/",
        "https://[2001:db8::3]/",
        "https://bad.example/",
        "https://wikiexample.com/",
        "https://example.com.evil.com/",
        "https://wiki.example.com../",
        "https://partner.example.org.evil.com/",
        "https://evil.com?.example.com",
        "https://evil.com#.example.com",
        "https://evil.com/.example.com",
        "https://wiki.example.com@evil.com/",
        "https://wiki.example.com%2F@evil.com/",
    ] {
        assert_eq!(safe_target(rd, &config), None, "{rd}");
    }
}

#[test]
fn paths_a_browser_would_read_as_another_host_fall_back() {
    let config = config();
    for rd in [
        "/.//evil.com",
        "/./%2F/evil.com",
        "/x/..//evil.com",
        "/%2e%2e//evil.com",
        "/%2F/evil.com",
        "/%2f%2fevil.com",
        "/%2F%5Cevil.com",
        "https:/evil.com",
        "https:evil.com",
        "https:\\\\evil.com",
        "https:///evil.com",
        " https://evil.com",
        "\u{2028}//evil.com",
        "https://evil.com\u{2028}",
        "/\u{85}/evil.com",
        "x".repeat(9000).as_str(),
    ] {
        assert_eq!(safe_target(rd, &config), None, "{rd:?}");
    }
    // Still on this host, whatever it looks like.
    assert_eq!(
        safe_target("/x/%2F/evil.com", &config).as_deref(),
        Some("/x/%2F/evil.com")
    );
}

#[test]
fn the_fallback_lives_under_the_base_path() {
    let config = Config {
        public_url: Url::parse("https://example.com/auth/").unwrap(),
        ..Config::default()
    };
    assert_eq!(
        target_or_fallback(Some("//evil.com"), &config),
        "/auth/account"
    );
    assert_eq!(target_or_fallback(None, &config), "/auth/account");
}
