//! The client behind a request: its address (believing `X-Forwarded-For` only from
//! `trusted_proxies`) and its User-Agent. The one place addresses are read, for
//! sessions, throttling and the audit log as for the forward-auth proxy check.
//!
//! Addresses are canonical: a server bound to `::` sees IPv4 peers as IPv4-mapped
//! IPv6 (`::ffff:127.0.0.1`), which would match no IPv4 network of
//! `trusted_proxies` and count apart from the same client seen over IPv4.

use std::net::IpAddr;

use rocket::request::{FromRequest, Outcome, Request};

use crate::auth::{Auth, Client};
use crate::config::Config;

/// The socket peer's address, canonical (IPv4-mapped addresses read as IPv4).
pub fn peer_ip(request: &Request<'_>) -> Option<IpAddr> {
    request.remote().map(|peer| peer.ip().to_canonical())
}

/// Whether `ip` (canonical) is one of `trusted_proxies`.
pub fn is_trusted_proxy(config: &Config, ip: &IpAddr) -> bool {
    config.trusted_proxies.iter().any(|net| net.contains(ip))
}

/// The client's address as far as we can trust it.
pub fn client_ip(request: &Request<'_>, config: &Config) -> Option<IpAddr> {
    let peer = peer_ip(request)?;
    let trusted = |ip: &IpAddr| is_trusted_proxy(config, ip);
    if !trusted(&peer) {
        return Some(peer);
    }
    // Walk the chain right to left: the first hop we do not trust is the client; a
    // malformed hop ends the walk, since nothing left of it can be believed.
    let hops: Vec<&str> = request
        .headers()
        .get("X-Forwarded-For")
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) {
            Ok(ip) if trusted(&ip) => continue,
            Ok(ip) => return Some(ip),
            Err(_) => break,
        }
    }
    Some(peer)
}

/// Reads the [`Client`] of a request.
pub fn client_of(request: &Request<'_>, config: &Config) -> Client {
    Client {
        ip: client_ip(request, config),
        user_agent: request.headers().get_one("User-Agent").map(str::to_owned),
        actor: None,
        background: !super::activity::is_navigation(request),
    }
}

/// Request guard wrapping [`Client`].
pub struct ClientInfo(pub Client);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientInfo {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let client = match request.rocket().state::<Auth>() {
            Some(auth) => client_of(request, auth.config()),
            None => Client::default(),
        };
        Outcome::Success(ClientInfo(client))
    }
}
