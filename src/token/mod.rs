//! Access tokens: PASETO v4.local with our claims (SPEC §2).
//!
//! Claims: `iss`, `sub` (user id), `sid` (session id), `gen` (user generation), `typ`
//! (`browser`/`api`), `iat`, `nbf`, `exp` (RFC 3339), plus `rot` (the session's
//! rotation counter, for copied-cookie detection) and `aat` (Unix seconds of the last
//! password entry, for re-authentication) and `aal` (1, or 2 after a second factor,
//! SPEC §10; absent in older tokens, read as 1). The footer is `{"kid":"k4.lid.…"}`. The
//! implicit assertion `portcullis/browser` or `portcullis/api` binds the purpose: a
//! token minted for one is not even authentic for the other.
//!
//! We decrypt with [`LocalToken::decrypt`] and check time claims ourselves, against
//! the clock in Rocket state, so an expired-but-authentic token can still slide the
//! session forward and tests can move time.

pub(crate) mod keys;

use pasetors::Local;
use pasetors::token::UntrustedToken;
use pasetors::version4::{LocalToken, V4};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use keys::{KeyError, Keyring};

use crate::domain::{SessionId, SessionKind, UserId};

/// What a token is for; part of the implicit assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// Carried in the session cookie.
    Browser,
    /// Carried as `Authorization: Bearer`.
    Api,
}

impl TokenKind {
    fn implicit_assertion(self) -> &'static [u8] {
        match self {
            TokenKind::Browser => b"portcullis/browser",
            TokenKind::Api => b"portcullis/api",
        }
    }
}

impl From<SessionKind> for TokenKind {
    fn from(kind: SessionKind) -> TokenKind {
        match kind {
            SessionKind::Browser => TokenKind::Browser,
            SessionKind::Api | SessionKind::Token => TokenKind::Api,
        }
    }
}

/// The claims of a token, with times as Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// `sub`.
    pub user: UserId,
    /// `sid`.
    pub session: SessionId,
    /// `gen`.
    pub generation: u64,
    /// `typ`.
    pub kind: TokenKind,
    /// `iat` (also used as `nbf`).
    pub issued_at: i64,
    /// `exp`.
    pub expires_at: i64,
    /// `rot`.
    pub rotation: u32,
    /// `aat`.
    pub auth_at: i64,
    /// `aal`: 1 (password) or 2 (a second factor too).
    pub aal: u8,
    /// `fat`: Unix seconds the second factor was last proven; 0 = never.
    pub factor_at: i64,
    /// `uns`: minted by a background renewal that left "last seen" behind (SPEC §11).
    pub unseen: bool,
}

/// The outcome of opening a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// Authentic and within its validity.
    Valid(TokenClaims),
    /// Authentic, but past `exp`: only good for sliding the session forward.
    Expired(TokenClaims),
    /// Not a token we minted for this purpose.
    Invalid,
}

/// The wire form of the claims.
#[derive(Serialize, Deserialize)]
struct Wire {
    iss: String,
    sub: UserId,
    sid: SessionId,
    #[serde(rename = "gen")]
    generation: u64,
    typ: TokenKind,
    iat: String,
    nbf: String,
    exp: String,
    rot: u32,
    aat: i64,
    #[serde(default = "one")]
    aal: u8,
    #[serde(default)]
    fat: i64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    uns: bool,
}

fn one() -> u8 {
    1
}

fn rfc3339(at: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(at)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

fn unix(at: &str) -> Option<i64> {
    OffsetDateTime::parse(at, &Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

/// Mints and opens tokens with the key ring; `issuer` is the `iss` claim.
pub struct Tokens {
    keys: Keyring,
    issuer: String,
}

impl Tokens {
    /// Wraps a key ring; tokens carry and require `issuer` as `iss`.
    pub fn new(keys: Keyring, issuer: String) -> Tokens {
        Tokens { keys, issuer }
    }

    /// Encrypts `claims` under the current key.
    pub fn mint(&self, claims: &TokenClaims) -> String {
        let (_, key) = self.keys.current();
        LocalToken::encrypt(
            &key.secret,
            &self.payload(claims),
            Some(&key.footer),
            Some(claims.kind.implicit_assertion()),
        )
        .expect("v4.local encryption of a non-empty payload cannot fail")
    }

    /// The JSON claims of a token.
    fn payload(&self, claims: &TokenClaims) -> Vec<u8> {
        let wire = Wire {
            iss: self.issuer.clone(),
            sub: claims.user,
            sid: claims.session,
            generation: claims.generation,
            typ: claims.kind,
            iat: rfc3339(claims.issued_at).unwrap_or_default(),
            nbf: rfc3339(claims.issued_at).unwrap_or_default(),
            exp: rfc3339(claims.expires_at).unwrap_or_default(),
            rot: claims.rotation,
            aat: claims.auth_at,
            aal: claims.aal,
            fat: claims.factor_at,
            uns: claims.unseen,
        };
        serde_json::to_vec(&wire).expect("claims serialise")
    }

    /// Decrypts and checks a token presented for `kind` at `now`.
    pub fn open(&self, token: &str, kind: TokenKind, now: i64) -> Opened {
        self.open_claims(token, kind, now)
            .unwrap_or(Opened::Invalid)
    }

    fn open_claims(&self, token: &str, kind: TokenKind, now: i64) -> Option<Opened> {
        let untrusted = UntrustedToken::<Local, V4>::try_from(token).ok()?;
        // The footer must be byte for byte one we put on tokens: `{"kid":"k4.lid…"}`
        // of a key we hold. Matching bytes (not parsing JSON) is stricter, and
        // cheap: pasetors' footer parser compiles a regex on every call.
        let key = self.keys.by_footer(untrusted.untrusted_footer())?;
        let trusted = LocalToken::decrypt(
            &key.secret,
            &untrusted,
            Some(&key.footer),
            Some(kind.implicit_assertion()),
        )
        .ok()?;
        let wire: Wire = serde_json::from_str(trusted.payload()).ok()?;
        if wire.iss != self.issuer || wire.typ != kind {
            return None;
        }
        let claims = TokenClaims {
            user: wire.sub,
            session: wire.sid,
            generation: wire.generation,
            kind: wire.typ,
            issued_at: unix(&wire.iat)?,
            expires_at: unix(&wire.exp)?,
            rotation: wire.rot,
            auth_at: wire.aat,
            aal: wire.aal,
            factor_at: wire.fat,
            unseen: wire.uns,
        };
        if unix(&wire.nbf)? > now {
            return None;
        }
        Some(if now < claims.expires_at {
            Opened::Valid(claims)
        } else {
            Opened::Expired(claims)
        })
    }
}

#[cfg(test)]
mod tests;
