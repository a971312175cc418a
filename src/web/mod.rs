//! The HTTP face of Portcullis: the browser guards (session cookie, admin, fresh
//! re-authentication), the edge every form passes (CSRF, parsing, one page error),
//! the client's address, security headers, view structs and the HTML pages. The
//! JSON API (`crate::api`) and forward auth (`crate::authz`) reuse its guards.

pub mod acting;
pub mod activity;
pub mod admin;
pub mod client;
pub mod csrf;
mod enrol;
pub mod error;
pub mod forms;
pub mod fresh;
pub mod headers;
pub mod models;
pub mod notice;
pub mod pages;
pub mod params;
pub mod redirect;
pub mod session;
pub mod views;

use rocket::http::uri::Origin;
use rocket::response::Redirect;
use rocket::{Catcher, Route, catchers, routes};

use crate::config::Config;

/// A `303` to `uri` (a route's `uri!`) under the base path the pages live under
/// ([`Config::at`]).
pub fn redirect(config: &Config, uri: Origin<'_>) -> Redirect {
    Redirect::to(config.at(&uri.to_string()))
}

/// Every HTML route.
pub fn routes() -> Vec<Route> {
    use pages::{account, admin, links, login, misc, password, reauth, register};
    routes![
        misc::index,
        misc::healthz,
        misc::stylesheet,
        misc::script,
        misc::favicon,
        misc::favicon_ico,
        login::show,
        login::submit,
        login::logout,
        register::show,
        register::submit,
        account::show,
        account::revoke,
        account::revoke_others,
        account::logout_everywhere,
        pages::signins::not_me,
        pages::signins::dismiss,
        pages::tokens::show,
        pages::tokens::create,
        pages::tokens::delete,
        password::show,
        password::submit,
        reauth::show,
        reauth::submit,
        links::setup_show,
        links::setup_submit,
        links::invite_show,
        links::invite_submit,
        links::reset_show,
        links::reset_submit,
        admin::users,
        admin::user,
        admin::actions::act,
        admin::actions::revoke_session,
        admin::carry::carry,
        admin::carry::carry_revoke,
        admin::carry::carry_invite,
        admin::invite,
        admin::log::audit,
        pages::mfa::show,
        pages::mfa::start,
        pages::mfa::confirm,
        pages::mfa::remove,
        pages::mfa::recovery_codes,
        pages::second_factor::show,
        pages::second_factor::submit,
        pages::passkeys::script,
        pages::passkeys::register_start,
        pages::passkeys::register_finish,
        pages::passkeys::rename,
        pages::passkeys::remove,
        pages::passkey_login::passwordless_start,
        pages::passkey_login::passwordless_finish,
        pages::passkey_login::second_factor_start,
        pages::passkey_login::second_factor_finish,
        pages::passkey_login::reauth_start,
        pages::passkey_login::reauth_finish,
        pages::doctor::page,
        pages::doctor::probe,
    ]
}

/// The HTML catchers.
pub fn catchers() -> Vec<Catcher> {
    catchers![
        pages::misc::unauthorized,
        fresh::stale,
        pages::misc::default
    ]
}
