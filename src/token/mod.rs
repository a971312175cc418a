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
mod tests {
    use super::*;

    fn tokens() -> (tempfile::TempDir, Tokens) {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keyring::load_or_create(dir.path()).unwrap();
        (dir, Tokens::new(keys, "https://auth.example.com".into()))
    }

    fn claims(kind: TokenKind, issued_at: i64) -> TokenClaims {
        TokenClaims {
            user: UserId::random(),
            session: SessionId::random(),
            generation: 3,
            kind,
            issued_at,
            expires_at: issued_at + 900,
            rotation: 1,
            auth_at: issued_at,
            aal: 1,
            factor_at: 0,
            unseen: false,
        }
    }

    #[test]
    fn a_minted_token_opens_until_it_expires() {
        let (_dir, tokens) = tokens();
        let claims = claims(TokenKind::Browser, 1_000_000);
        let token = tokens.mint(&claims);

        assert!(token.starts_with("v4.local."));
        assert_eq!(
            tokens.open(&token, TokenKind::Browser, 1_000_899),
            Opened::Valid(claims.clone())
        );
        assert_eq!(
            tokens.open(&token, TokenKind::Browser, 1_000_900),
            Opened::Expired(claims)
        );
    }

    #[test]
    fn a_token_is_refused_for_the_other_purpose() {
        let (_dir, tokens) = tokens();
        let browser = tokens.mint(&claims(TokenKind::Browser, 1_000_000));
        let api = tokens.mint(&claims(TokenKind::Api, 1_000_000));

        assert_eq!(
            tokens.open(&browser, TokenKind::Api, 1_000_001),
            Opened::Invalid
        );
        assert_eq!(
            tokens.open(&api, TokenKind::Browser, 1_000_001),
            Opened::Invalid
        );
    }

    #[test]
    fn flipped_truncated_or_foreign_tokens_are_refused() {
        let (_dir, tokens) = tokens();
        let (_other_dir, stranger) = super::tests::tokens();
        let token = tokens.mint(&claims(TokenKind::Browser, 1_000_000));
        let mut flipped = token.clone().into_bytes();
        flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();

        for bad in [
            flipped.as_str(),
            &token[..token.len() - 10],
            &token.replace("v4.local.", "v4.public."),
            &stranger.mint(&claims(TokenKind::Browser, 1_000_000)),
            "",
            "v4.local.",
        ] {
            assert_eq!(
                tokens.open(bad, TokenKind::Browser, 1_000_001),
                Opened::Invalid,
                "{bad}"
            );
        }
    }

    /// A token encrypted under `tokens`' own current key, with any footer.
    fn with_footer(tokens: &Tokens, claims: &TokenClaims, footer: &str) -> String {
        let (_, key) = tokens.keys.current();
        LocalToken::encrypt(
            &key.secret,
            &tokens.payload(claims),
            Some(footer.as_bytes()),
            Some(claims.kind.implicit_assertion()),
        )
        .unwrap()
    }

    #[test]
    fn a_footer_carrying_a_key_or_not_of_our_exact_shape_is_refused() {
        use pasetors::paserk::FormatAsPaserk;

        let (_dir, tokens) = tokens();
        let (_other_dir, stranger) = super::tests::tokens();
        let claims = claims(TokenKind::Browser, 1_000_000);
        let (kid, key) = tokens.keys.current();
        let mut paserk = String::new();
        key.secret.fmt(&mut paserk).unwrap();
        let (unknown_kid, _) = stranger.keys.current();
        let exact = format!(r#"{{"kid":"{kid}"}}"#);
        assert_eq!(exact.as_bytes(), key.footer.as_slice());
        assert!(matches!(
            tokens.open(
                &with_footer(&tokens, &claims, &exact),
                TokenKind::Browser,
                1_000_001
            ),
            Opened::Valid(_)
        ));

        for footer in [
            format!(r#"{{"kid":"{paserk}"}}"#),
            format!(r#"{{"kid":"{kid}","wpk":"{paserk}"}}"#),
            format!(r#"{{"kid":"{kid}","extra":1}}"#),
            format!(r#"{{ "kid": "{kid}" }}"#),
            format!(r#"{{"kid":["{kid}"]}}"#),
            format!(r#"{{"kid":"{unknown_kid}"}}"#),
            kid.to_owned(),
            String::new(),
        ] {
            let token = with_footer(&tokens, &claims, &footer);
            assert_eq!(
                tokens.open(&token, TokenKind::Browser, 1_000_001),
                Opened::Invalid,
                "footer {footer}"
            );
        }
    }

    #[test]
    fn a_token_whose_key_left_the_ring_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());
        let under_first = first.mint(&claims(TokenKind::Browser, 1_000_000));
        Keyring::rotate(dir.path()).unwrap();
        let second = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());
        let under_second = second.mint(&claims(TokenKind::Browser, 1_000_000));

        std::fs::remove_file(dir.path().join("0002.paserk")).unwrap();
        let reloaded = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());

        assert_eq!(
            reloaded.open(&under_second, TokenKind::Browser, 1_000_001),
            Opened::Invalid
        );
        assert!(matches!(
            reloaded.open(&under_first, TokenKind::Browser, 1_000_001),
            Opened::Valid(_)
        ));
    }

    #[test]
    fn a_token_from_the_future_is_refused() {
        let (_dir, tokens) = tokens();
        let token = tokens.mint(&claims(TokenKind::Browser, 2_000_000));

        assert_eq!(
            tokens.open(&token, TokenKind::Browser, 1_999_000),
            Opened::Invalid
        );
    }

    #[test]
    fn tokens_under_an_older_key_stay_valid_after_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let old = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());
        let token = old.mint(&claims(TokenKind::Api, 1_000_000));
        Keyring::rotate(dir.path()).unwrap();
        let rotated = Tokens::new(Keyring::load_or_create(dir.path()).unwrap(), "iss".into());

        assert!(matches!(
            rotated.open(&token, TokenKind::Api, 1_000_001),
            Opened::Valid(_)
        ));
        assert_ne!(
            rotated.mint(&claims(TokenKind::Api, 1)).rsplit('.').next(),
            token.rsplit('.').next()
        );
    }
}
