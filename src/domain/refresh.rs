//! API refresh tokens (SPEC §2): opaque, 256 bits from the OS CSPRNG, bound to one
//! session and rotated on every use. Only SHA-256 digests are stored, in the session
//! record, so a leaked data dir reveals no usable refresh token.
//!
//! The wire form is `pcr1.<session id>.<secret>`: the session id (not a secret) tells
//! the server which record to read, the secret is 32 random bytes in unpadded
//! base64url. `docs/TOKENS.md` describes how the digests rotate.

use std::fmt;

use data_encoding::BASE64URL_NOPAD;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

use super::ids::SessionId;

/// Prefix naming the format (and helping secret scanners spot leaked tokens).
const PREFIX: &str = "pcr1";
/// Bytes of randomness in a refresh token.
const SECRET_BYTES: usize = 32;
/// How many successors of one spent token a client may collect within the grace
/// window (concurrent refreshes from one device).
pub const MAX_SIBLINGS: usize = 4;
/// How many spent generations of digests a session remembers for reuse detection;
/// an older token is refused as unknown rather than treated as theft.
pub const SPENT_KEPT: usize = 32;

/// A refresh token as handed to a client. `Debug` never shows it.
#[derive(Clone)]
pub struct RefreshToken(String);

impl RefreshToken {
    /// A fresh token for `session`, with the digest to store.
    pub fn generate(session: &SessionId) -> (RefreshToken, TokenDigest) {
        let mut secret = [0u8; SECRET_BYTES];
        OsRng.fill_bytes(&mut secret);
        let token = format!("{PREFIX}.{session}.{}", BASE64URL_NOPAD.encode(&secret));
        (RefreshToken(token), TokenDigest::of(&secret))
    }

    /// Splits a presented token into its session and the digest of its secret;
    /// `None` for anything that is not a well-formed token.
    pub fn parse(presented: &str) -> Option<(SessionId, TokenDigest)> {
        let mut parts = presented.split('.');
        let (prefix, session, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if prefix != PREFIX || parts.next().is_some() {
            return None;
        }
        let session = SessionId::parse(session)?;
        let secret = BASE64URL_NOPAD.decode(secret.as_bytes()).ok()?;
        (secret.len() == SECRET_BYTES).then(|| (session, TokenDigest::of(&secret)))
    }

    /// The token itself, to send to the client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

/// SHA-256 of a refresh token's secret; compared in constant time.
#[derive(Clone)]
pub struct TokenDigest([u8; 32]);

impl TokenDigest {
    fn of(secret: &[u8]) -> TokenDigest {
        TokenDigest(Sha256::digest(secret).into())
    }
}

impl PartialEq for TokenDigest {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for TokenDigest {}

impl fmt::Debug for TokenDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenDigest(..)")
    }
}

impl Serialize for TokenDigest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64URL_NOPAD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for TokenDigest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let bytes = BASE64URL_NOPAD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)?;
        let bytes = bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("digest is not 32 bytes"))?;
        Ok(TokenDigest(bytes))
    }
}

/// Where a presented digest stands in a session's refresh lineage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// One of the live tokens: rotate it.
    Current,
    /// Spent by the latest rotation: fine within the grace window, theft after it.
    Previous,
    /// Spent by an earlier rotation: theft.
    Spent,
    /// Not a token of this session (forged, or older than we remember).
    Unknown,
}

/// The refresh side of an API session (part of the session record).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RefreshState {
    /// Digests of the tokens that refresh now: one, plus the successors handed out to
    /// concurrent refreshes within the grace window (at most [`MAX_SIBLINGS`]).
    pub current: Vec<TokenDigest>,
    /// Digests spent by the latest rotation (at the session's `rotated_at`).
    #[serde(default)]
    pub previous: Vec<TokenDigest>,
    /// Digests spent earlier, newest first, at most [`SPENT_KEPT`].
    #[serde(default)]
    pub spent: Vec<TokenDigest>,
    /// Unix seconds after which no token of this lineage refreshes.
    pub expires_at: i64,
}

impl RefreshState {
    /// A new lineage whose only token has `digest`.
    pub fn new(digest: TokenDigest, expires_at: i64) -> RefreshState {
        RefreshState {
            current: vec![digest],
            previous: Vec::new(),
            spent: Vec::new(),
            expires_at,
        }
    }

    /// Classifies a presented digest.
    pub fn standing(&self, digest: &TokenDigest) -> Standing {
        if self.current.contains(digest) {
            Standing::Current
        } else if self.previous.contains(digest) {
            Standing::Previous
        } else if self.spent.contains(digest) {
            Standing::Spent
        } else {
            Standing::Unknown
        }
    }

    /// Spends every current token and makes `next` the only live one.
    pub fn rotate(&mut self, next: TokenDigest, expires_at: i64) {
        let spent_now = std::mem::replace(&mut self.current, vec![next]);
        let older = std::mem::replace(&mut self.previous, spent_now);
        self.spent.splice(0..0, older);
        self.spent.truncate(SPENT_KEPT);
        self.expires_at = expires_at;
    }

    /// Adds a successor for a concurrent refresh within the grace window; `false`
    /// when [`MAX_SIBLINGS`] are already live.
    pub fn add_sibling(&mut self, next: TokenDigest) -> bool {
        if self.current.len() >= MAX_SIBLINGS {
            return false;
        }
        self.current.push(next);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_parses_back_to_its_session_and_digest() {
        let session = SessionId::random();
        let (token, digest) = RefreshToken::generate(&session);

        assert!(token.expose().starts_with("pcr1."));
        assert_eq!(RefreshToken::parse(token.expose()), Some((session, digest)));
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        let session = SessionId::random();
        let (token, _) = RefreshToken::generate(&session);
        let good = token.expose();
        for bad in [
            "",
            "pcr1",
            &good.replace("pcr1.", "pcr2."),
            &good[..good.len() - 1],
            &format!("{good}.x"),
            &format!("pcr1.{session}.c2hvcnQ"),
        ] {
            assert_eq!(RefreshToken::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn rotation_moves_tokens_from_current_to_previous_to_spent() {
        let session = SessionId::random();
        let digests: Vec<_> = (0..3).map(|_| RefreshToken::generate(&session).1).collect();
        let mut state = RefreshState::new(digests[0].clone(), 10);

        state.rotate(digests[1].clone(), 20);
        state.rotate(digests[2].clone(), 30);

        assert_eq!(state.standing(&digests[2]), Standing::Current);
        assert_eq!(state.standing(&digests[1]), Standing::Previous);
        assert_eq!(state.standing(&digests[0]), Standing::Spent);
        let stranger = RefreshToken::generate(&session).1;
        assert_eq!(state.standing(&stranger), Standing::Unknown);
        assert_eq!(state.expires_at, 30);
    }

    #[test]
    fn siblings_are_capped_and_the_spent_list_is_bounded() {
        let session = SessionId::random();
        let fresh = || RefreshToken::generate(&session).1;
        let mut state = RefreshState::new(fresh(), 0);
        for _ in 1..MAX_SIBLINGS {
            assert!(state.add_sibling(fresh()));
        }
        assert!(!state.add_sibling(fresh()));

        for _ in 0..SPENT_KEPT {
            state.rotate(fresh(), 0);
        }

        assert_eq!(state.current.len(), 1);
        assert_eq!(state.spent.len(), SPENT_KEPT);
    }
}
