//! `GET/POST /account/password`: change the password (SPEC §3). Needs a fresh
//! re-authentication and the current password; every other session ends, this one
//! continues with a new token.

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::json;
use rocket::{Either, State, get, post};

use super::super::client::ClientInfo;
use super::super::csrf::Csrf;
use super::super::forms::{PasswordForm, first_error};
use super::super::fresh::FreshAuth;
use super::super::session::set_session_cookie;
use super::super::views::{Page, Views};
use crate::auth::{Auth, PasswordChangeError};
use crate::web::error::Result;

fn password_page(views: &Views, status: Status, csrf: &Csrf, error: Option<&str>) -> Page {
    views.render(
        status,
        "password.html",
        json!({ "csrf_token": csrf.token(), "error": error }),
    )
}

/// The change-password form.
#[get("/account/password")]
pub fn show(_user: FreshAuth, csrf: Csrf, views: &State<Views>) -> Page {
    password_page(views, Status::Ok, &csrf, None)
}

/// Changes the password.
#[post("/account/password", data = "<form>")]
pub async fn submit(
    form: Form<Contextual<'_, PasswordForm>>,
    user: FreshAuth,
    csrf: Csrf,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let fail = |status, message: &str| {
        Ok(Either::Right(password_page(
            views,
            status,
            &csrf,
            Some(message),
        )))
    };
    let Some(change) = &form.value else {
        return fail(Status::UnprocessableEntity, &first_error(&form.context));
    };
    let me = &(user.0).0;
    match auth
        .accounts()
        .change_password(
            me,
            &change.current_password,
            &change.new_password,
            &client.0,
        )
        .await
    {
        Ok(issued) => {
            set_session_cookie(cookies, auth.config(), &issued, auth.now());
            Ok(Either::Left(Redirect::to(auth.config().at("/account"))))
        }
        Err(PasswordChangeError::WrongPassword) => fail(
            Status::Forbidden,
            &PasswordChangeError::WrongPassword.to_string(),
        ),
        Err(PasswordChangeError::Weak(reason)) => {
            fail(Status::UnprocessableEntity, &reason.to_string())
        }
        Err(PasswordChangeError::SessionGone) => {
            Ok(Either::Left(Redirect::to(auth.config().at("/login"))))
        }
        Err(PasswordChangeError::Internal(e)) => Err(e.into()),
    }
}
