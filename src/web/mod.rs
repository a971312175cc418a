//! The HTTP face of Portcullis: HTML pages, their guards and helpers.

pub mod client;
pub mod csrf;
pub mod forms;
pub mod fresh;
pub mod headers;
pub mod pages;
pub mod redirect;
pub mod session;
pub mod views;

use rocket::{Catcher, Route, catchers, routes};

/// Every HTML route.
pub fn routes() -> Vec<Route> {
    use pages::{account, login, misc, password, reauth, register};
    routes![
        misc::index,
        misc::healthz,
        misc::stylesheet,
        login::show,
        login::submit,
        login::logout,
        register::show,
        register::submit,
        account::show,
        account::revoke,
        account::revoke_others,
        account::logout_everywhere,
        password::show,
        password::submit,
        reauth::show,
        reauth::submit,
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
