//! The domain: users, sessions, passwords and their identifiers. Nothing here knows
//! about HTTP or about how the store lays out its keys; the web layer converts raw
//! input into these types once, at the edge.

pub mod audit;
pub mod email;
pub mod guessable;
pub mod hasher;
pub mod identity;
pub mod ids;
pub mod onetime;
pub mod password;
pub mod refresh;
pub mod session;
pub mod text;
pub mod throttle;
pub mod user;

pub use email::Email;
pub use ids::{SessionId, UserId};
pub use password::Password;
pub use session::{Session, SessionKind};
pub use user::User;
