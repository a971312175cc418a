//! One-time notices (SPEC §9): every state-changing form ends on a page that says
//! what happened ("Account disabled."), and a device whose session was ended
//! elsewhere is told why on the login page ("You were signed out: password
//! changed.").
//!
//! A notice travels in a private cookie (encrypted and authenticated with the
//! secret key, so a page cannot be made to show text of someone else's choosing)
//! from the action that sets it across its `303`, and is taken — read and removed —
//! by the next page that shows notices ([`Notice`]), so it is shown once. It lives
//! a few minutes at most, in case no such page follows.
//!
//! Rocket drops the cookie changes of a request that ends in a catcher; the `401`
//! catcher sets the sign-out reason again (see `session::forget_dead_cookie`).

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};
use serde::Serialize;

use crate::auth::Auth;
use crate::config::Config;
use crate::domain::ended::EndReason;

/// The notice cookie's name.
const COOKIE: &str = "portcullis_notice";

/// How long an untaken notice lives.
const LIFETIME_MINUTES: i64 = 5;

/// What a notice is about, for its look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// The user's own action was carried out.
    Done,
    /// Something the user did not do: their session was ended elsewhere, or what
    /// they asked for was not carried out.
    Warning,
}

/// A notice as a page shows it (`notice.text`, `notice.tone` in templates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeView {
    pub text: String,
    pub tone: Tone,
}

fn cookie(config: &Config, value: String) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .path(config.mount_point())
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(config.cookie_secure())
        .max_age(rocket::time::Duration::minutes(LIFETIME_MINUTES))
        .build()
}

/// Leaves `text` for the next page to show: what the action just did.
pub fn done(cookies: &CookieJar<'_>, config: &Config, text: impl Into<String>) {
    set(cookies, config, Tone::Done, &text.into());
}

/// Leaves `text` for the next page to show: what was asked for and not done.
pub fn not_done(cookies: &CookieJar<'_>, config: &Config, text: impl Into<String>) {
    set(cookies, config, Tone::Warning, &text.into());
}

/// This request found its session ended for `reason` (a session guard did): the
/// reason is kept for this request's pages and left for the next one (the login
/// page the browser is sent to) — unless this device's own user ended it, who
/// knows already.
pub fn ended_here(request: &Request<'_>, reason: &EndReason) {
    let Some(why) = sentence(reason) else {
        return;
    };
    let kept = request.local_cache(|| EndedHere(Some(why)));
    send_ended(request, kept);
}

/// Sets the sign-out reason found in this request again: for catchers, whose
/// request's earlier cookie changes Rocket has dropped.
pub fn resend_ended(request: &Request<'_>) {
    send_ended(request, request.local_cache(|| EndedHere(None)));
}

fn send_ended(request: &Request<'_>, kept: &EndedHere) {
    if let (Some(why), Some(auth)) = (&kept.0, request.rocket().state::<Auth>()) {
        set(request.cookies(), auth.config(), Tone::Warning, why);
    }
}

/// The sign-out sentence found in this request, if any.
struct EndedHere(Option<String>);

fn set(cookies: &CookieJar<'_>, config: &Config, tone: Tone, text: &str) {
    let mark = match tone {
        Tone::Done => 'd',
        Tone::Warning => 'e',
    };
    cookies.add_private(cookie(config, format!("{mark}{text}")));
}

/// What the login page says about a session that ended for `reason` (SPEC §9's
/// wording), or `None` when this device's own user ended it.
pub fn sentence(reason: &EndReason) -> Option<String> {
    let why = match reason {
        EndReason::SignedOut => return None,
        EndReason::RevokedFromDevice { device } => {
            format!("revoked from another device ({device})")
        }
        EndReason::OtherDevicesSignedOut { device } => {
            format!("signed out from another device ({device})")
        }
        EndReason::RevokedByAdmin => "revoked by an administrator".to_owned(),
        EndReason::LoggedOutEverywhere => "signed out everywhere".to_owned(),
        EndReason::PasswordChanged => "password changed".to_owned(),
        EndReason::PasswordReset => "password reset".to_owned(),
        EndReason::Disabled => "disabled by an administrator".to_owned(),
        EndReason::GroupsChanged => "groups changed by an administrator".to_owned(),
        EndReason::Expired => "session expired".to_owned(),
        EndReason::CopiedCredential => "copied cookie detected".to_owned(),
        EndReason::Unknown => "your session ended".to_owned(),
    };
    Some(format!(
        "You were signed out: {why}. Sign in again to go on."
    ))
}

/// The notice left for this page, if any, taken so it shows once. As a guard it
/// never fails. Put it after the session guards in a handler's arguments, so a
/// sign-out reason found by those in this very request is seen too.
#[derive(Debug, Clone, Default)]
pub struct Notice(pub Option<NoticeView>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Notice {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(auth) = request.rocket().state::<Auth>() else {
            return Outcome::Success(Notice(None));
        };
        let cookies = request.cookies();
        // A reason found by a guard earlier in this request, else what an earlier
        // request left (only the authenticated cookie: never a forged plain one).
        let here = request.local_cache(|| EndedHere(None)).0.clone();
        let notice = match here {
            Some(text) => Some(NoticeView {
                text,
                tone: Tone::Warning,
            }),
            None => cookies.get_private(COOKIE).and_then(|c| parse(c.value())),
        };
        if notice.is_some() {
            cookies.remove_private(cookie(auth.config(), String::new()));
        }
        Outcome::Success(Notice(notice))
    }
}

fn parse(value: &str) -> Option<NoticeView> {
    let mut chars = value.chars();
    let tone = match chars.next()? {
        'd' => Tone::Done,
        'e' => Tone::Warning,
        _ => return None,
    };
    let text = chars.as_str();
    (!text.is_empty()).then(|| NoticeView {
        text: text.to_owned(),
        tone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_reads_as_a_sentence_and_a_notice_round_trips() {
        let revoked = EndReason::RevokedFromDevice {
            device: "Firefox on Linux".into(),
        };
        assert_eq!(
            sentence(&revoked).unwrap(),
            "You were signed out: revoked from another device (Firefox on Linux). \
             Sign in again to go on."
        );
        assert_eq!(sentence(&EndReason::SignedOut), None);
        assert_eq!(
            parse("dAccount disabled."),
            Some(NoticeView {
                text: "Account disabled.".into(),
                tone: Tone::Done
            })
        );
        assert_eq!(parse("x"), None);
        assert_eq!(parse("d"), None);
    }
}
