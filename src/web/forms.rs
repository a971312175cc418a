//! Form bodies of the HTML routes, and how a form handler answers. Fields are
//! domain types, parsed at the edge; every form arrives through
//! [`CsrfForm`](super::csrf::CsrfForm), which has checked its `csrf_token`, so the
//! bodies here only name what the form is about.
//!
//! A form handler computes its outcome (a redirect, or an [`Error`]) and
//! [`answer`] turns a [`Refusal`](super::error::Refusal) into the form shown again
//! with the message and the refusal's status (SPEC §3: "A form with bad input is
//! re-rendered with the message and the status shown").

use rocket::Either;
use rocket::form::{Context, DataField, FromForm, Options, ValueField};
use rocket::response::Redirect;
use serde::Serialize;

use super::error::Error;
use super::views::{Page, Views};
use crate::domain::{Email, Password};

/// `POST /login`.
#[derive(Debug, FromForm)]
pub struct LoginForm {
    pub email: Email,
    pub password: Password,
    pub remember: bool,
    pub rd: Option<String>,
}

/// `POST /register`, `/setup/<token>` and `/invite/<token>`.
#[derive(Debug, FromForm)]
pub struct RegisterForm {
    pub email: Email,
    pub password: Password,
}

/// A form with no field of its own (logout, revoke, admin actions): only the
/// CSRF token that [`CsrfForm`](super::csrf::CsrfForm) checks. Any field parses.
#[derive(Debug)]
pub struct NoFields;

#[rocket::async_trait]
impl<'v> FromForm<'v> for NoFields {
    type Context = ();

    fn init(_: Options) {}

    fn push_value(_: &mut (), _: ValueField<'v>) {}

    async fn push_data(_: &mut (), _: DataField<'v, '_>) {}

    fn finalize(_: ()) -> rocket::form::Result<'v, NoFields> {
        Ok(NoFields)
    }
}

/// `POST /reauth`.
#[derive(Debug, FromForm)]
pub struct ReauthForm {
    pub password: Password,
    pub rd: Option<String>,
    /// A user with a second factor also gives a code (SPEC §10).
    pub code: Option<String>,
}

/// `POST /account/password`.
#[derive(Debug, FromForm)]
pub struct PasswordForm {
    pub current_password: Password,
    pub new_password: Password,
}

/// `POST /reset/<token>`.
#[derive(Debug, FromForm)]
pub struct ResetForm {
    pub new_password: Password,
}

/// `POST /admin/invites`: optional comma-separated groups.
#[derive(Debug, FromForm)]
pub struct InviteForm {
    pub groups: Option<String>,
}

/// The first error of a form that failed to parse, phrased for the user.
pub fn first_error(context: &Context<'_>) -> String {
    context
        .errors()
        .next()
        .map(|error| {
            let field = error
                .name
                .as_ref()
                .map(|n| n.to_string())
                .unwrap_or_default();
            match &error.kind {
                rocket::form::error::ErrorKind::Missing => {
                    format!("Please fill in the {field} field.")
                }
                rocket::form::error::ErrorKind::Validation(message) => message.to_string(),
                _ => format!("The {field} field is not valid."),
            }
        })
        .unwrap_or_else(|| "The form is not valid.".to_owned())
}

/// Whether any field was missing altogether.
pub fn has_missing_field(context: &Context<'_>) -> bool {
    context
        .errors()
        .any(|e| matches!(e.kind, rocket::form::error::ErrorKind::Missing))
}

/// A page with a form, as its template sees it; the `error` above the form is added
/// when it is shown.
pub trait FormPage: Serialize + Sized {
    /// The template that renders it.
    const TEMPLATE: &'static str;

    /// Renders the page with `200` and no error.
    fn show(self, views: &Views) -> Page {
        let shown = Shown {
            page: self,
            error: None,
        };
        views.render(rocket::http::Status::Ok, Self::TEMPLATE, &shown)
    }
}

/// A form page and the refusal shown above its form: the template's `error`.
#[derive(Serialize)]
struct Shown<P> {
    #[serde(flatten)]
    page: P,
    error: Option<String>,
}

/// What a form handler answers: a redirect, its form again, or an error page.
pub type Answer = Result<Either<Redirect, Page>, Error>;

/// The answer to a form: `outcome`'s redirect, or for a refusal the page `page`
/// builds, showing the message with the refusal's status; other errors go on to
/// the error page. `page` runs only when needed, after the refused action.
pub fn answer<P: FormPage>(
    views: &Views,
    outcome: Result<Redirect, Error>,
    page: impl FnOnce() -> Result<P, Error>,
) -> Answer {
    match outcome {
        Ok(redirect) => Ok(Either::Left(redirect)),
        Err(refused @ Error::Refused(_)) => Ok(Either::Right(refusal(views, refused, page()?)?)),
        Err(other) => Err(other),
    }
}

/// `page` showing a refusal's message with its status (and `Retry-After`); any
/// other error is handed back, for the error page.
pub fn refusal<P: FormPage>(views: &Views, error: Error, page: P) -> Result<Page, Error> {
    let Error::Refused(refusal) = error else {
        return Err(error);
    };
    let page = Shown {
        page,
        error: Some(refusal.message),
    };
    let shown = views.render(refusal.status, P::TEMPLATE, &page);
    Ok(match refusal.retry_after {
        Some(wait) => shown.retry_after(wait),
        None => shown,
    })
}
