//! One-time links (SPEC §3): `/setup/<token>` creates the first admin,
//! `/invite/<token>` an account with the invite's groups, `/reset/<token>` sets a new
//! password. An unknown, used or expired token is a 404, whatever the route; a link
//! of one kind never works on another kind's route.

use rocket::http::uri::Origin;
use rocket::{State, get, post, uri};
use serde::Serialize;

use super::{account, admin, login};
use crate::auth::Auth;
use crate::domain::onetime::Purpose;
use crate::web::acting::Acting;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::{Error, Result};
use crate::web::forms::{Answer, FormPage, RegisterForm, ResetForm, answer};
use crate::web::notice;
use crate::web::redirect;
use crate::web::session::sign_in;
use crate::web::views::{Page, Views};

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

    /// What the page of a spent, expired or unknown link of this kind says.
    fn gone(self) -> &'static str {
        match self {
            Kind::Setup => {
                "This setup link has already been used, so Portcullis has an \
                 administrator. Sign in; if nobody can, create an administrator with \
                 `portcullis user add <email> --admin` on the server."
            }
            Kind::Invite => {
                "This invite link has already been used, has expired or was never \
                 made. Ask your administrator for a new invite link."
            }
            Kind::Reset => {
                "This password reset link has already been used, has expired or was \
                 never made. Ask your administrator for a new reset link."
            }
        }
    }

    /// Where the form of a `token` link of this kind posts to.
    fn action(self, token: &str) -> Origin<'static> {
        match self {
            Kind::Setup => uri!(setup_submit(token)),
            Kind::Invite => uri!(invite_submit(token)),
            Kind::Reset => uri!(reset_submit(token)),
        }
    }
}

/// A usable link, checked against the route it came in on.
struct Link<'a> {
    kind: Kind,
    token: &'a str,
    purpose: Purpose,
}

/// `link.html`'s context.
#[derive(Serialize)]
struct LinkPage<'a> {
    csrf_token: &'a str,
    kind: &'static str,
    action: String,
    groups: &'a [String],
    email: &'a str,
}

impl FormPage for LinkPage<'_> {
    const TEMPLATE: &'static str = "link.html";
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
            _ => Err(Error::LinkGone(kind.gone())),
        }
    }

    /// The link's form, with `email` typed in.
    fn page<'p>(&'p self, csrf: &'p Csrf, email: &'p str) -> LinkPage<'p> {
        let groups = match &self.purpose {
            Purpose::Invite { groups } => groups.as_slice(),
            _ => &[],
        };
        LinkPage {
            csrf_token: csrf.token(),
            kind: self.kind.name(),
            action: self.kind.action(self.token).to_string(),
            groups,
            email,
        }
    }
}

fn show(kind: Kind, token: &str, csrf: Csrf, auth: &Auth, views: &Views) -> Result<Page> {
    Ok(Link::find(auth, token, kind)?.page(&csrf, "").show(views))
}

/// The first-admin form.
#[get("/setup/<token>")]
pub fn setup_show(
    token: &str,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    show(Kind::Setup, token, csrf, auth, views)
}

/// The invited-account form.
#[get("/invite/<token>")]
pub fn invite_show(
    token: &str,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    show(Kind::Invite, token, csrf, auth, views)
}

/// The new-password form.
#[get("/reset/<token>")]
pub fn reset_show(
    token: &str,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    show(Kind::Reset, token, csrf, auth, views)
}

/// Creates an account through a setup or invite link and logs it in: the first
/// admin lands on the admin panel, everyone else on their account.
async fn accept_account(
    kind: Kind,
    token: &str,
    form: CsrfForm<'_, RegisterForm>,
    acting: Acting<'_>,
    views: &Views,
) -> Answer {
    let auth = acting.auth;
    let link = Link::find(auth, token, kind)?;
    let (new, csrf) = (form.value(), &form.csrf);
    let outcome = async move {
        let new = new?;
        let links = auth.links();
        let (email, password) = (&new.email, &new.password);
        let (_, issued) = links
            .accept_account(token, email, password, &acting.client)
            .await?;
        sign_in(acting.cookies, auth, csrf, &issued);
        Ok(match kind {
            Kind::Setup => redirect(auth.config(), uri!(admin::users)),
            _ => redirect(auth.config(), uri!(account::show)),
        })
    }
    .await;
    answer(views, outcome, || {
        Ok(link.page(&form.csrf, form.field("email")))
    })
}

/// Creates the first admin and logs them in.
#[post("/setup/<token>", data = "<form>")]
pub async fn setup_submit(
    token: &str,
    form: CsrfForm<'_, RegisterForm>,
    acting: Acting<'_>,
    views: &State<Views>,
) -> Answer {
    accept_account(Kind::Setup, token, form, acting, views).await
}

/// Creates the invited account and logs it in.
#[post("/invite/<token>", data = "<form>")]
pub async fn invite_submit(
    token: &str,
    form: CsrfForm<'_, RegisterForm>,
    acting: Acting<'_>,
    views: &State<Views>,
) -> Answer {
    accept_account(Kind::Invite, token, form, acting, views).await
}

/// Sets the new password; every session of the user ends.
#[post("/reset/<token>", data = "<form>")]
pub async fn reset_submit(
    token: &str,
    form: CsrfForm<'_, ResetForm>,
    acting: Acting<'_>,
    views: &State<Views>,
) -> Answer {
    let auth = acting.auth;
    let link = Link::find(auth, token, Kind::Reset)?;
    let reset = form.value();
    let outcome = async move {
        let password = &reset?.new_password;
        auth.links()
            .accept_reset(token, password, &acting.client)
            .await?;
        let said = "Password set; sign in with your new password.";
        notice::done(acting.cookies, auth.config(), said);
        Ok(login::to_login(auth.config()))
    }
    .await;
    answer(views, outcome, || Ok(link.page(&form.csrf, "")))
}
