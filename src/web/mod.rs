//! The HTTP face of Portcullis: HTML pages, their guards and helpers.

pub mod client;
pub mod csrf;
pub mod forms;
pub mod headers;
pub mod pages;
pub mod redirect;
pub mod session;
pub mod views;

use rocket::{Catcher, Route, catchers, routes};

/// Every HTML route.
pub fn routes() -> Vec<Route> {
    use pages::{account, login, misc, register};
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
    ]
}

/// The HTML catchers.
pub fn catchers() -> Vec<Catcher> {
    catchers![pages::misc::unauthorized, pages::misc::default]
}
