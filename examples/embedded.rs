//! Portcullis inside your own Rocket app: a public page and a protected page.
//!
//!     cargo run --example embedded
//!
//! Then open <http://localhost:8000/>. The portal's pages (sign up, sign in, your
//! sessions) live under `/auth` because `public_url` says so; `/reports` needs a
//! login, and the 401 catcher below sends anonymous visitors to the sign-in page.
//! In your own app, put the `[default.portcullis]` settings in `Rocket.toml`.

use portcullis::{AuthUser, MaybeUser};
use rocket::http::uri::fmt::{Query, UriDisplay};
use rocket::response::Redirect;
use rocket::{Request, catch, catchers, get, routes};

#[get("/")]
fn home(user: MaybeUser) -> String {
    match user.0 {
        Some(user) => format!("Hello {}! Your reports: /reports", user.0.user.email),
        None => "Hello stranger. Sign in at /auth/login".to_owned(),
    }
}

#[get("/reports")]
fn reports(user: AuthUser) -> String {
    format!(
        "Reports for {} (groups: {:?})",
        user.0.user.email, user.0.user.groups
    )
}

/// Anonymous visitors of protected pages go to the portal and come back.
#[catch(401)]
fn sign_in_first(request: &Request<'_>) -> Redirect {
    let back = request.uri().to_string();
    Redirect::to(format!(
        "/auth/login?rd={}",
        &back as &dyn UriDisplay<Query>
    ))
}

#[rocket::launch]
fn rocket() -> _ {
    let figment = portcullis::figment()
        .merge(("portcullis.public_url", "http://localhost:8000/auth"))
        .merge(("portcullis.data_dir", "data-embedded"));
    rocket::custom(figment)
        .attach(portcullis::fairing())
        .mount("/", routes![home, reports])
        .register("/", catchers![sign_in_first])
}
