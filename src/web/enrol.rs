//! Enrol before anything else (SPEC §10 `second_factor`, `second_factor_groups`):
//! a signed-in user who must have a second factor and has none reaches only the
//! pages that set one up, re-authentication (which those pages ask for) and
//! signing out. Every other page guarded by [`AuthUser`](super::session::AuthUser)
//! (the host app's too) sends them to `/account/security`.

use rocket::Request;
use rocket::http::Method;
use rocket::response::Redirect;

use crate::auth::{Auth, Identity};

/// The pages such a user may still reach, under the base path: exact, or a
/// prefix when ending in `/`.
const OPEN: &[&str] = &[
    "/account/security",
    "/account/totp",
    "/account/totp/",
    "/account/recovery-codes",
    "/account/passkeys/",
    "/account/logout-everywhere",
    "/reauth",
    "/logout",
    "/login/",
];

/// Marks a request stopped for enrolment, for the catcher.
struct EnrolFirst(bool);

/// Whether `me` must enrol a second factor before this request may go on; marks
/// the request when so.
pub fn stopped(request: &Request<'_>, auth: &Auth, me: &Identity) -> bool {
    if !auth.factors().must_enrol(me) {
        return false;
    }
    let path = request.uri().path();
    let path = path.as_str();
    let inner = path.strip_prefix(auth.config().base_path()).unwrap_or(path);
    let open = OPEN.iter().any(|open| match open.strip_suffix('/') {
        Some(prefix) => inner.starts_with(open) || inner == prefix,
        None => inner == *open,
    });
    if open {
        return false;
    }
    request.local_cache(|| EnrolFirst(true));
    true
}

/// Where the catcher sends a request [`stopped`] for enrolment, if it was: to
/// `/account/security`, with the way back for a page (not for a form: its
/// submission is not kept).
pub fn redirect(request: &Request<'_>, auth: &Auth) -> Option<Redirect> {
    if !request.local_cache(|| EnrolFirst(false)).0 {
        return None;
    }
    let security = auth.config().at("/account/security");
    let back = request.uri().to_string();
    let home = [auth.config().at("/account"), auth.config().at("/")];
    if request.method() != Method::Get || home.contains(&back) {
        return Some(Redirect::to(security));
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("rd", &back)
        .finish();
    Some(Redirect::to(format!("{security}?{query}")))
}
