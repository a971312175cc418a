//! A request seen through the reverse proxy: which forwarding headers arrived, from
//! which peer, whether that peer is trusted, and how many cookies of our session
//! cookie's name came with it (two mean a second instance, or an app, on a parent
//! domain uses the same name). [`observe`] reads a request; [`judge`] turns what
//! was seen into checks.
//!
//! The probe (`GET /doctor/probe`, [`crate::web::pages::doctor`]) shows only what
//! its caller sent, where it came from and whether that peer is trusted, never a
//! cookie's value, and only to loopback clients and admins.

use std::collections::BTreeMap;

use rocket::Request;
use serde::{Deserialize, Serialize};

use super::Check;
use crate::config::Config;
use crate::web::client::{client_ip, is_trusted_proxy, peer_ip};
use crate::web::session::cookie_name;

/// The request headers a reverse proxy adds or rewrites.
pub const FORWARDING: [&str; 6] = [
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Forwarded-Host",
    "X-Real-IP",
    "Forwarded",
    "Host",
];

/// What Portcullis saw of one request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Seen {
    /// The socket peer: the proxy, behind one.
    pub peer: Option<String>,
    /// Whether the peer is in `trusted_proxies`.
    pub peer_trusted: bool,
    /// The client's address as Portcullis believes it.
    pub client_ip: Option<String>,
    /// The forwarding headers that arrived (names as in [`FORWARDING`]).
    pub headers: BTreeMap<String, String>,
    /// The session cookie's name.
    pub cookie_name: String,
    /// How many cookies of that name arrived.
    pub cookies_of_our_name: usize,
}

/// Reads what a request brought.
pub fn observe(request: &Request<'_>, config: &Config) -> Seen {
    let name = cookie_name(config);
    let headers = FORWARDING
        .iter()
        .filter_map(|h| {
            let values: Vec<&str> = request.headers().get(h).collect();
            (!values.is_empty()).then(|| (h.to_string(), values.join(", ")))
        })
        .collect();
    let cookies_of_our_name = request
        .headers()
        .get("Cookie")
        .flat_map(|value| value.split(';'))
        .filter(|pair| pair.split('=').next().is_some_and(|n| n.trim() == name))
        .count();
    let peer = peer_ip(request);
    Seen {
        peer: peer.map(|ip| ip.to_string()),
        peer_trusted: peer.is_some_and(|ip| is_trusted_proxy(config, &ip)),
        client_ip: client_ip(request, config).map(|ip| ip.to_string()),
        headers,
        cookie_name: name.to_owned(),
        cookies_of_our_name,
    }
}

/// The checks for one request that went through the proxy. `expected_host` is the
/// host the client asked for; `expected_cookies` how many cookies of our name it
/// sent (the command line sends one; a browser's own count is unknown, so `None`
/// only flags more than one).
pub fn judge(seen: &Seen, expected_host: &str, expected_cookies: Option<usize>) -> Vec<Check> {
    let peer = seen.peer.as_deref().unwrap_or("an unknown peer");
    let header = |name: &str| seen.headers.get(name).map(String::as_str);
    let mut checks = Vec::new();
    let proxied = header("X-Forwarded-For").is_some() || header("X-Forwarded-Proto").is_some();
    checks.push(if seen.peer_trusted {
        Check::pass(format!("the request came from {peer}, a trusted proxy"))
    } else if !proxied {
        Check::fail(
            format!("the request came straight from {peer}, with no sign of a proxy"),
            "let clients reach Portcullis only through the proxy: address = \"127.0.0.1\" in Rocket.toml",
        )
    } else {
        Check::fail(
            format!("the request came from {peer}, which is not in trusted_proxies: its X-Forwarded-For is ignored and every client looks like {peer}"),
            format!("add \"{peer}/{}\" to trusted_proxies (if that is your proxy)", if peer.contains(':') { 128 } else { 32 }),
        )
    });
    checks.push(match header("X-Forwarded-For") {
        Some(xff) => Check::pass(format!(
            "X-Forwarded-For arrived ({xff}); the client is taken to be {}",
            seen.client_ip.as_deref().unwrap_or("unknown")
        )),
        None => Check::fail(
            "no X-Forwarded-For arrived: every client looks like the proxy (one shared login throttle, the proxy's address in the audit log)",
            "nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;  Caddy's reverse_proxy sets it itself",
        ),
    });
    checks.push(match header("X-Forwarded-Proto") {
        Some(proto) => Check::pass(format!("X-Forwarded-Proto arrived ({proto})")),
        None => Check::fail(
            "no X-Forwarded-Proto arrived: the scheme the client used is unknown",
            "nginx: proxy_set_header X-Forwarded-Proto $scheme;  Caddy's reverse_proxy sets it itself",
        ),
    });
    checks.push(match header("Host") {
        Some(host) if host.eq_ignore_ascii_case(expected_host) => {
            Check::pass(format!("the Host header arrived unchanged ({host})"))
        }
        other => Check::fail(
            format!(
                "the Host header arrived as {:?}, not {expected_host}",
                other.unwrap_or("nothing")
            ),
            "nginx: proxy_set_header Host $http_host;  Caddy keeps it by default",
        ),
    });
    let name = &seen.cookie_name;
    let count = seen.cookies_of_our_name;
    checks.push(match expected_cookies {
        _ if count > 1 => Check::fail(
            format!("{count} cookies named {name} arrived: another Portcullis (or app) on a parent domain uses the same name, and logins will fail at random"),
            "give each instance its own host with no overlapping cookie_domain",
        ),
        Some(sent) if sent != count => Check::fail(
            format!("{count} cookie(s) named {name} arrived of {sent} sent: the proxy rewrites cookies"),
            "pass the Cookie header through unchanged",
        ),
        _ => Check::pass(format!("no second cookie named {name}")),
    });
    checks
}
