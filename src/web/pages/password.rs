//! `GET/POST /account/password`: change the password (SPEC §3). Needs a fresh
//! re-authentication and the current password; every other session ends, this one
//! continues with a new token.

use rocket::http::CookieJar;
use rocket::{State, get, post, uri};
use serde::Serialize;

use super::account;
use crate::auth::Auth;
use crate::web::client::ClientInfo;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::forms::{Answer, FormPage, PasswordForm, answer};
use crate::web::fresh::FreshAuth;
use crate::web::notice::{self, Notice, NoticeView};
use crate::web::redirect;
use crate::web::session::set_session_cookie;
use crate::web::views::{Page, Views};

/// The form as `password.html` sees it.
#[derive(Serialize)]
struct PasswordPage<'a> {
    csrf_token: &'a str,
    notice: Option<NoticeView>,
}

impl FormPage for PasswordPage<'_> {
    const TEMPLATE: &'static str = "password.html";
}

/// The change-password form.
#[get("/account/password")]
pub fn show(_user: FreshAuth, notice: Notice, csrf: Csrf, views: &State<Views>) -> Page {
    let page = PasswordPage {
        csrf_token: csrf.token(),
        notice: notice.0,
    };
    page.show(views)
}

/// Changes the password.
#[post("/account/password", data = "<form>")]
pub async fn submit(
    form: CsrfForm<'_, PasswordForm>,
    user: FreshAuth,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Answer {
    let change = form.value();
    let outcome = async move {
        let change = change?;
        let (current, new) = (&change.current_password, &change.new_password);
        let me = &(user.0).0;
        let accounts = auth.accounts();
        let issued = accounts
            .change_password(me, current, new, &client.0)
            .await?;
        set_session_cookie(cookies, auth.config(), &issued, auth.now());
        let said = "Password changed; your other devices were signed out.";
        notice::done(cookies, auth.config(), said);
        Ok(redirect(auth.config(), uri!(account::show)))
    }
    .await;
    let page = || {
        Ok(PasswordPage {
            csrf_token: form.csrf.token(),
            notice: None,
        })
    };
    answer(views, outcome, page)
}
