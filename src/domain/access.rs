//! Personal access tokens (SPEC §11): long-lived bearer credentials a person makes
//! for a script. The wire form is `pcp_` followed by 32 random bytes from the OS
//! CSPRNG in unpadded base64url (256 bits). Only the SHA-256 digest is stored: the
//! secret is already uniformly random and 256 bits long, so a slow password hash
//! would add nothing but cost on every request, and a fast digest lets the check
//! stay an in-memory map lookup.
//!
//! Each token is a session of kind `token`; its [`Grant`] holds what the session
//! record does not: the name, the scope, the generation it was made under and the
//! digest.

use std::fmt;

use data_encoding::BASE64URL_NOPAD;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::ids::{SessionId, UserId};

/// Prefix of every personal access token (and a hook for secret scanners).
pub const PREFIX: &str = "pcp_";
/// Bytes of randomness in a token.
const SECRET_BYTES: usize = 32;
/// Default lifetime, in days.
pub const DEFAULT_DAYS: i64 = 90;
/// Longest lifetime, in days.
pub const MAX_DAYS: i64 = 365;
/// Longest name, in characters.
const MAX_NAME: usize = 64;
/// Most forward-auth domains in one scope.
const MAX_DOMAINS: usize = 32;
/// The scope word that admits the JSON API.
pub const API_SCOPE: &str = "api";

/// A token as handed to its owner, once. `Debug` never shows it.
pub struct AccessToken(String);

impl AccessToken {
    /// A fresh token and the digest to store.
    pub fn generate() -> (AccessToken, TokenHash) {
        let mut secret = [0u8; SECRET_BYTES];
        OsRng.fill_bytes(&mut secret);
        let token = format!("{PREFIX}{}", BASE64URL_NOPAD.encode(&secret));
        (AccessToken(token), TokenHash::of(&secret))
    }

    /// The digest of a presented token; `None` for anything not shaped like one.
    pub fn parse(presented: &str) -> Option<TokenHash> {
        let secret = presented.strip_prefix(PREFIX)?;
        let secret = BASE64URL_NOPAD.decode(secret.as_bytes()).ok()?;
        (secret.len() == SECRET_BYTES).then(|| TokenHash::of(&secret))
    }

    /// The token itself, to show once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// SHA-256 of a token's secret, the key of the in-memory index.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    fn of(secret: &[u8]) -> TokenHash {
        TokenHash(Sha256::digest(secret).into())
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

/// What a token may be used for: the API, and forward-auth checks for these hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// `Authorization: Bearer` on `/api/v1`.
    pub api: bool,
    /// Hosts (lower case, no port) the forward-auth endpoints let it through to.
    pub domains: Vec<String>,
}

impl Scope {
    /// Parses scope words: `api` and host names; duplicates collapse. Empty, or a
    /// word that is neither, is refused with the reason.
    pub fn parse<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Scope, String> {
        let mut scope = Scope {
            api: false,
            domains: Vec::new(),
        };
        for word in words.into_iter().map(str::trim).filter(|w| !w.is_empty()) {
            if word.eq_ignore_ascii_case(API_SCOPE) {
                scope.api = true;
                continue;
            }
            let host = match url::Host::parse(word) {
                Ok(url::Host::Domain(host)) if !host.contains(['/', ':', '*']) => host,
                _ => return Err(format!("“{word}” is neither `api` nor a host name.")),
            };
            if !scope.domains.contains(&host) {
                scope.domains.push(host);
            }
        }
        if !scope.api && scope.domains.is_empty() {
            return Err("Choose a scope: the API, one or more domains, or both.".into());
        }
        if scope.domains.len() > MAX_DOMAINS {
            return Err(format!("At most {MAX_DOMAINS} domains."));
        }
        Ok(scope)
    }

    /// Whether a forward-auth check for `host` is in scope (exact, case-insensitive).
    pub fn covers(&self, host: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(host))
    }

    /// The scope as words, `api` first.
    pub fn words(&self) -> Vec<String> {
        let api = self.api.then(|| API_SCOPE.to_owned());
        api.into_iter()
            .chain(self.domains.iter().cloned())
            .collect()
    }
}

/// A token's name: trimmed, 1 to 64 characters, no control characters.
pub fn parse_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(format!(
            "Give the token a name of 1 to {MAX_NAME} characters."
        ));
    }
    Ok(name.to_owned())
}

/// A lifetime in days: `None` is the default, at most [`MAX_DAYS`].
pub fn parse_days(days: Option<i64>) -> Result<i64, String> {
    match days.unwrap_or(DEFAULT_DAYS) {
        d @ 1..=MAX_DAYS => Ok(d),
        _ => Err(format!("The expiry must be 1 to {MAX_DAYS} days.")),
    }
}

/// A token as stored beside its session (store record).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    /// The session of kind `token` it speaks through.
    pub session: SessionId,
    /// Whose token it is.
    pub user: UserId,
    /// The owner's label.
    pub name: String,
    /// What it may reach.
    pub scope: Scope,
    /// The user's generation when it was made; any other is refused.
    pub generation: u64,
    /// Unix seconds of creation.
    pub created_at: i64,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
    /// Digest of the secret.
    pub hash: TokenHash,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_parses_back_to_its_digest_and_nothing_else_does() {
        let (token, hash) = AccessToken::generate();
        assert!(token.expose().starts_with("pcp_"));
        assert_eq!(token.expose().len(), 4 + 43);
        assert_eq!(AccessToken::parse(token.expose()), Some(hash));
        assert_eq!(AccessToken::parse(&token.expose()[1..]), None);
        assert_eq!(AccessToken::parse("pcp_short"), None);
        assert!(!format!("{token:?}").contains("pcp_"));
    }

    #[test]
    fn scopes_are_api_or_hosts() {
        let scope = Scope::parse(["api", "Wiki.Example.com", "wiki.example.com"]).unwrap();
        assert!(scope.api);
        assert_eq!(scope.domains, ["wiki.example.com"]);
        assert!(scope.covers("WIKI.example.com"));
        assert!(!scope.covers("example.com"));
        assert!(Scope::parse([]).is_err());
        assert!(Scope::parse(["https://x.example"]).is_err());
        assert!(Scope::parse(["*.example.com"]).is_err());
        assert!(Scope::parse(["10.0.0.1"]).is_err());
    }

    #[test]
    fn names_and_lifetimes_are_bounded() {
        assert_eq!(parse_name("  cron "), Ok("cron".to_owned()));
        assert!(parse_name(" ").is_err());
        assert!(parse_name(&"x".repeat(65)).is_err());
        assert_eq!(parse_days(None), Ok(90));
        assert!(parse_days(Some(366)).is_err());
        assert!(parse_days(Some(0)).is_err());
    }
}
