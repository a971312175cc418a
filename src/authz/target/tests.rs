use super::*;

#[test]
fn a_plain_target_parses_to_canonical_parts() {
    let t =
        Target::from_original("https://Wiki.Example.com.:8443/a%20b/c?q=/x/../y", "get").unwrap();
    assert_eq!(t.host, "wiki.example.com");
    assert_eq!(t.path, "/a b/c");
    assert_eq!(t.method, "GET");
    assert_eq!(
        t.url.as_str(),
        "https://wiki.example.com.:8443/a%20b/c?q=/x/../y"
    );

    let t = Target::from_forwarded("http", "app.example.com:8080", "/x/", "PROPFIND").unwrap();
    assert_eq!(
        (t.host.as_str(), t.path.as_str()),
        ("app.example.com", "/x/")
    );
    assert_eq!(t.url.as_str(), "http://app.example.com:8080/x/");
}

#[test]
fn paths_that_could_be_read_two_ways_are_refused() {
    for path in [
        "//admin",
        "/x//admin",
        "/x/../admin",
        "/./admin",
        "/x/%2e%2e/admin",
        "/x/%2E./admin",
        "/%2e/admin",
        "/x%2fadmin",
        "/x%2Fadmin",
        "/x%5cadmin",
        "/admin%00",
        "/admin%0a",
        "/admin%",
        "/admin%zz",
        "/%ff",
        "/x\\admin",
    ] {
        let url = format!("https://app.example.com{path}");
        assert!(
            matches!(Target::from_original(&url, "GET"), Err(Ambiguous(_))),
            "{path} should be refused as ambiguous"
        );
    }
}

/// Paths that Tomcat, Spring, IIS, .NET or a double-decoding server would read
/// as `/admin/x` (or somewhere else than Portcullis would), in many spellings.
#[test]
fn paths_an_upstream_could_read_differently_are_refused() {
    for path in [
        // path parameters: raw and encoded, anywhere in a segment, `..;`
        "/public/..;/admin/x",
        "/admin;/x",
        "/admin;jsessionid=1/x",
        "/;/admin/x",
        "/adm;x=1in/x",
        "/admin%3b/x",
        "/admin%3B/x",
        "/public/..%3b/admin/x",
        "/admin/x;",
        // double encoding at any depth, either case of hex
        "/%2561dmin/x",
        "/adm%2569n/x",
        "/admin%252fx",
        "/admin%252Fx",
        "/%25252561dmin/x",
        "/admin%255cx",
        "/%252e%252e/admin",
        "/100%25",
        // IIS %u escapes, raw or encoded
        "/%u0061dmin/x",
        "/%U0061dmin/x",
        "/%25u0061dmin/x",
        // trailing dots, spaces and other white space Windows or .NET trims
        "/admin./x",
        "/admin../x",
        "/admin%2e/x",
        "/admin%2E/x",
        "/admin%20/x",
        "/admin%20./x",
        "/admin.%20/x",
        "/admin%09/x",
        "/admin%0b/x",
        "/admin%C2%A0/x",
        "/admin%C2%85/x",
        "/admin%E2%80%A8/x",
        "/admin/x.",
        "/admin/x%20",
        // NTFS streams, 8.3 short names, ASP.NET cookieless sessions
        "/admin::$DATA/x",
        "/admin::%24DATA/x",
        "/admin:$I30:$INDEX_ALLOCATION/x",
        "/admin:/x",
        "/ADMINI~1/x",
        "/admini%7E1/x",
        "/(S(abc))/admin/x",
        "/(A(abc)S(def))/admin/x",
        // encoded query and fragment markers
        "/admin%3F/x",
        "/admin%3f",
        "/admin%23/x",
        // overlong UTF-8 and fullwidth forms of `.`, `/`, `\`, `;`, `%`
        "/%c0%ae%c0%ae/admin",
        "/admin%c0%afx",
        "/admin%c1%9cx",
        "/admin%e0%80%afx",
        "/x/%EF%BC%8E%EF%BC%8E/admin",
        "/public%EF%BC%8F..%EF%BC%8Fadmin",
        "/admin%EF%BC%BCx",
        "/admin%EF%BC%9B/x",
        "/admin%EF%BC%8E/x",
        "/%EF%BC%852561dmin/x",
        // backslashes, raw and encoded
        "/admin\\x",
        "/admin%5cx",
        "/admin%5Cx",
        "/public\\..\\admin",
    ] {
        let url = format!("https://app.example.com{path}");
        let nginx = Target::from_original(&url, "GET");
        let caddy = Target::from_forwarded("https", "app.example.com", path, "GET");
        for parsed in [nginx, caddy] {
            assert!(
                matches!(parsed, Err(Ambiguous(_))),
                "{path} should be refused as ambiguous: {parsed:?}"
            );
        }
    }
}

#[test]
fn ordinary_paths_still_pass() {
    for (path, decoded) in [
        ("/", "/"),
        ("/docs/", "/docs/"),
        ("/~alice/notes.txt", "/~alice/notes.txt"),
        ("/wiki/Special:Random", "/wiki/Special:Random"),
        ("/v1.2/app-1.0.tar.gz", "/v1.2/app-1.0.tar.gz"),
        ("/.well-known/x", "/.well-known/x"),
        ("/a%20b/%7Euser", "/a b/~user"),
        ("/caf%C3%A9", "/café"),
        ("/Foo_(bar)", "/Foo_(bar)"),
        ("/public/x?/../admin;x=%2561", "/public/x"),
    ] {
        let t = Target::from_forwarded("https", "app.example.com", path, "GET").unwrap();
        assert_eq!(t.path, decoded);
        assert_eq!(t.folded, None, "{path}");
    }
    let fullwidth = Target::from_original("https://app.example.com/%EF%BD%81dmin", "GET");
    assert_eq!(
        fullwidth.unwrap().readings().collect::<Vec<_>>(),
        ["/ａdmin", "/admin"]
    );
}

#[test]
fn malformed_targets_are_invalid() {
    for (url, method) in [
        ("", "GET"),
        ("/admin", "GET"),
        ("app.example.com/admin", "GET"),
        ("ftp://app.example.com/", "GET"),
        ("javascript://app.example.com/", "GET"),
        ("https://user@app.example.com/", "GET"),
        ("https://app.example.com/a b", "GET"),
        ("https://app.example.com/a\0b", "GET"),
        ("https://app.example.com/a\r\nX: y", "GET"),
        ("https://app.example.com/é", "GET"),
        ("https://app.example.com/#x", "GET"),
        ("https:///admin", "GET"),
        ("https://app.example.com:99999/", "GET"),
        ("https://app.example.com/", ""),
        ("https://app.example.com/", "GET /"),
        ("https://app.example.com/", "G\rET"),
    ] {
        assert!(
            matches!(Target::from_original(url, method), Err(Invalid(_))),
            "{url:?} {method:?} should be invalid"
        );
    }
    for (proto, host, uri) in [
        ("gopher", "app.example.com", "/"),
        ("https", "app.example.com/x", "/"),
        ("https", "evil.com@app.example.com", "/"),
        ("https", "a.example.com,b.example.com", "/"),
        ("https", "app.example.com", "x"),
        ("https", "app.example.com", "//evil.com/"),
    ] {
        assert!(
            Target::from_forwarded(proto, host, uri, "GET").is_err(),
            "{proto} {host} {uri} should be refused"
        );
    }
}
