//! Opaque random identifiers: 128 bits from the OS CSPRNG, shown as unpadded
//! base64url (22 characters) in URLs, headers and records. One generic type with a
//! marker keeps a `UserId` from ever being passed where a `SessionId` is expected.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use data_encoding::BASE64URL_NOPAD;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `n` bytes from the OS CSPRNG as unpadded base64url: refresh tokens, CSRF tokens and
/// one-time links are built from this.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    BASE64URL_NOPAD.encode(&bytes)
}

/// What an [`Id`] identifies; only used as a type marker.
pub trait IdKind: 'static {
    /// Shown in `Debug` output.
    const NAME: &'static str;
}

/// Marker for user identifiers.
#[derive(Debug)]
pub enum UserKind {}
impl IdKind for UserKind {
    const NAME: &'static str = "UserId";
}

/// Marker for session identifiers.
#[derive(Debug)]
pub enum SessionKindMarker {}
impl IdKind for SessionKindMarker {
    const NAME: &'static str = "SessionId";
}

/// A user's permanent identifier (`sub` in tokens, `Remote-User` for proxies).
pub type UserId = Id<UserKind>;
/// A session's identifier (`sid` in tokens); knowing it grants nothing by itself.
pub type SessionId = Id<SessionKindMarker>;

/// A 128-bit random identifier of kind `K`.
pub struct Id<K: IdKind>([u8; 16], PhantomData<K>);

impl<K: IdKind> Id<K> {
    /// A fresh identifier from the OS CSPRNG.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        Id(bytes, PhantomData)
    }

    /// The raw bytes, as used in store keys.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Rebuilds an identifier from store key bytes.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(|b| Id(b, PhantomData))
    }

    /// Parses the base64url form; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != 22 {
            return None;
        }
        let bytes = BASE64URL_NOPAD.decode(s.as_bytes()).ok()?;
        Self::from_bytes(&bytes)
    }
}

impl<K: IdKind> Clone for Id<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: IdKind> Copy for Id<K> {}

impl<K: IdKind> PartialEq for Id<K> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K: IdKind> Eq for Id<K> {}

impl<K: IdKind> Hash for Id<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<K: IdKind> fmt::Display for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&BASE64URL_NOPAD.encode(&self.0))
    }
}

impl<K: IdKind> fmt::Debug for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({self})", K::NAME)
    }
}

impl<K: IdKind> Serialize for Id<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de, K: IdKind> Deserialize<'de> for Id<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom("malformed identifier"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text_form() {
        let id = SessionId::random();
        assert_eq!(SessionId::parse(&id.to_string()), Some(id));
    }

    #[test]
    fn malformed_ids_are_refused() {
        assert_eq!(UserId::parse(""), None);
        assert_eq!(UserId::parse("not-an-id"), None);
        assert_eq!(UserId::parse("AAAAAAAAAAAAAAAAAAAAA+"), None);
    }
}
