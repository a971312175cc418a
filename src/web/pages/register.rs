//! `GET/POST /register` (SPEC §3).

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Either, State, get, post, uri};
use serde::Serialize;

use super::account;
use crate::auth::Auth;
use crate::config::Registration;
use crate::web::acting::Acting;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::forms::{Answer, FormPage, RegisterForm, answer};
use crate::web::redirect;
use crate::web::session::{MaybeUser, sign_in};
use crate::web::views::{Page, Views};

/// The registration form as `register.html` sees it.
#[derive(Serialize)]
struct RegisterPage<'a> {
    csrf_token: &'a str,
    email: &'a str,
    /// Whether anyone may register; otherwise the page says so.
    open: bool,
}

impl FormPage for RegisterPage<'_> {
    const TEMPLATE: &'static str = "register.html";
}

/// The registration form (or, with `403`, a notice that registration is not open).
#[get("/register")]
pub fn show(
    user: MaybeUser,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Either<Redirect, Page> {
    if user.0.is_some() {
        return Either::Left(redirect(auth.config(), uri!(account::show)));
    }
    let open = auth.config().registration == Registration::Open;
    let status = if open { Status::Ok } else { Status::Forbidden };
    let page = RegisterPage {
        csrf_token: csrf.token(),
        email: "",
        open,
    };
    Either::Right(views.render(status, RegisterPage::TEMPLATE, &page))
}

/// Creates the account and logs it in.
#[post("/register", data = "<form>")]
pub async fn submit(
    form: CsrfForm<'_, RegisterForm>,
    acting: Acting<'_>,
    views: &State<Views>,
) -> Answer {
    let auth = acting.auth;
    let (new, csrf) = (form.value(), &form.csrf);
    let outcome = async move {
        let new = new?;
        let accounts = auth.accounts();
        let (_, issued) = accounts
            .register(&new.email, &new.password, &acting.client)
            .await?;
        sign_in(acting.cookies, auth, csrf, &issued);
        Ok(redirect(auth.config(), uri!(account::show)))
    }
    .await;
    let page = || {
        Ok(RegisterPage {
            csrf_token: form.csrf.token(),
            email: form.field("email"),
            open: auth.config().registration == Registration::Open,
        })
    };
    answer(views, outcome, page)
}
