//! A stateless private cookie in Rocket: `/login` sets an encrypted cookie,
//! `/guarded` opens it (AES-GCM) and answers two bytes, `/open` does not look.
//! No server-side state, so nothing can be revoked: the floor a guard with
//! revocation is compared with.

use rocket::http::{CookieJar, Status};
use rocket::{get, routes};

#[get("/open")]
fn open() -> &'static str {
    "ok"
}

#[get("/login")]
fn login(cookies: &CookieJar<'_>) -> &'static str {
    cookies.add_private(("peer", "user-1"));
    "ok"
}

#[get("/guarded")]
fn guarded(cookies: &CookieJar<'_>) -> Result<&'static str, Status> {
    match cookies.get_private("peer") {
        Some(_) => Ok("ok"),
        None => Err(Status::Unauthorized),
    }
}

#[rocket::launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![open, login, guarded])
}
