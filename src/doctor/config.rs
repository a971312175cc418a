//! The settings judged on their own: `public_url`, `cookie_secure`,
//! `cookie_domain` (never a public suffix, per the `psl` crate's copy of the Public
//! Suffix List), `trusted_proxies`, and whether every `access_rules` domain can be
//! reached by the session cookie and by a post-login redirect.

use std::net::IpAddr;

use super::Check;
use crate::config::Config;
use crate::web::redirect::safe_target;

/// Every configuration check, in order.
pub fn checks(config: &Config) -> Vec<Check> {
    let mut checks = vec![
        public_url(config),
        cookie_secure(config),
        cookie_domain(config),
    ];
    checks.push(trusted_proxies(config));
    checks.extend(access_rules(config));
    checks
}

/// The host of `public_url` (lower case, as the `url` crate parses it).
fn portal_host(config: &Config) -> String {
    config.public_url.host_str().unwrap_or_default().to_owned()
}

/// `localhost` or a loopback address: a development setup, where plain http is fine.
fn is_local(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn public_url(config: &Config) -> Check {
    let url = config.public_url.as_str();
    match config.public_url.scheme() {
        "https" => Check::pass(format!("public_url {url} is https")),
        _ if is_local(&portal_host(config)) => Check::pass(format!(
            "public_url {url} is plain http on this machine (development)"
        )),
        _ => Check::fail(
            format!(
                "public_url {url} is plain http on a network host: passwords and cookies cross the network in clear"
            ),
            "serve the portal over https at the proxy and set public_url = \"https://…\"",
        ),
    }
}

fn cookie_secure(config: &Config) -> Check {
    let https = config.public_url.scheme() == "https";
    match (config.cookie_secure, https) {
        (Some(false), true) => Check::fail(
            "cookie_secure = false although public_url is https: session cookies may be sent over plain http",
            "remove cookie_secure (it follows public_url) or set it to true",
        ),
        (Some(true), false) if !is_local(&portal_host(config)) => Check::fail(
            "cookie_secure = true but public_url is http: browsers drop Secure cookies on http pages, so nobody stays logged in",
            "make public_url https, or remove cookie_secure",
        ),
        _ => Check::pass(format!(
            "cookies are {}Secure, matching public_url's scheme",
            if config.cookie_secure() { "" } else { "not " }
        )),
    }
}

fn cookie_domain(config: &Config) -> Check {
    let Some(domain) = config.cookie_domain.as_deref() else {
        return Check::pass("no cookie_domain: the session cookie is for the portal's host only");
    };
    let domain = domain.trim_start_matches('.').to_ascii_lowercase();
    if is_public_suffix(&domain) {
        return Check::fail(
            format!(
                "cookie_domain \"{domain}\" is a public suffix: browsers refuse the cookie (and if they did not, every site under it would receive it)"
            ),
            "set cookie_domain to your own registered domain, e.g. \"example.com\", or remove it",
        );
    }
    let host = portal_host(config);
    if !within(&host, &domain) {
        return Check::fail(
            format!(
                "cookie_domain \"{domain}\" does not contain public_url's host {host}: browsers refuse the cookie"
            ),
            format!("set cookie_domain to {host} or one of its parent domains"),
        );
    }
    Check::pass(format!(
        "cookie_domain \"{domain}\" is a registrable domain containing {host}"
    ))
}

/// Whether `domain` is itself a public suffix (`com`, `co.uk`, `github.io`).
pub fn is_public_suffix(domain: &str) -> bool {
    psl::suffix(domain.as_bytes()).is_some_and(|s| s.as_bytes() == domain.as_bytes())
}

/// Whether `host` is `domain` or under it.
fn within(host: &str, domain: &str) -> bool {
    host == domain || host.ends_with(&format!(".{domain}"))
}

fn trusted_proxies(config: &Config) -> Check {
    match config
        .trusted_proxies
        .iter()
        .find(|net| net.prefix_len() == 0)
    {
        Some(net) => Check::fail(
            format!(
                "trusted_proxies contains {net}: any client can choose the address it is throttled and logged under (X-Forwarded-For)"
            ),
            "list only your proxies' addresses, e.g. [\"127.0.0.1/32\", \"10.0.0.5/32\"]",
        ),
        None => Check::pass(format!(
            "X-Forwarded-For is believed from {} network(s) only",
            config.trusted_proxies.len()
        )),
    }
}

/// For each rule's domain: does the session cookie reach it, and may `rd` send a
/// user back to it after logging in?
fn access_rules(config: &Config) -> Vec<Check> {
    let scheme = if config.public_url.scheme() == "http" {
        "http"
    } else {
        "https"
    };
    let portal = portal_host(config);
    let mut checks = Vec::new();
    for rule in &config.access_rules {
        let pattern = rule.domain.to_ascii_lowercase();
        // A wildcard rule stands for any subdomain: try a representative one.
        let host = match pattern.strip_prefix("*.") {
            Some(parent) => format!("doctor-probe.{parent}"),
            None => pattern.clone(),
        };
        let cookie_reaches = host == portal
            || config
                .cookie_domain
                .as_deref()
                .is_some_and(|d| within(&host, d.trim_start_matches('.')));
        if !cookie_reaches {
            checks.push(Check::fail(
                format!("access rule for {pattern}: the session cookie never reaches it, so its users are sent to log in again and again"),
                format!("set cookie_domain to a parent domain of both {portal} and {pattern}"),
            ));
        } else if safe_target(&format!("{scheme}://{host}/"), config).is_none() {
            checks.push(Check::fail(
                format!("access rule for {pattern}: after logging in, users cannot be sent back there (not in the redirect allowlist)"),
                format!("add \"{pattern}\" to allowed_redirect_hosts, or set cookie_domain to its parent"),
            ));
        } else {
            checks.push(Check::pass(format!(
                "access rule for {pattern}: the cookie reaches it and logins return to it"
            )));
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_suffixes_are_recognised() {
        for suffix in ["com", "co.uk", "github.io"] {
            assert!(is_public_suffix(suffix), "{suffix}");
        }
        for domain in ["example.com", "example.co.uk", "auth.example.com"] {
            assert!(!is_public_suffix(domain), "{domain}");
        }
    }
}
