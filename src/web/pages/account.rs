//! `GET /account` and the session actions on it (SPEC §3).

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post, uri};
use serde::Serialize;

use super::login;
use super::signins::NewSignInView;
use crate::auth::Auth;
use crate::domain::SessionId;
use crate::web::acting::Acting;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::{Error, Result};
use crate::web::forms::NoFields;
use crate::web::models::SessionView;
use crate::web::notice::{self, Notice, NoticeView};
use crate::web::params::found;
use crate::web::session::{AuthUser, sign_out};
use crate::web::views::{Page, Views};

/// `account.html`'s context.
#[derive(Serialize)]
struct AccountPage<'a> {
    csrf_token: &'a str,
    user: Me<'a>,
    is_admin: bool,
    sessions: Vec<SessionView>,
    notice: Option<NoticeView>,
    new_sign_ins: Vec<NewSignInView>,
}

/// Who the account page is about.
#[derive(Serialize)]
struct Me<'a> {
    email: &'a str,
    groups: &'a [String],
}

/// The user's email, groups and sessions, with the actions on them.
#[get("/account")]
pub fn show(
    user: AuthUser,
    notice: Notice,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let me = &user.0;
    let sessions = auth.sessions().list(&me.user.id)?;
    let new_sign_ins = auth
        .sessions()
        .new_sign_ins(&me.user.id, Some(&me.session))?;
    let page = AccountPage {
        csrf_token: csrf.token(),
        user: Me {
            email: &me.user.email,
            groups: &me.user.groups,
        },
        is_admin: me.user.is_admin(),
        sessions: SessionView::page_list(&sessions, Some(&me.session)),
        notice: notice.0,
        new_sign_ins: NewSignInView::list(&new_sign_ins),
    };
    Ok(views.render(Status::Ok, "account.html", &page))
}

/// Ends one of the user's own sessions; someone else's id is a 404 and untouched.
#[post("/account/sessions/<id>/revoke", data = "<_form>")]
pub async fn revoke(
    id: Result<SessionId, &str>,
    _form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    acting: Acting<'_>,
) -> Result<Redirect> {
    let id = found(id)?;
    let sessions = acting.auth.sessions();
    if !sessions.revoke(&user.0, &id, &acting.client).await? {
        return Err(Error::NotFound);
    }
    let said = if id == user.0.session {
        "You signed out this browser."
    } else {
        "Signed out 1 device."
    };
    Ok(acting.done(said, uri!(show)))
}

/// Signs out every other device; this one stays.
#[post("/account/sessions/revoke-others", data = "<_form>")]
pub async fn revoke_others(
    _form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    acting: Acting<'_>,
) -> Result<Redirect> {
    let sessions = acting.auth.sessions();
    let said = match sessions.end_others(&user.0, &acting.client).await? {
        0 => "No other device was signed in.".to_owned(),
        1 => "Signed out 1 other device.".to_owned(),
        n => format!("Signed out {n} other devices."),
    };
    Ok(acting.done(said, uri!(show)))
}

/// Ends every session of the user, this one included, and kills every token they
/// hold by retiring their generation.
#[post("/account/logout-everywhere", data = "<form>")]
pub async fn logout_everywhere(
    form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    acting: Acting<'_>,
) -> Result<Redirect> {
    let (auth, cookies) = (acting.auth, acting.cookies);
    auth.sessions()
        .log_out_everywhere(&user.0.user.id, &acting.client)
        .await?;
    sign_out(cookies, auth.config(), &form.csrf);
    let said = "Signed out everywhere: every device, this one too.";
    notice::done(cookies, auth.config(), said);
    Ok(login::to_login(auth.config()))
}
