//! Form bodies of the HTML routes. Fields are domain types, parsed at the edge; a
//! form that fails to parse is re-rendered with the first field error.

use rocket::form::{Context, FromForm};

use crate::domain::{Email, Password};

/// `POST /login`.
#[derive(Debug, FromForm)]
pub struct LoginForm {
    pub csrf_token: String,
    pub email: Email,
    pub password: Password,
    pub remember: bool,
    pub rd: Option<String>,
}

/// `POST /register`.
#[derive(Debug, FromForm)]
pub struct RegisterForm {
    pub csrf_token: String,
    pub email: Email,
    pub password: Password,
}

/// A form whose only field is the CSRF token (logout, revoke, …).
#[derive(Debug, FromForm)]
pub struct CsrfOnly {
    pub csrf_token: String,
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

/// `POST /reauth`.
#[derive(Debug, FromForm)]
pub struct ReauthForm {
    pub csrf_token: String,
    pub password: Password,
    pub rd: Option<String>,
}

/// `POST /account/password`.
#[derive(Debug, FromForm)]
pub struct PasswordForm {
    pub csrf_token: String,
    pub current_password: Password,
    pub new_password: Password,
}

/// `POST /reset/<token>`.
#[derive(Debug, FromForm)]
pub struct ResetForm {
    pub csrf_token: String,
    pub new_password: Password,
}

/// `POST /admin/users/<id>/groups`: a comma-separated list, parsed by the handler.
#[derive(Debug, FromForm)]
pub struct GroupsForm {
    pub csrf_token: String,
    pub groups: String,
}

/// `POST /admin/invites`: optional comma-separated groups.
#[derive(Debug, FromForm)]
pub struct InviteForm {
    pub csrf_token: String,
    pub groups: Option<String>,
}
