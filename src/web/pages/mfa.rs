//! `/account/security` and its forms (SPEC §10): the authenticator app (TOTP)
//! and recovery codes. Every change needs a fresh confirmation (`FreshAuth`).

use rocket::http::{CookieJar, Status};
use rocket::{Either, FromForm, State, get, post, uri};
use serde::Serialize;

use crate::auth::{Auth, Enrolment};
use crate::web::client::ClientInfo;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::Result;
use crate::web::forms::{Answer, FormPage, NoFields, answer};
use crate::web::fresh::FreshAuth;
use crate::web::notice::{self, Notice, NoticeView};
use crate::web::redirect;
use crate::web::session::{AuthUser, set_session_cookie};
use crate::web::views::{Page, Views};

/// `POST /account/totp/confirm` (and `/login/second-factor`).
#[derive(Debug, FromForm)]
pub struct CodeForm {
    pub code: String,
    /// Where to go on after enrolling (SPEC §10: sent to enrol first).
    pub rd: Option<String>,
}

/// `POST /account/totp`.
#[derive(Debug, FromForm)]
pub struct EnrolForm {
    /// Where to go on after enrolling.
    pub rd: Option<String>,
}

/// `security.html`'s context.
#[derive(Serialize)]
struct SecurityPage<'a> {
    csrf_token: &'a str,
    is_admin: bool,
    totp: bool,
    recovery_left: usize,
    aal: u8,
    notice: Option<NoticeView>,
    /// A second factor is required of this user and they have none yet.
    must_enrol: bool,
    /// Where to go on after enrolling.
    rd: Option<&'a str>,
    /// The user's passkeys, and why none can be added when `public_url` forbids.
    passkeys: Vec<super::passkeys::PasskeyView>,
    passkeys_unavailable: Option<&'static str>,
}

/// `totp_enrol.html`'s context.
#[derive(Serialize)]
struct EnrolPage<'a> {
    csrf_token: &'a str,
    secret: String,
    uri: String,
    qr_svg: String,
    rd: Option<String>,
}

impl<'a> EnrolPage<'a> {
    fn new(csrf_token: &'a str, enrolment: Enrolment, rd: Option<String>) -> Self {
        EnrolPage {
            csrf_token,
            secret: enrolment.secret,
            uri: enrolment.uri,
            qr_svg: enrolment.qr_svg,
            rd,
        }
    }
}

impl FormPage for EnrolPage<'_> {
    const TEMPLATE: &'static str = "totp_enrol.html";
}

/// `recovery_codes.html`'s context: the codes, shown this once.
#[derive(Serialize)]
struct CodesPage<'a> {
    csrf_token: &'a str,
    codes: Vec<String>,
    said: &'a str,
    /// Where "I have saved them" leads.
    next: String,
}

/// What second factors the user has, with the forms to change them.
#[get("/account/security?<rd>")]
pub fn show(
    user: AuthUser,
    notice: Notice,
    csrf: Csrf,
    rd: Option<&str>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let me = &user.0;
    let factors = auth.factors().of(&me.user.id)?;
    let page = SecurityPage {
        csrf_token: csrf.token(),
        is_admin: me.user.is_admin(),
        totp: factors.totp.is_some(),
        recovery_left: factors.recovery.len(),
        aal: me.aal,
        notice: notice.0,
        must_enrol: auth.factors().must_enrol(me),
        rd: rd.filter(|rd| !rd.is_empty()),
        passkeys: super::passkeys::views_of(auth, &me.user.id)?,
        passkeys_unavailable: crate::auth::passkeys::unavailable_reason(&auth.config().public_url),
    };
    Ok(views.render(Status::Ok, "security.html", &page))
}

/// Starts enrolling an authenticator app: the QR code, URI and secret, and the
/// form for the first code.
#[post("/account/totp", data = "<form>")]
pub async fn start(
    form: CsrfForm<'_, EnrolForm>,
    user: FreshAuth,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let enrolment = auth.factors().start_totp(&(user.0).0).await?;
    let rd = form.value().ok().and_then(|f| f.rd.clone());
    Ok(EnrolPage::new(form.csrf.token(), enrolment, rd).show(views))
}

/// Confirms the app with one code; a first factor also gets its recovery codes,
/// shown once.
#[post("/account/totp/confirm", data = "<form>")]
pub async fn confirm(
    form: CsrfForm<'_, CodeForm>,
    user: FreshAuth,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let me = &(user.0).0;
    let code = form.value().map(|f| f.code.clone());
    let rd = Some(form.field("rd")).filter(|rd| !rd.is_empty());
    let outcome = async {
        let codes = auth.factors().confirm_totp(me, &code?, &client.0).await?;
        // The code just entered proves the factor in this session too.
        let issued = auth.factors().enrolled(me, "otp").await?;
        set_session_cookie(cookies, auth.config(), &issued, auth.now());
        Ok(codes)
    }
    .await;
    match outcome {
        Ok(codes) => Ok(added(codes, form.csrf.token(), rd, cookies, auth, views)),
        Err(error) => {
            let enrolment = auth.factors().enrolment(me)?;
            let enrolment = enrolment.ok_or(crate::auth::FactorError::NotEnrolling)?;
            let rd = rd.map(str::to_owned);
            answer(views, Err(error), || {
                Ok(EnrolPage::new(form.csrf.token(), enrolment, rd))
            })
        }
    }
}

/// The app is added: a first factor's recovery codes, shown this once, or back
/// to where the user was going with a notice.
fn added(
    codes: Option<Vec<String>>,
    csrf_token: &str,
    rd: Option<&str>,
    cookies: &CookieJar<'_>,
    auth: &Auth,
    views: &Views,
) -> Either<rocket::response::Redirect, Page> {
    let said = "Authenticator app added. Sign-ins now ask for a code.";
    let next = onward(rd, auth);
    match codes {
        Some(codes) => {
            let page = CodesPage {
                csrf_token,
                codes,
                said,
                next,
            };
            Either::Right(views.render(Status::Ok, "recovery_codes.html", &page))
        }
        None => {
            notice::done(cookies, auth.config(), said);
            Either::Left(rocket::response::Redirect::to(next))
        }
    }
}

/// Removes the app and the recovery codes; the other devices are signed out.
#[post("/account/totp/remove", data = "<_form>")]
pub async fn remove(
    _form: CsrfForm<'_, NoFields>,
    user: FreshAuth,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
) -> Result<rocket::response::Redirect> {
    let issued = auth.factors().remove_totp(&(user.0).0, &client.0).await?;
    set_session_cookie(cookies, auth.config(), &issued, auth.now());
    let said = "Authenticator app and recovery codes removed; your other devices were signed out.";
    notice::done(cookies, auth.config(), said);
    Ok(redirect(auth.config(), uri!(show(_))))
}

/// Replaces every recovery code and shows the new ones once.
#[post("/account/recovery-codes", data = "<form>")]
pub async fn recovery_codes(
    form: CsrfForm<'_, NoFields>,
    user: FreshAuth,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let me = &(user.0).0;
    let (codes, issued) = auth.factors().regenerate_recovery(me, &client.0).await?;
    set_session_cookie(cookies, auth.config(), &issued, auth.now());
    let page = CodesPage {
        csrf_token: form.csrf.token(),
        codes,
        said: "New recovery codes made; the old ones no longer work and your other devices were signed out.",
        next: auth.config().at("/account/security"),
    };
    Ok(views.render(Status::Ok, "recovery_codes.html", &page))
}

/// Where a finished enrolment leads: on to `rd` if it is allowed, else back to
/// this page.
fn onward(rd: Option<&str>, auth: &Auth) -> String {
    match rd {
        Some(rd) => crate::web::redirect::target_or_fallback(Some(rd), auth.config()),
        None => auth.config().at("/account/security"),
    }
}
