//! Where a user may be sent after logging in (`rd`, SPEC §3): a relative path on
//! this host, or an absolute URL whose host is `public_url`'s, under `cookie_domain`,
//! or in `allowed_redirect_hosts`. Anything else falls back to `/account`.

use url::Url;

use crate::config::Config;

/// Where users go when `rd` is absent or refused (under the base path).
pub const FALLBACK: &str = "/account";

/// `rd` if it is a safe target, else `None`.
pub fn safe_target(rd: &str, config: &Config) -> Option<String> {
    // Browsers strip tabs and newlines and treat `\` as `/`; such input is never
    // a legitimate target, so refuse it before any parsing.
    if rd.is_empty() || rd.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let lowered = rd.to_ascii_lowercase();
    if lowered.contains("%5c")
        || lowered.contains("%09")
        || lowered.contains("%0a")
        || lowered.contains("%0d")
    {
        return None;
    }
    if rd.starts_with('/') {
        if rd.starts_with("//") {
            return None;
        }
        // Resolve against our own origin: a target that leaves it is refused.
        let joined = config.public_url.join(rd).ok()?;
        return (joined.origin() == config.public_url.origin()).then(|| rd.to_owned());
    }
    let url = Url::parse(rd).ok()?;
    let scheme_ok = url.scheme() == "https" || url.scheme() == config.public_url.scheme();
    if !scheme_ok || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    host_allowed(&host, config).then(|| url.to_string())
}

/// `safe_target` or the fallback.
pub fn target_or_fallback(rd: Option<&str>, config: &Config) -> String {
    rd.and_then(|rd| safe_target(rd, config))
        .unwrap_or_else(|| config.at(FALLBACK))
}

fn host_allowed(host: &str, config: &Config) -> bool {
    let canon = |h: &str| h.trim_end_matches('.').to_ascii_lowercase();
    if config.public_url.host_str().map(canon).as_deref() == Some(host) {
        return true;
    }
    if let Some(domain) = &config.cookie_domain {
        let domain = canon(domain.trim_start_matches('.'));
        if host == domain || host.ends_with(&format!(".{domain}")) {
            return true;
        }
    }
    config
        .allowed_redirect_hosts
        .iter()
        .any(|allowed| canon(allowed) == host)
}

#[cfg(test)]
mod tests {
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
}
