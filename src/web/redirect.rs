//! Where a user may be sent after logging in (`rd`, SPEC §3), and the exact
//! `Location` that sends them there.
//!
//! Accepted: a path on this host (`/x`; never `//x`, `/\x` or anything a browser or
//! one more decoding would read as another host), or an absolute URL with no user
//! info that is
//! - on `public_url`'s exact origin (scheme, host and port), or
//! - `https` (or `http` when `public_url` itself is `http`, a development setup) on
//!   a host under `cookie_domain` (any port: the session cookie reaches every port of
//!   those hosts anyway) or in `allowed_redirect_hosts` (any port, unless the entry
//!   names one: `host:8443`).
//!
//! Anything else falls back to `/account`. The target is parsed with the `url` crate,
//! which follows the WHATWG URL standard browsers implement, so hosts are compared as
//! a browser will resolve them (IDNA, letter case, IPv4 and IPv6 forms), and the
//! `Location` is that parse serialised again, never the raw input: percent-encoded
//! visible ASCII that is always a valid header value.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use rocket::http::uri::Reference;
use url::{Host, Position, Url};

use crate::config::Config;

/// Where users go when `rd` is absent or refused (under the base path).
pub const FALLBACK: &str = "/account";

/// The longest `rd` considered.
const MAX_RD: usize = 8 * 1024;

/// What WHATWG serialisation leaves raw in a path or query but RFC 3986 (and so
/// Rocket's `Location` parser) does not allow: encoding them changes no meaning.
const NOT_RFC3986: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The same for a fragment, where a second `#` is not allowed either.
const NOT_RFC3986_FRAGMENT: &AsciiSet = &NOT_RFC3986.add(b'#');

/// The `Location` for `rd` if it is a safe target, else `None`.
pub fn safe_target(rd: &str, config: &Config) -> Option<String> {
    // Browsers strip tabs and newlines and treat `\` as `/`; such input is never
    // a legitimate target, so refuse it before any parsing.
    if rd.is_empty() || rd.len() > MAX_RD || rd.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let lowered = rd.to_ascii_lowercase();
    if ["%5c", "%09", "%0a", "%0d"]
        .iter()
        .any(|e| lowered.contains(e))
    {
        return None;
    }
    if rd.starts_with('/') {
        return relative(rd, config);
    }
    let url = Url::parse(rd).ok()?;
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let scheme_ok =
        url.scheme() == "https" || (url.scheme() == "http" && config.public_url.scheme() == "http");
    let allowed =
        same_origin(&url, &config.public_url) || (scheme_ok && host_allowed(&url, config));
    if !allowed {
        return None;
    }
    location(&url, &url[..Position::BeforePath])
}

/// `safe_target` or the fallback.
pub fn target_or_fallback(rd: Option<&str>, config: &Config) -> String {
    rd.and_then(|rd| safe_target(rd, config))
        .unwrap_or_else(|| config.at(FALLBACK))
}

/// A path on this host, resolved as a browser would, kept relative.
fn relative(rd: &str, config: &Config) -> Option<String> {
    if rd.starts_with("//") {
        return None;
    }
    let joined = config.public_url.join(rd).ok()?;
    if joined.origin() != config.public_url.origin() {
        return None;
    }
    let target = location(&joined, "")?;
    // Dot segments can leave an empty first segment (`/.//evil`, `/x/..//evil`),
    // which a browser reads as a host; `/%2F/evil` is one decoding away from that.
    let decoded = percent_decode_str(&target).decode_utf8_lossy();
    if decoded.starts_with("//") || decoded.starts_with("/\\") {
        return None;
    }
    Some(target)
}

/// `prefix` (the serialised origin, or nothing) then `url`'s path, query and
/// fragment as valid `Location` text; `None` if Rocket would still refuse it.
fn location(url: &Url, prefix: &str) -> Option<String> {
    let mut out = prefix.to_owned();
    out.extend(utf8_percent_encode(url.path(), NOT_RFC3986));
    if let Some(query) = url.query() {
        out.push('?');
        out.extend(utf8_percent_encode(query, NOT_RFC3986));
    }
    if let Some(fragment) = url.fragment() {
        out.push('#');
        out.extend(utf8_percent_encode(fragment, NOT_RFC3986_FRAGMENT));
    }
    let valid = out.bytes().all(|b| b.is_ascii_graphic()) && Reference::parse(&out).is_ok();
    valid.then_some(out)
}

/// A URL's host as compared here: one trailing dot dropped (`example.com.` is
/// `example.com` to DNS).
fn canonical_host(url: &Url) -> Option<Host<String>> {
    Some(match url.host()? {
        Host::Domain(name) => Host::Domain(name.strip_suffix('.').unwrap_or(name).to_owned()),
        Host::Ipv4(ip) => Host::Ipv4(ip),
        Host::Ipv6(ip) => Host::Ipv6(ip),
    })
}

/// Same scheme, host and port (the default port of the scheme when none is given).
fn same_origin(url: &Url, public_url: &Url) -> bool {
    url.scheme() == public_url.scheme()
        && url.port_or_known_default() == public_url.port_or_known_default()
        && canonical_host(url).is_some()
        && canonical_host(url) == canonical_host(public_url)
}

fn host_allowed(url: &Url, config: &Config) -> bool {
    let Some(host) = canonical_host(url) else {
        return false;
    };
    if let (Host::Domain(name), Some(domain)) = (&host, config.cookie_domain.as_deref())
        && let Ok(Host::Domain(domain)) = Host::parse(domain.trim_start_matches('.'))
    {
        let domain = domain.strip_suffix('.').unwrap_or(&domain);
        if name == domain
            || name
                .strip_suffix(domain)
                .is_some_and(|sub| sub.ends_with('.'))
        {
            return true;
        }
    }
    config
        .allowed_redirect_hosts
        .iter()
        .filter_map(|entry| allowed_entry(entry))
        .any(|(allowed, port)| {
            allowed == host && port.is_none_or(|port| url.port_or_known_default() == Some(port))
        })
}

/// An `allowed_redirect_hosts` entry: a host (name, IPv4, IPv6 with or without
/// brackets) and an optional port. An entry that is not one allows nothing.
fn allowed_entry(entry: &str) -> Option<(Host<String>, Option<u16>)> {
    if let Ok(ip) = entry.parse::<std::net::IpAddr>() {
        let host = match ip {
            std::net::IpAddr::V4(ip) => Host::Ipv4(ip),
            std::net::IpAddr::V6(ip) => Host::Ipv6(ip),
        };
        return Some((host, None));
    }
    let url = Url::parse(&format!("https://{entry}")).ok()?;
    let bare = url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !bare {
        return None;
    }
    // `url` forgets a port equal to the scheme's default: ask under both schemes so
    // `host:443` and `host:80` keep theirs.
    let port = url
        .port()
        .or_else(|| Url::parse(&format!("http://{entry}")).ok()?.port());
    Some((canonical_host(&url)?, port))
}

#[cfg(test)]
mod tests;
