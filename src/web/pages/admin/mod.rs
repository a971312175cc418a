//! The admin panel (SPEC §3 admin rows): the user list, one user's page, invites
//! (here), the actions on a user ([`actions`]) and the audit log ([`log`]).
//! Every page needs [`AdminUser`]; every action also needs a fresh password
//! confirmation and a CSRF token
//! ([`AdminAction`], [`CsrfForm`]).

pub mod actions;
pub mod carry;
pub mod log;
pub mod ops;

use rocket::http::uri::Origin;
use rocket::http::{Cookie, CookieJar, Status};
use rocket::{State, get, post, uri};
use serde::Serialize;

use super::links;
use crate::auth::Auth;
use crate::clock::rfc3339;
use crate::config::Registration;
use crate::domain::UserId;
use crate::domain::onetime::INVITE_TTL;
use crate::domain::user::parse_groups;
use crate::web::admin::{AdminAction, AdminUser};
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::{Error, Result};
use crate::web::forms::{FormPage, InviteForm, refusal};
use crate::web::models::{SessionView, UserRow};
use crate::web::notice::{Notice, NoticeView};
use crate::web::pages::signins::NewSignInView;
use crate::web::params::found;
use crate::web::views::{Page, Views};

/// Private cookie carrying a freshly made reset URL to the page the admin lands on.
const FLASH_COOKIE: &str = "portcullis_admin_link";

/// `uri` as a full URL on `public_url`, for links sent to people.
fn link_url(auth: &Auth, uri: Origin<'_>) -> String {
    let base = auth.config().public_url.as_str().trim_end_matches('/');
    format!("{base}{uri}")
}

/// `admin.html`'s context.
#[derive(Serialize)]
struct UsersPage<'a> {
    csrf_token: &'a str,
    me: &'a str,
    users: Vec<UserRow>,
    invites_allowed: bool,
    notice: Option<NoticeView>,
    /// An invite made after a password confirmation, shown once.
    invite_url: Option<String>,
}

/// The user list, with the invite form.
#[get("/admin")]
pub fn users(
    admin: AdminUser,
    notice: Notice,
    csrf: Csrf,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let page = UsersPage {
        csrf_token: csrf.token(),
        me: &admin.0.0.user.email,
        users: auth
            .accounts()
            .summaries()?
            .iter()
            .map(UserRow::from)
            .collect(),
        invites_allowed: auth.config().registration != Registration::Closed,
        notice: notice.0.or_else(|| {
            let here = auth.config().at(&uri!(users).to_string());
            carry::abandoned(cookies, &admin.0.0, &csrf, &here, auth)
        }),
        invite_url: take_link(cookies, auth, ops::INVITE_MARK),
    };
    Ok(views.render(Status::Ok, "admin.html", &page))
}

/// `admin_user.html`'s context: one user and their sessions.
#[derive(Serialize)]
struct UserPage<'a> {
    csrf_token: &'a str,
    user: UserRow,
    created_at: String,
    sessions: Vec<SessionView>,
    reset_url: Option<String>,
    notice: Option<NoticeView>,
    new_sign_ins: Vec<NewSignInView>,
}

impl FormPage for UserPage<'_> {
    const TEMPLATE: &'static str = "admin_user.html";
}

impl<'a> UserPage<'a> {
    /// The page of user `id` as it is now; a 404 if there is no such user.
    fn load(auth: &Auth, csrf: &'a Csrf, id: &UserId) -> Result<UserPage<'a>> {
        let row = auth.accounts().summary(id)?.ok_or(Error::NotFound)?;
        Ok(UserPage {
            csrf_token: csrf.token(),
            user: UserRow::from(&row),
            created_at: rfc3339(row.user.created_at),
            sessions: SessionView::page_list(&row.sessions, None),
            reset_url: None,
            notice: None,
            new_sign_ins: NewSignInView::list(&auth.sessions().new_sign_ins(id, None)?),
        })
    }
}

/// A link left for the page of `whom` (a user id, or the invite mark), taken so it
/// shows once; a link left for another page is left alone.
fn take_link(cookies: &CookieJar<'_>, auth: &Auth, whom: &str) -> Option<String> {
    let flash = cookies.get_private(FLASH_COOKIE)?;
    let (made_for, url) = flash.value().split_once(' ')?;
    if made_for != whom {
        return None;
    }
    cookies.remove_private(Cookie::build(FLASH_COOKIE).path(auth.config().at("/admin")));
    Some(url.to_owned())
}

/// One user and their sessions, with a reset link made for them just before.
#[get("/admin/users/<id>")]
pub fn user(
    id: Result<UserId, &str>,
    admin: AdminUser,
    notice: Notice,
    csrf: Csrf,
    cookies: &CookieJar<'_>,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let id = found(id)?;
    let reset_url = take_link(cookies, auth, &id.to_string());
    let here = auth.config().at(&uri!(user(id)).to_string());
    let page = UserPage {
        reset_url,
        notice: notice
            .0
            .or_else(|| carry::abandoned(cookies, &admin.0.0, &csrf, &here, auth)),
        ..UserPage::load(auth, &csrf, &id)?
    };
    Ok(page.show(views))
}

/// `admin_invite.html`'s context.
#[derive(Serialize)]
struct InvitePage<'a> {
    csrf_token: &'a str,
    invite: Option<Invite>,
}

/// A freshly made invite, shown once.
#[derive(Serialize)]
struct Invite {
    url: String,
    groups: Vec<String>,
    expires_at: String,
}

impl FormPage for InvitePage<'_> {
    const TEMPLATE: &'static str = "admin_invite.html";
}

/// Makes a one-time invite link (optionally into groups) and shows it.
#[post("/admin/invites", data = "<form>")]
pub async fn invite(
    form: CsrfForm<'_, InviteForm>,
    action: AdminAction,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let raw = form.field("groups");
    let outcome = async {
        let groups = parse_groups(raw)?;
        let links = auth.links();
        let token = links.create_invite(groups.clone(), &action.client).await?;
        Ok::<_, Error>(Invite {
            url: link_url(auth, uri!(links::invite_show(token.as_str()))),
            groups,
            expires_at: rfc3339(auth.now() + INVITE_TTL),
        })
    }
    .await;
    let mut page = InvitePage {
        csrf_token: form.csrf.token(),
        invite: None,
    };
    match outcome {
        Ok(invite) => {
            page.invite = Some(invite);
            Ok(page.show(views))
        }
        Err(e) => refusal(views, e, page),
    }
}
