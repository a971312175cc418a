//! The server the load benchmarks drive (`scripts/bench-guard.sh`): the whole
//! Portcullis server plus three routes that answer the same two bytes, one open, one
//! behind the cookie guard and one behind the bearer guard, so their throughput can
//! be compared in one run.

use portcullis::{ApiUser, AuthUser};
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

/// The same allocator as the shipped binary (`src/main.rs`).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[rocket::launch]
fn rocket() -> _ {
    portcullis::rocket(portcullis::figment()).mount("/bench", routes![open, cookie, bearer])
}
