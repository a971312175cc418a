//! The front door, health check, embedded static files and error catchers.

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Redirect, Responder};
use rocket::{catch, get, uri};

use super::{account, login};
use crate::auth::Auth;
use crate::web::csrf::was_refused;
use crate::web::error::{Error, error_page};
use crate::web::redirect;
use crate::web::session::{MaybeUser, forget_dead_cookie};
use crate::web::views::{FAVICON, SCRIPT, STYLESHEET};

/// `/` sends users to their account, everyone else to the login form.
#[get("/")]
pub fn index(user: MaybeUser, auth: &rocket::State<Auth>) -> Redirect {
    match user.0 {
        Some(_) => redirect(auth.config(), uri!(account::show)),
        None => login::to_login(auth.config()),
    }
}

/// Liveness probe for `portcullis healthcheck` and container orchestrators.
#[get("/healthz")]
pub fn healthz() -> (ContentType, &'static str) {
    (ContentType::JSON, "{\"status\":\"ok\"}")
}

/// The embedded stylesheet, cacheable for a day.
#[get("/static/portcullis.css")]
pub fn stylesheet() -> Static {
    Static(ContentType::CSS, STYLESHEET)
}

/// The embedded script (copy buttons); pages work without it.
#[get("/static/portcullis.js")]
pub fn script() -> Static {
    Static(ContentType::JavaScript, SCRIPT)
}

/// The embedded icon, linked from every page.
#[get("/static/favicon.svg")]
pub fn favicon() -> Static {
    Static(ContentType::SVG, FAVICON)
}

/// Browsers ask for `/favicon.ico` on answers that link no icon (JSON, plain text):
/// the same SVG, so that request is no 404 in the console.
#[get("/favicon.ico")]
pub fn favicon_ico() -> Static {
    Static(ContentType::SVG, FAVICON)
}

/// An embedded asset, with a `Cache-Control` that lets browsers keep it.
pub struct Static(pub ContentType, pub &'static str);

impl<'r> Responder<'r, 'static> for Static {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        rocket::Response::build_from((self.0, self.1).respond_to(request)?)
            .header(Header::new("Cache-Control", "public, max-age=86400"))
            .ok()
    }
}

/// An anonymous visitor on a protected page goes to the login form and comes back.
#[catch(401)]
pub fn unauthorized(request: &Request<'_>) -> Redirect {
    forget_dead_cookie(request);
    let back = request.uri().to_string();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("rd", &back)
        .finish();
    let login = request
        .rocket()
        .state::<Auth>()
        .map_or_else(|| "/login".to_owned(), |auth| auth.config().at("/login"));
    Redirect::to(format!("{login}?{query}"))
}

/// Every other error status gets the styled error page.
#[catch(default)]
pub fn default(status: Status, _: &Request<'_>) -> ErrorPage {
    ErrorPage(status)
}

/// The error page for a catcher.
pub struct ErrorPage(Status);

impl<'r> Responder<'r, 'static> for ErrorPage {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'static> {
        let csrf = Error::Csrf.to_string();
        let message = match self.0.code {
            400 => "The request could not be understood.",
            403 if was_refused(request) => &csrf,
            403 => "You are not allowed to do that.",
            404 => "There is nothing here.",
            413 => "The request is too large.",
            422 => "The submitted data is not valid.",
            _ if self.0.code >= 500 => "Something went wrong on our side.",
            _ => "The request could not be completed.",
        };
        error_page(request, self.0, None, message)
    }
}
