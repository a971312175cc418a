//! The client behind a request: its address (believing `X-Forwarded-For` only from
//! `trusted_proxies`) and its User-Agent.

use std::net::IpAddr;

use rocket::request::{FromRequest, Outcome, Request};

use crate::auth::{Auth, Client};
use crate::config::Config;

/// The client's address as far as we can trust it.
pub fn client_ip(request: &Request<'_>, config: &Config) -> Option<IpAddr> {
    let peer = request.remote()?.ip();
    let trusted = |ip: &IpAddr| config.trusted_proxies.iter().any(|net| net.contains(ip));
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
        match hop.trim().parse::<IpAddr>() {
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
