//! An admin action interrupted by re-authentication is carried out after it
//! (SPEC §9), not lost behind the password prompt.
//!
//! When [`AdminAction`](crate::web::admin::AdminAction) finds the confirmation
//! stale it forwards, and the [`carry`] routes (same paths, lower rank) take the
//! POST: its CSRF token checked as any form's, the action is kept as an
//! [`AdminOp`] in a private cookie and the browser goes to `/reauth?rd=<user page>`,
//! which names the action. After the password is confirmed, [`after_reauth`] runs
//! it once and lands on the user's page with its notice.
//!
//! What is kept is bound to everything that made it legitimate: the same session
//! (so the same user), that session's password time before the confirmation (a
//! kept action is spent by the confirmation it waited for: replaying the cookie
//! after it finds a newer time), the browser's CSRF token, the page to return to
//! (a confirmation asked for anything else drops it), and five minutes. The cookie
//! is encrypted and authenticated with the secret key, `SameSite=Strict` and
//! `HttpOnly`.
//!
//! Exactly once, even when the confirmation is submitted twice at once (two tabs, a
//! double click): both requests hold the same cookie and the same session as it was
//! before, so the cookie alone cannot tell them apart. It also holds a random claim
//! kept in the store ([`Store::take_carried`](crate::store::Store::take_carried)),
//! and only the request that takes it out runs the action.
//!
//! An action that is not carried out (the admin pressed *Cancel*, or went
//! elsewhere) is dropped by the next admin page it would return to, which says so
//! ([`abandoned`]).

use rocket::form::FromForm;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{State, post};
use serde::{Deserialize, Serialize};

use super::actions::{UserAction, revocation};
use super::ops::AdminOp;
use crate::auth::{Auth, Client, Identity};
use crate::config::Config;
use crate::domain::onetime::new_token;
use crate::domain::user::parse_groups;
use crate::domain::{SessionId, UserId};
use crate::web::admin::AdminUser;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::{Error, Result};
use crate::web::notice;
use crate::web::notice::{NoticeView, Tone};
use crate::web::params::found;

/// The cookie holding the action that waits for a confirmation.
const COOKIE: &str = "portcullis_carried";

/// How long an action waits, in seconds.
const WAITS: i64 = 5 * 60;

/// The fields an interrupted admin form may carry (the groups form's).
#[derive(Debug, FromForm)]
pub struct CarriedFields {
    pub groups: Option<String>,
}

/// An action waiting for the password confirmation, and what binds it.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    op: AdminOp,
    session: SessionId,
    auth_at: i64,
    csrf: String,
    back: String,
    until: i64,
    /// The single-use claim stored beside it (taken by the one run).
    claim: String,
}

fn cookie(config: &Config, value: String) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .path(config.mount_point())
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(config.cookie_secure())
        .max_age(rocket::time::Duration::seconds(WAITS))
        .build()
}

/// Keeps `op` for after the confirmation and sends the admin to confirm.
fn keep(
    op: AdminOp,
    admin: &Identity,
    csrf: &Csrf,
    cookies: &CookieJar<'_>,
    auth: &Auth,
) -> Result<Redirect> {
    let config = auth.config();
    let back = config.at(&op.page().to_string());
    let (claim, now) = (new_token(), auth.now());
    auth.store().put_carried(&claim, now + WAITS, now)?;
    let pending = Pending {
        op,
        session: admin.session,
        auth_at: admin.auth_at,
        csrf: csrf.token().to_owned(),
        back: back.clone(),
        until: now + WAITS,
        claim,
    };
    if let Ok(value) = serde_json::to_string(&pending) {
        cookies.add_private(cookie(config, value));
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("rd", &back)
        .finish();
    Ok(Redirect::to(format!("{}?{query}", config.at("/reauth"))))
}

/// The kept action, if it still fits this admin, browser and page.
fn pending(
    cookies: &CookieJar<'_>,
    me: &Identity,
    csrf: &Csrf,
    back: &str,
    now: i64,
) -> Option<Pending> {
    let kept = cookies.get_private(COOKIE)?;
    let pending: Pending = serde_json::from_str(kept.value()).ok()?;
    let fits = pending.session == me.session
        && pending.auth_at == me.auth_at
        && pending.csrf == csrf.token()
        && pending.back == back
        && now < pending.until
        && me.user.is_admin();
    fits.then_some(pending)
}

/// What the confirmation page says will be done after it, if an action waits for
/// a confirmation returning to `back`; any other kept action is dropped.
pub fn waiting(
    cookies: &CookieJar<'_>,
    me: &Identity,
    csrf: &Csrf,
    back: Option<&str>,
    auth: &Auth,
) -> Option<String> {
    cookies.get_private(COOKIE)?;
    let found = pending(cookies, me, csrf, back.unwrap_or_default(), auth.now());
    let Some(found) = found else {
        cookies.remove_private(cookie(auth.config(), String::new()));
        return None;
    };
    let email = match found.op.user() {
        Some(id) => auth.accounts().summary(&id).ok()??.user.email,
        None => String::new(),
    };
    let what = found.op.describe(&email);
    Some(format!("After you confirm, Portcullis will {what}."))
}

/// Runs the action that waited for this confirmation, once: `me` is the session as
/// it was before the confirmation, `back` the page the confirmation returns to.
/// The answer is where the browser goes next (the page the action was taken on,
/// its notice left there), for the password form's `303` and the passkey script's
/// JSON alike. `None` when no action fits (the confirmation then just returns to
/// `back`).
pub async fn after_reauth(
    me: &Identity,
    csrf: &Csrf,
    back: &str,
    client: &Client,
    cookies: &CookieJar<'_>,
    auth: &Auth,
) -> Option<Result<String>> {
    cookies.get_private(COOKIE)?;
    cookies.remove_private(cookie(auth.config(), String::new()));
    let found = pending(cookies, me, csrf, back, auth.now())?;
    let back = auth.config().at(&found.op.page().to_string());
    // Of two confirmations at once, the one that takes the claim runs the action;
    // the other returns to the page, where the first one's notice is shown.
    match auth.store().take_carried(&found.claim, auth.now()) {
        Ok(true) => {}
        Ok(false) => return Some(Ok(back)),
        Err(e) => return Some(Err(e.into())),
    }
    let admin = client.clone().acting_as(me.user.id);
    Some(match found.op.run(auth, &admin, cookies).await {
        Ok(_) => Ok(back),
        // Refused (the last administrator): said on the page it was asked from.
        Err(Error::Refused(refusal)) => {
            notice::not_done(cookies, auth.config(), refusal.message);
            Ok(back)
        }
        Err(other) => Err(other),
    })
}

/// The notice of an admin page at `here` that a kept action meant to return to
/// but was not carried out (the confirmation was cancelled): the action is
/// dropped and the page says so, and what to do.
pub fn abandoned(
    cookies: &CookieJar<'_>,
    me: &Identity,
    csrf: &Csrf,
    here: &str,
    auth: &Auth,
) -> Option<NoticeView> {
    cookies.get_private(COOKIE)?;
    let found = pending(cookies, me, csrf, here, auth.now())?;
    cookies.remove_private(cookie(auth.config(), String::new()));
    let email = match found.op.user() {
        Some(id) => auth.accounts().summary(&id).ok()??.user.email,
        None => String::new(),
    };
    let what = found.op.describe(&email);
    Some(NoticeView {
        text: format!(
            "Not done: your password was not confirmed, so Portcullis did not {what}. \
             Press the button again to do it."
        ),
        tone: Tone::Warning,
    })
}

/// An admin action posted with a stale confirmation: kept, and the admin sent to
/// confirm their password (SPEC §9).
#[post("/admin/users/<id>/<action>", data = "<form>", rank = 2)]
pub async fn carry(
    id: Result<UserId, &str>,
    action: Result<UserAction, &str>,
    form: CsrfForm<'_, CarriedFields>,
    admin: AdminUser,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let user = found(id)?;
    let fields = form.value()?;
    let action = action.map_err(|_| Error::NotFound)?;
    let op = action.op(user, fields.groups.as_deref().unwrap_or_default())?;
    keep(op, &admin.0.0, &form.csrf, cookies, auth)
}

/// [`carry`] for making an invite link.
#[post("/admin/invites", data = "<form>", rank = 2)]
pub async fn carry_invite(
    form: CsrfForm<'_, CarriedFields>,
    admin: AdminUser,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let raw = form.value()?.groups.as_deref().unwrap_or_default();
    let op = AdminOp::Invite {
        groups: parse_groups(raw)?,
    };
    keep(op, &admin.0.0, &form.csrf, cookies, auth)
}

/// [`carry`] for revoking one session.
#[post("/admin/users/<id>/sessions/<sid>/revoke", data = "<form>", rank = 2)]
pub async fn carry_revoke(
    id: Result<UserId, &str>,
    sid: Result<SessionId, &str>,
    form: CsrfForm<'_, CarriedFields>,
    admin: AdminUser,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<Redirect> {
    let (_, op) = revocation(id, sid)?;
    keep(op, &admin.0.0, &form.csrf, cookies, auth)
}
