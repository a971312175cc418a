//! The domain: users, sessions, passwords, identifiers, why sessions end, audit
//! events, one-time links and throttle counters: records and the rules about them,
//! with no I/O. Nothing here knows about HTTP (the web layer converts raw input into
//! these types once, at the edge: `web/params.rs`), about how the store lays out its
//! keys, or about threads (argon2 runs in [`crate::hashing`]).

pub mod access;
pub mod audit;
pub mod email;
pub mod ended;
pub mod factors;
pub mod guessable;
pub mod identity;
pub mod ids;
pub mod onetime;
pub mod passkeys;
pub mod password;
pub mod refresh;
pub mod session;
pub mod signins;
pub mod text;
pub mod throttle;
pub mod user;

pub use email::Email;
pub use ended::EndReason;
pub use ids::{SessionId, UserId};
pub use password::Password;
pub use session::{Session, SessionKind};
pub use user::User;
