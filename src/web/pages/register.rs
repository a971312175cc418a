//! `GET/POST /register` (SPEC §3).

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::json;
use rocket::{Either, State, get, post};

use super::super::csrf::Csrf;
use super::super::forms::{RegisterForm, first_error};
use super::super::session::{MaybeUser, set_session_cookie};
use super::super::views::{Page, Views};
use crate::auth::{Auth, RegisterError};
use crate::config::Registration;
use crate::web::client::ClientInfo;
use crate::web::error::Result;

fn register_page(
    views: &Views,
    status: Status,
    csrf: &Csrf,
    email: &str,
    error: Option<&str>,
    open: bool,
) -> Page {
    views.render(
        status,
        "register.html",
        json!({ "csrf_token": csrf.token(), "email": email, "error": error, "open": open }),
    )
}

/// The registration form (or a notice that registration is not open).
#[get("/register")]
pub fn show(
    user: MaybeUser,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Either<Redirect, Page> {
    if user.0.is_some() {
        return Either::Left(Redirect::to(auth.config().at("/account")));
    }
    let open = auth.config().registration == Registration::Open;
    let status = if open { Status::Ok } else { Status::Forbidden };
    Either::Right(register_page(views, status, &csrf, "", None, open))
}

/// Creates the account and logs it in.
#[post("/register", data = "<form>")]
pub async fn submit(
    form: Form<Contextual<'_, RegisterForm>>,
    mut csrf: Csrf,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let typed_email = form.context.field_value("email").unwrap_or_default();
    let open = auth.config().registration == Registration::Open;
    let fail = |status, message: &str| {
        Ok(Either::Right(register_page(
            views,
            status,
            &csrf,
            typed_email,
            Some(message),
            open,
        )))
    };
    let Some(new) = &form.value else {
        return fail(Status::UnprocessableEntity, &first_error(&form.context));
    };
    match auth
        .accounts()
        .register(&new.email, &new.password, &client.0)
        .await
    {
        Ok((_, issued)) => {
            set_session_cookie(cookies, auth.config(), &issued, auth.now());
            csrf.rotate(cookies, auth.config());
            Ok(Either::Left(Redirect::to(auth.config().at("/account"))))
        }
        Err(RegisterError::Closed) => fail(Status::Forbidden, "Registration is not open."),
        Err(RegisterError::EmailTaken) => {
            fail(Status::Conflict, &RegisterError::EmailTaken.to_string())
        }
        Err(RegisterError::Weak(reason)) => fail(Status::UnprocessableEntity, &reason.to_string()),
        Err(RegisterError::RateLimited(wait)) => {
            let message = RegisterError::RateLimited(wait).to_string();
            let page = register_page(
                views,
                Status::TooManyRequests,
                &csrf,
                typed_email,
                Some(&message),
                open,
            );
            Ok(Either::Right(page.retry_after(wait)))
        }
        Err(RegisterError::Internal(e)) => Err(e.into()),
    }
}
