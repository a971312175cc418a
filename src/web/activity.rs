//! Which requests are a person's (SPEC §11 `idle_counts`): the browser says so in
//! its `Sec-Fetch-*` headers, which reverse proxies forward to the forward-auth
//! endpoints along with the rest of the original request.

use rocket::Request;

use super::client::client_of;
use super::session::cookie_name;
use crate::auth::{Auth, Check};

/// A top-level navigation (`Sec-Fetch-Mode: navigate` with `Sec-Fetch-Dest:
/// document`), or a request with no `Sec-Fetch-*` header at all: a non-browser
/// client (curl, a mobile app) or an old browser, where a person cannot be told
/// from a script, so the request counts, as it always did. An empty header (what
/// a proxy may send for one the client left out) counts as absent.
pub fn is_navigation(request: &Request<'_>) -> bool {
    let header = |name| request.headers().get_one(name).filter(|v| !v.is_empty());
    let (mode, dest) = (header("Sec-Fetch-Mode"), header("Sec-Fetch-Dest"));
    if mode.is_none() && dest.is_none() && header("Sec-Fetch-Site").is_none() {
        return true;
    }
    mode.is_some_and(|m| m.eq_ignore_ascii_case("navigate"))
        && dest.is_some_and(|d| d.eq_ignore_ascii_case("document"))
}

/// A valid cookie whose token a background request renewed, presented by a
/// navigation: turned into an expired one, so the guard renews it and "last seen"
/// records the person's return. Every other check is returned as it is.
pub(super) fn owed(request: &Request<'_>, check: Check) -> Check {
    let Check::Valid(identity) = &check else {
        return check;
    };
    let Some(auth) = request.rocket().state::<Auth>().filter(|_| identity.unseen) else {
        return check;
    };
    let name = cookie_name(auth.config());
    let Some(cookie) = request.cookies().get_private(name) else {
        return check;
    };
    let client = client_of(request, auth.config());
    match auth.sessions().owed_renewal(cookie.value(), &client) {
        Some(claims) => Check::Expired(claims),
        None => check,
    }
}
