//! The server the load benchmarks drive (`scripts/bench-guard.sh`,
//! `scripts/bench-forward.sh`): the whole Portcullis server plus routes that answer
//! the same two bytes, one open, one behind the cookie guard, one behind the bearer
//! guard and one that only opens a Rocket private cookie (set by `/bench/private-login`),
//! so their throughput can be compared in one run.

use portcullis::{ApiUser, AuthUser};
use rocket::http::{CookieJar, Status};
use rocket::{get, routes};

#[get("/open")]
fn open() -> &'static str {
    "ok"
}

#[get("/cookie")]
fn cookie(_user: AuthUser) -> &'static str {
    "ok"
}

#[get("/bearer")]
fn bearer(_user: ApiUser) -> &'static str {
    "ok"
}

#[get("/private-login")]
fn private_login(cookies: &CookieJar<'_>) -> &'static str {
    cookies.add_private(("peer", "user-1"));
    "ok"
}

/// A stateless private cookie (AES-GCM, nothing to revoke): what a guard with
/// revocation is compared with.
#[get("/private")]
fn private(cookies: &CookieJar<'_>) -> Result<&'static str, Status> {
    cookies
        .get_private("peer")
        .map(|_| "ok")
        .ok_or(Status::Unauthorized)
}

/// The same allocator as the shipped binary (`src/main.rs`).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[rocket::launch]
fn rocket() -> _ {
    portcullis::rocket(portcullis::figment()).mount(
        "/bench",
        routes![open, cookie, bearer, private_login, private],
    )
}
