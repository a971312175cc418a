//! Several cookies of the session's name in one request (a sibling subdomain or an
//! attacker's script can plant one beside the real cookie, with another `Path` or
//! `Domain`): Rocket's jar keeps only the last, so a tossed cookie would log the
//! user out. Here every candidate from the `Cookie` headers is tried and the one
//! that verifies wins (issue 15). Only requests that carry more than one pay.

use rocket::Request;
use rocket::figment::value::Value;
use rocket::http::Cookie;

use crate::auth::{Auth, Check};
use crate::token::TokenKind;

/// The check of the best of several cookies named `name`: a valid one, else an
/// expired one of a live session (which then slides), else `None` (the jar's own
/// choice stands). `None` as well when there are fewer than two.
pub(super) fn best_of_twins(request: &Request<'_>, auth: &Auth, name: &str) -> Option<Check> {
    if !may_have_twins(request, name) {
        return None;
    }
    let values = candidates(request, name);
    if values.len() < 2 {
        return None;
    }
    let key = cookie_key(request)?;
    let checks = values.iter().map(|value| {
        let open = || open_private(&key, name, value);
        auth.sessions()
            .check_presented(value, TokenKind::Browser, open)
    });
    let mut expired = None;
    for check in checks {
        match check {
            Check::Valid(_) => return Some(check),
            Check::Expired(_) if expired.is_none() => expired = Some(check),
            _ => {}
        }
    }
    expired
}

/// Whether the `Cookie` headers may hold two cookies named `name`, by a scan that
/// neither decodes nor allocates (the full parse cost the guard ~4 µs a request,
/// docs/BENCHMARKS.md). A raw name without `%` decodes to itself, so only pairs
/// named `name` as written or holding an escape can be one; fewer than two of
/// those, and there are no twins.
fn may_have_twins(request: &Request<'_>, name: &str) -> bool {
    let could_be = |pair: &str| {
        pair.split_once('=')
            .is_some_and(|(raw, _)| raw.trim() == name || raw.contains('%'))
    };
    let mut seen = 0;
    for header in request.headers().get("Cookie") {
        seen += header.split(';').filter(|pair| could_be(pair)).count();
        if seen >= 2 {
            return true;
        }
    }
    false
}

/// Every value of a cookie named `name` in the request's `Cookie` headers, parsed
/// as Rocket parses them.
fn candidates(request: &Request<'_>, name: &str) -> Vec<String> {
    request
        .headers()
        .get("Cookie")
        .flat_map(Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .filter(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
        .collect()
}

/// Decrypts one private cookie value with the key Rocket uses for its jar.
fn open_private(key: &cookie::Key, name: &str, value: &str) -> Option<String> {
    let mut jar = cookie::CookieJar::new();
    jar.add_original(Cookie::new(name.to_owned(), value.to_owned()));
    jar.private(key).get(name).map(|c| c.value().to_owned())
}

/// Rocket's cookie key, from the `secret_key` it was launched with (the fairing
/// always sets one), read by Rocket's own rules: base64 or hex; 64 bytes or more
/// are the key itself, 32 to 63 are material to derive it from.
fn cookie_key(request: &Request<'_>) -> Option<cookie::Key> {
    use data_encoding::{BASE64, HEXLOWER_PERMISSIVE};
    let bytes = match request.rocket().figment().find_value("secret_key").ok()? {
        Value::String(_, text) => match text.len() {
            44 | 88 => BASE64.decode(text.as_bytes()).ok()?,
            64 => HEXLOWER_PERMISSIVE.decode(text.as_bytes()).ok()?,
            _ => return None,
        },
        other => other.deserialize::<Vec<u8>>().ok()?,
    };
    match bytes.len() {
        0..32 => None,
        64.. => cookie::Key::try_from(bytes.as_slice()).ok(),
        _ => Some(cookie::Key::derive_from(&bytes)),
    }
}
