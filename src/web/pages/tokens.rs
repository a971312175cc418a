//! `/account/tokens` (SPEC §11): the user's personal access tokens, a form to make
//! one (shown once, on the page that answers the form) and a delete button each.
//!
//! Form fields of `POST /account/tokens`: `name`, `expires_in_days` (1 to 365,
//! default 90), `api` (`on` for the JSON API) and `domains` (forward-auth host
//! names, separated by commas or spaces). At least one of the two scopes is needed.

use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post, uri};
use serde::Serialize;

use crate::auth::{Auth, TokenRow};
use crate::domain::SessionId;
use crate::domain::access::{self, Scope};
use crate::web::acting::Acting;
use crate::web::client::ClientInfo;
use crate::web::csrf::{Csrf, CsrfForm};
use crate::web::error::{Error, Result};
use crate::web::forms::NoFields;
use crate::web::models::TokenView;
use crate::web::notice::{Notice, NoticeView};
use crate::web::params::found;
use crate::web::session::AuthUser;
use crate::web::views::{Page, Views};

/// `tokens.html`'s context.
#[derive(Serialize)]
struct TokensPage<'a> {
    csrf_token: &'a str,
    is_admin: bool,
    tokens: Vec<TokenView>,
    notice: Option<NoticeView>,
    /// A token just made: shown this once.
    created: Option<Created>,
    /// Why the form was refused.
    error: Option<String>,
    default_days: i64,
    max_days: i64,
}

/// A token just made.
#[derive(Serialize)]
struct Created {
    name: String,
    token: String,
}

impl<'a> TokensPage<'a> {
    fn load(auth: &Auth, user: &AuthUser, csrf_token: &'a str) -> Result<TokensPage<'a>> {
        let rows = auth.access().list(&user.0.user.id)?;
        Ok(TokensPage {
            csrf_token,
            is_admin: user.0.user.is_admin(),
            tokens: rows.iter().map(TokenView::from).collect(),
            notice: None,
            created: None,
            error: None,
            default_days: access::DEFAULT_DAYS,
            max_days: access::MAX_DAYS,
        })
    }
}

/// The user's tokens and the form to make one.
#[get("/account/tokens")]
pub fn show(
    user: AuthUser,
    notice: Notice,
    csrf: Csrf,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let mut page = TokensPage::load(auth, &user, csrf.token())?;
    page.notice = notice.0;
    Ok(views.render(Status::Ok, "tokens.html", &page))
}

/// The form's fields, parsed: name, days, scope; or why not.
fn parse(form: &CsrfForm<'_, NoFields>) -> std::result::Result<(String, i64, Scope), String> {
    let name = access::parse_name(form.field("name"))?;
    let days = match form.field("expires_in_days").trim() {
        "" => None,
        raw => Some(
            raw.parse()
                .map_err(|_| "The expiry must be a number of days.")?,
        ),
    };
    let days = access::parse_days(days)?;
    let api = (form.field("api") == "on").then_some(access::API_SCOPE);
    let domains = form.field("domains").split([',', ' ']);
    let scope = Scope::parse(api.into_iter().chain(domains))?;
    Ok((name, days, scope))
}

/// Makes a token and shows it, this once; bad input shows the form again (422).
#[post("/account/tokens", data = "<form>")]
pub async fn create(
    form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    client: ClientInfo,
    auth: &State<Auth>,
    views: &State<Views>,
) -> Result<Page> {
    let (name, days, scope) = match parse(&form) {
        Ok(parsed) => parsed,
        Err(message) => {
            let mut page = TokensPage::load(auth, &user, form.csrf.token())?;
            page.error = Some(message);
            return Ok(views.render(Status::UnprocessableEntity, "tokens.html", &page));
        }
    };
    let access = auth.access();
    let (grant, token) = access.create(&user.0, name, days, scope, &client.0).await?;
    let mut page = TokensPage::load(auth, &user, form.csrf.token())?;
    page.created = Some(Created {
        name: grant.name,
        token: token.expose().to_owned(),
    });
    Ok(views.render(Status::Ok, "tokens.html", &page))
}

/// Deletes one of the user's tokens; anything else is a 404, untouched.
#[post("/account/tokens/<id>/delete", data = "<_form>")]
pub async fn delete(
    id: Result<SessionId, &str>,
    _form: CsrfForm<'_, NoFields>,
    user: AuthUser,
    acting: Acting<'_>,
) -> Result<Redirect> {
    let id = found(id)?;
    let rows: Vec<TokenRow> = acting.auth.access().list(&user.0.user.id)?;
    let name = rows
        .into_iter()
        .find(|r| r.grant.session == id)
        .map(|r| r.grant.name);
    let Some(name) = name else {
        return Err(Error::NotFound);
    };
    let access = acting.auth.access();
    access.delete(&user.0, &id, &acting.client).await?;
    Ok(acting.done(format!("Token “{name}” deleted."), uri!(show)))
}
