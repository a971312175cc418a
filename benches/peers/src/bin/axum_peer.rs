//! The same two-byte routes in axum, guarded three ways (`axum_peer MODE PORT`):
//! - `memory`: axum-login over tower-sessions' `MemoryStore`;
//! - `sqlite`: axum-login over `SqliteStore` (a database read per request);
//! - `cookie`: axum-extra's `PrivateCookieJar`, stateless (nothing to revoke).
//!
//! `/login` signs the one user in (no password: the guard is what is measured),
//! `/guarded` answers `ok` to a signed-in request and `401` otherwise, `/open`
//! answers `ok` without looking at the session.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar};
use axum_login::{AuthManagerLayerBuilder, AuthSession, AuthUser, AuthnBackend, UserId};
use tower_sessions::{MemoryStore, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{SqliteStore, sqlx::SqlitePool};

#[derive(Clone, Debug)]
struct User {
    id: i64,
    hash: Vec<u8>,
}

impl AuthUser for User {
    type Id = i64;
    fn id(&self) -> i64 {
        self.id
    }
    fn session_auth_hash(&self) -> &[u8] {
        &self.hash
    }
}

#[derive(Clone)]
struct Backend(User);

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = ();
    type Error = std::convert::Infallible;

    async fn authenticate(&self, _: ()) -> Result<Option<User>, Self::Error> {
        Ok(Some(self.0.clone()))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, Self::Error> {
        Ok((*id == self.0.id).then(|| self.0.clone()))
    }
}

async fn open() -> &'static str {
    "ok"
}

async fn login(mut auth: AuthSession<Backend>) -> Result<&'static str, StatusCode> {
    let user = auth.backend.0.clone();
    auth.login(&user)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok("ok")
}

async fn guarded(auth: AuthSession<Backend>) -> Result<&'static str, StatusCode> {
    auth.user.map(|_| "ok").ok_or(StatusCode::UNAUTHORIZED)
}

fn with_sessions<S: SessionStore + Clone>(store: S) -> Router {
    let sessions = SessionManagerLayer::new(store).with_secure(false);
    let backend = Backend(User {
        id: 1,
        hash: b"bench".to_vec(),
    });
    let auth = AuthManagerLayerBuilder::new(backend, sessions).build();
    // `/open` is outside the layers (axum-login loads the session and the user on
    // every request it wraps), so guarded/open is what the guard costs.
    Router::new()
        .route("/login", get(login))
        .route("/guarded", get(guarded))
        .layer(auth)
        .merge(Router::new().route("/open", get(open)))
}

#[derive(Clone)]
struct Keys(Key);

impl FromRef<Keys> for Key {
    fn from_ref(keys: &Keys) -> Key {
        keys.0.clone()
    }
}

async fn cookie_login(jar: PrivateCookieJar) -> (PrivateCookieJar, &'static str) {
    (jar.add(Cookie::new("peer", "user-1")), "ok")
}

async fn cookie_guarded(jar: PrivateCookieJar) -> Result<&'static str, StatusCode> {
    jar.get("peer")
        .map(|_| "ok")
        .ok_or(StatusCode::UNAUTHORIZED)
}

fn with_private_cookie() -> Router {
    Router::new()
        .route("/open", get(open))
        .route("/login", get(cookie_login))
        .route("/guarded", get(cookie_guarded))
        .with_state(Keys(Key::generate()))
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let port: u16 = args
        .next()
        .and_then(|p| p.parse().ok())
        .expect("usage: axum_peer MODE PORT");
    let app = match mode.as_str() {
        "memory" => with_sessions(MemoryStore::default()),
        "sqlite" => {
            let path = std::env::var("PEER_SQLITE").expect("PEER_SQLITE names the database file");
            let pool = SqlitePool::connect(&format!("sqlite:{path}?mode=rwc"))
                .await
                .unwrap();
            let store = SqliteStore::new(pool);
            store.migrate().await.unwrap();
            with_sessions(store)
        }
        "cookie" => with_private_cookie(),
        other => panic!("unknown mode {other:?}: memory, sqlite or cookie"),
    };
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .unwrap();
    axum::serve(listener, app).await.unwrap();
}
