//! Security headers on every response, error pages included (SPEC §8).

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

use crate::auth::Auth;

/// Adds CSP, `nosniff`, `Referrer-Policy: same-origin`, `no-store` (except on static
/// assets) and, when cookies are secure, HSTS.
///
/// `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null`
/// on every form POST, which the CSRF check must refuse; `same-origin` still keeps
/// one-time link URLs from leaking to other sites (SPEC §8).
pub struct SecurityHeaders {
    /// Whether to send `Strict-Transport-Security`.
    pub hsts: bool,
}

/// Scripts, styles and images only from this origin, and nothing inline: the pages'
/// one script file (`/static/portcullis.js`) runs, an injected `<script>` or `on…=`
/// attribute does not (SPEC §8, §9). `connect-src 'self'`: the passkey script
/// (`/static/passkeys.js`) calls this origin's JSON routes, and nothing else.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "Portcullis security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if is_forward_auth(request) && !is_page(response) {
            // An answer to a proxy, not a page (SPEC §5). On 2xx a proxy reads
            // `Remote-*` and `Set-Cookie` and drops everything else (nginx never
            // relays an auth subrequest's headers; Traefik and Caddy copy only those
            // they are told to), so nothing is added. A refusal may reach the browser
            // as is (Traefik, Caddy): a redirect or a plain-text or JSON body, never
            // a page to frame or script, so it keeps `nosniff` and `no-store`.
            if !response.status().class().is_success() {
                response.set_header(Header::new("X-Content-Type-Options", "nosniff"));
                response.set_header(Header::new("Cache-Control", "no-store"));
            }
            return;
        }
        response.set_header(Header::new("Content-Security-Policy", CSP));
        response.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        response.set_header(Header::new("Referrer-Policy", "same-origin"));
        response.set_header(Header::new("X-Frame-Options", "DENY"));
        if !is_static_asset(request) {
            response.set_header(Header::new("Cache-Control", "no-store"));
        }
        if self.hsts {
            response.set_header(Header::new(
                "Strict-Transport-Security",
                "max-age=31536000; includeSubDomains",
            ));
        }
    }
}

/// Whether the request is for one of the embedded static files, which browsers may
/// keep: `/static/…` under the base path the pages are mounted at (a portal at
/// `https://example.com/auth` serves `/auth/static/portcullis.css`).
fn is_static_asset(request: &Request<'_>) -> bool {
    let path = request.uri().path();
    let base = request
        .rocket()
        .state::<Auth>()
        .map_or("", |auth| auth.config().base_path());
    path.as_str()
        .strip_prefix(base)
        .is_some_and(|rest| rest.starts_with("/static/"))
}

/// Whether the request was answered by one of the forward-auth endpoints
/// (`crate::authz::routes`), matched by route name and path.
fn is_forward_auth(request: &Request<'_>) -> bool {
    request.route().is_some_and(|route| {
        let path = route.uri.path();
        match route.name.as_deref() {
            Some("auth_request") => path.ends_with("/api/authz/auth-request"),
            Some("forward_auth") => path.ends_with("/api/authz/forward-auth"),
            _ => false,
        }
    })
}

/// Whether the response is an HTML page (an error page from a catcher), without
/// parsing its `Content-Type`: a `2xx` from a forward-auth endpoint never is.
fn is_page(response: &Response<'_>) -> bool {
    !response.status().class().is_success()
        && response
            .headers()
            .get_one("Content-Type")
            .is_some_and(|value| value.trim_start().starts_with("text/html"))
}
