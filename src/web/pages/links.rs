//! One-time links (SPEC §3): `/setup/<token>` creates the first admin,
//! `/invite/<token>` an account with the invite's groups, `/reset/<token>` sets a new
//! password. An unknown, used or expired token is a 404, whatever the route; a link
//! of one kind never works on another kind's route.

use rocket::form::{Contextual, Form};
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::json;
use rocket::{Either, State, get, post};

use super::super::client::ClientInfo;
use super::super::csrf::Csrf;
use super::super::forms::{RegisterForm, ResetForm, first_error};
use super::super::session::set_session_cookie;
use super::super::views::{Page, Views};
use crate::auth::{Auth, LinkError};
use crate::domain::onetime::Purpose;
use crate::web::error::{Error, Result};

/// The three kinds of link, as their routes name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Setup,
    Invite,
    Reset,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Setup => "setup",
            Kind::Invite => "invite",
            Kind::Reset => "reset",
        }
    }

    fn of(purpose: &Purpose) -> Kind {
        match purpose {
            Purpose::Setup => Kind::Setup,
            Purpose::Invite { .. } => Kind::Invite,
            Purpose::Reset { .. } => Kind::Reset,
        }
    }
}

/// A usable link, checked against the route it came in on.
struct Link<'a> {
    kind: Kind,
    token: &'a str,
    purpose: Purpose,
}

impl<'a> Link<'a> {
    /// The link if it is usable and of `kind`; a 404 otherwise.
    fn find(auth: &Auth, token: &'a str, kind: Kind) -> Result<Link<'a>> {
        match auth.links().peek(token)? {
            Some(purpose) if Kind::of(&purpose) == kind => Ok(Link {
                kind,
                token,
                purpose,
            }),
            _ => Err(Error::NotFound),
        }
    }

    fn page(
        &self,
        views: &Views,
        status: Status,
        csrf: &Csrf,
        email: &str,
        error: Option<&str>,
    ) -> Page {
        let groups = match &self.purpose {
            Purpose::Invite { groups } => groups.clone(),
            _ => Vec::new(),
        };
        views.render(
            status,
            "link.html",
            json!({
                "csrf_token": csrf.token(),
                "kind": self.kind.name(),
                "action": format!("/{}/{}", self.kind.name(), self.token),
                "groups": groups,
                "email": email,
                "error": error,
            }),
        )
    }

    /// The form again, with why the use was refused.
    fn refused(&self, views: &Views, csrf: &Csrf, email: &str, error: &LinkError) -> Page {
        let status = match error {
            LinkError::NotFound => Status::NotFound,
            LinkError::Weak(_) => Status::UnprocessableEntity,
            LinkError::EmailTaken => Status::Conflict,
            LinkError::Closed => Status::Forbidden,
            LinkError::RateLimited(_) => Status::TooManyRequests,
            LinkError::Internal(_) => Status::InternalServerError,
        };
        let page = self.page(views, status, csrf, email, Some(&error.to_string()));
        match error {
            LinkError::RateLimited(wait) => page.retry_after(*wait),
            _ => page,
        }
    }
}

async fn show(kind: Kind, token: &str, csrf: Csrf, auth: &Auth, views: &Views) -> Result<Page> {
    Ok(Link::find(auth, token, kind)?.page(views, Status::Ok, &csrf, "", None))
}

/// The first-admin form.
#[get("/setup/<token>")]
pub async fn setup_show(
    token: &str,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    show(Kind::Setup, token, csrf, auth, views).await
}

/// The invited-account form.
#[get("/invite/<token>")]
pub async fn invite_show(
    token: &str,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    show(Kind::Invite, token, csrf, auth, views).await
}

/// The new-password form.
#[get("/reset/<token>")]
pub async fn reset_show(
    token: &str,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    show(Kind::Reset, token, csrf, auth, views).await
}

/// What the account-creating routes share.
struct Accept<'a, 'r> {
    kind: Kind,
    token: &'a str,
    form: Form<Contextual<'r, RegisterForm>>,
    csrf: Csrf,
    client: ClientInfo,
    cookies: &'a CookieJar<'a>,
    auth: &'a Auth,
    views: &'a Views,
}

async fn accept_account(request: Accept<'_, '_>) -> Result<Either<Redirect, Page>> {
    let Accept {
        kind,
        token,
        form,
        mut csrf,
        client,
        cookies,
        auth,
        views,
    } = request;
    csrf.verify(form.context.field_value("csrf_token"))?;
    let link = Link::find(auth, token, kind)?;
    let typed_email = form.context.field_value("email").unwrap_or_default();
    let Some(new) = &form.value else {
        let message = first_error(&form.context);
        let page = link.page(
            views,
            Status::UnprocessableEntity,
            &csrf,
            typed_email,
            Some(&message),
        );
        return Ok(Either::Right(page));
    };
    match auth
        .links()
        .accept_account(token, &new.email, &new.password, &client.0)
        .await
    {
        Ok((_, issued)) => {
            set_session_cookie(cookies, auth.config(), &issued, auth.now());
            csrf.rotate(cookies, auth.config());
            let next = if kind == Kind::Setup {
                "/admin"
            } else {
                "/account"
            };
            Ok(Either::Left(Redirect::to(auth.config().at(next))))
        }
        Err(LinkError::NotFound) => Err(Error::NotFound),
        Err(LinkError::Internal(e)) => Err(e.into()),
        Err(e) => Ok(Either::Right(link.refused(views, &csrf, typed_email, &e))),
    }
}

/// Creates the first admin and logs them in.
#[post("/setup/<token>", data = "<form>")]
pub async fn setup_submit(
    token: &str,
    form: Form<Contextual<'_, RegisterForm>>,
    csrf: Csrf,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    accept_account(Accept {
        kind: Kind::Setup,
        token,
        form,
        csrf,
        client,
        cookies,
        auth,
        views,
    })
    .await
}

/// Creates the invited account and logs it in.
#[post("/invite/<token>", data = "<form>")]
pub async fn invite_submit(
    token: &str,
    form: Form<Contextual<'_, RegisterForm>>,
    csrf: Csrf,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    accept_account(Accept {
        kind: Kind::Invite,
        token,
        form,
        csrf,
        client,
        cookies,
        auth,
        views,
    })
    .await
}

/// Sets the new password; every session of the user ends.
#[post("/reset/<token>", data = "<form>")]
pub async fn reset_submit(
    token: &str,
    form: Form<Contextual<'_, ResetForm>>,
    csrf: Csrf,
    client: ClientInfo,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Either<Redirect, Page>> {
    csrf.verify(form.context.field_value("csrf_token"))?;
    let link = Link::find(auth, token, Kind::Reset)?;
    let Some(reset) = &form.value else {
        let message = first_error(&form.context);
        let page = link.page(
            views,
            Status::UnprocessableEntity,
            &csrf,
            "",
            Some(&message),
        );
        return Ok(Either::Right(page));
    };
    match auth
        .links()
        .accept_reset(token, &reset.new_password, &client.0)
        .await
    {
        Ok(()) => Ok(Either::Left(Redirect::to(auth.config().at("/login")))),
        Err(LinkError::NotFound) => Err(Error::NotFound),
        Err(LinkError::Internal(e)) => Err(e.into()),
        Err(e) => Ok(Either::Right(link.refused(views, &csrf, "", &e))),
    }
}
