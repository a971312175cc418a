//! The actions an administrator takes on one user (SPEC §3 admin rows), as values:
//! the form handlers of [`actions`](super::actions) build one and run it, and an
//! action interrupted by re-authentication is kept as one and run after the
//! password is confirmed ([`carry`](super::carry), SPEC §9). Running one leaves the
//! notice saying what happened and answers `303` back to the user's page.

use rocket::http::uri::Origin;
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::uri;
use serde::{Deserialize, Serialize};

use super::{FLASH_COOKIE, link_url};
use crate::auth::{Auth, Client};
use crate::domain::{SessionId, UserId};
use crate::web::error::{Error, Result};
use crate::web::pages::links;
use crate::web::{notice, redirect};

/// One action on one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AdminOp {
    /// Disable the account: every token and session of it dies.
    Disable { user: UserId },
    /// Enable it again.
    Enable { user: UserId },
    /// End every session of the user and kill every token they hold.
    LogoutEverywhere { user: UserId },
    /// End one session of the user.
    RevokeSession { user: UserId, session: SessionId },
    /// Replace the user's groups (signs them out everywhere).
    Groups { user: UserId, groups: Vec<String> },
    /// Make a one-time password reset link, shown once on the user's page.
    ResetLink { user: UserId },
    /// Make a one-time invite link into `groups`, shown once on the user list.
    Invite { groups: Vec<String> },
    /// Remove every second factor of the user and end all their sessions.
    ResetFactors { user: UserId },
}

impl AdminOp {
    /// The user acted on (none for an invite).
    pub fn user(&self) -> Option<UserId> {
        match self {
            AdminOp::Disable { user }
            | AdminOp::Enable { user }
            | AdminOp::LogoutEverywhere { user }
            | AdminOp::RevokeSession { user, .. }
            | AdminOp::Groups { user, .. }
            | AdminOp::ResetLink { user }
            | AdminOp::ResetFactors { user } => Some(*user),
            AdminOp::Invite { .. } => None,
        }
    }

    /// The page it is taken on and returns to: the user's, or the user list.
    pub fn page(&self) -> Origin<'static> {
        match self.user() {
            Some(id) => uri!(super::user(id)),
            None => uri!(super::users),
        }
    }

    /// What it does, said before it is done, about the user with `email`.
    pub fn describe(&self, email: &str) -> String {
        match self {
            AdminOp::Invite { groups } if groups.is_empty() => "make an invite link".to_owned(),
            AdminOp::Invite { groups } => {
                format!("make an invite link into {}", groups.join(", "))
            }
            AdminOp::Disable { .. } => format!("disable the account of {email}"),
            AdminOp::Enable { .. } => format!("enable the account of {email}"),
            AdminOp::LogoutEverywhere { .. } => format!("sign {email} out everywhere"),
            AdminOp::RevokeSession { .. } => format!("revoke a session of {email}"),
            AdminOp::Groups { groups, .. } if groups.is_empty() => {
                format!("remove {email} from every group")
            }
            AdminOp::Groups { groups, .. } => {
                format!("set the groups of {email} to {}", groups.join(", "))
            }
            AdminOp::ResetLink { .. } => format!("make a password reset link for {email}"),
            AdminOp::ResetFactors { .. } => format!("reset the second factors of {email}"),
        }
    }

    /// Carries it out for `client` (the admin), leaves the notice and answers `303`
    /// back to the page it was taken on. An unknown user or session is a 404.
    pub async fn run(
        self,
        auth: &Auth,
        client: &Client,
        cookies: &CookieJar<'_>,
    ) -> Result<Redirect> {
        let page = redirect(auth.config(), self.page());
        match self.user() {
            Some(id) => self.on_user(id, auth, client, cookies).await?,
            None => self.invite(auth, client, cookies).await?,
        }
        Ok(page)
    }

    /// An action on user `id`, and the notice saying it was done.
    async fn on_user(
        self,
        id: UserId,
        auth: &Auth,
        client: &Client,
        cookies: &CookieJar<'_>,
    ) -> Result<()> {
        let summary = auth.accounts().summary(&id)?;
        let email = summary.ok_or(Error::NotFound)?.user.email;
        let said = match self {
            AdminOp::Disable { .. } => {
                auth.accounts().set_disabled(&id, true, client).await?;
                format!("Account disabled; {email} was signed out everywhere.")
            }
            AdminOp::Enable { .. } => {
                auth.accounts().set_disabled(&id, false, client).await?;
                format!("Account enabled; {email} can sign in again.")
            }
            AdminOp::LogoutEverywhere { .. } => {
                auth.sessions().log_out_everywhere(&id, client).await?;
                format!("{email} was signed out everywhere.")
            }
            AdminOp::RevokeSession { session, .. } => {
                let sessions = auth.sessions();
                if !sessions.revoke_by_admin(&id, &session, client).await? {
                    return Err(Error::NotFound);
                }
                "Session revoked; that device is signed out.".to_owned()
            }
            AdminOp::Groups { groups, .. } => {
                auth.accounts().set_groups(&id, groups, client).await?;
                format!("Groups saved; {email} was signed out everywhere.")
            }
            AdminOp::ResetLink { .. } => {
                let token = auth.links().create_reset(id, client).await?;
                let url = link_url(auth, uri!(links::reset_show(token.as_str())));
                // The link itself, shown once on the page, says what happened.
                show_link_once(cookies, auth, &id.to_string(), &url);
                return Ok(());
            }
            AdminOp::ResetFactors { .. } => {
                if !auth.factors().reset(&id, client).await? {
                    return Err(Error::NotFound);
                }
                format!("Second factors reset; {email} was signed out everywhere.")
            }
            AdminOp::Invite { .. } => return Err(Error::NotFound),
        };
        notice::done(cookies, auth.config(), said);
        Ok(())
    }

    /// Makes the invite link and leaves it for the user list to show once.
    async fn invite(self, auth: &Auth, client: &Client, cookies: &CookieJar<'_>) -> Result<()> {
        let AdminOp::Invite { groups } = self else {
            return Err(Error::NotFound);
        };
        let token = auth.links().create_invite(groups, client).await?;
        let url = link_url(auth, uri!(links::invite_show(token.as_str())));
        show_link_once(cookies, auth, INVITE_MARK, &url);
        Ok(())
    }
}

/// What marks a link left for the user list (an invite), where a reset link names
/// the user it is for.
pub const INVITE_MARK: &str = "invite";

/// Leaves a freshly made URL for the page it is shown on, once: `whom` is the user
/// a reset link was made for, or [`INVITE_MARK`].
fn show_link_once(cookies: &CookieJar<'_>, auth: &Auth, whom: &str, url: &str) {
    let flash = Cookie::build((FLASH_COOKIE, format!("{whom} {url}")))
        .path(auth.config().at("/admin"))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(auth.config().cookie_secure())
        .max_age(rocket::time::Duration::minutes(5));
    cookies.add_private(flash);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_is_described_before_it_is_done_and_round_trips() {
        let op = AdminOp::Groups {
            user: UserId::random(),
            groups: vec!["staff".into(), "wiki".into()],
        };
        assert_eq!(
            op.describe("bob@example.com"),
            "set the groups of bob@example.com to staff, wiki"
        );
        let kept = serde_json::to_string(&op).unwrap();
        assert_eq!(serde_json::from_str::<AdminOp>(&kept).unwrap(), op);
    }
}
