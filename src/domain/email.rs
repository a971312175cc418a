//! Email addresses: validated once at the edge, compared as the same account under
//! every spelling that normalises alike, and refused when they only look alike
//! (SPEC §3; the rules are in [`identity`]).

use std::fmt;

use email_address::{EmailAddress, Options};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::identity;
use super::text::{is_invisible, nfkc};

/// The longest address SMTP can carry (RFC 5321 path limit).
const MAX_LEN: usize = 254;

/// A syntactically valid email address, trimmed, without display text.
///
/// It is shown, stored and sent to proxied apps (`Remote-Email`) as typed, only
/// brought to NFKC so that fullwidth letters or ligatures never reach a page or a
/// header; accounts are told apart by [`Email::key`].
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    shown: String,
    key: String,
}

/// Why a string is not an acceptable email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Enter a valid email address.")]
pub struct InvalidEmail;

impl Email {
    /// Parses a user-typed address (`Alice@Example.com`, surrounding spaces ignored).
    /// Refused: bad syntax, invisible characters anywhere (zero-width joiners, bidi
    /// controls: two such addresses would look identical), a domain IDNA rejects.
    pub fn parse(raw: &str) -> Result<Email, InvalidEmail> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > 4 * MAX_LEN {
            return Err(InvalidEmail);
        }
        let shown = nfkc(trimmed);
        if shown.len() > MAX_LEN || shown.chars().any(is_invisible) {
            return Err(InvalidEmail);
        }
        let options = Options::default().without_display_text();
        EmailAddress::parse_with_options(&shown, options).map_err(|_| InvalidEmail)?;
        let key = identity::key(&shown).ok_or(InvalidEmail)?;
        Ok(Email { shown, key })
    }

    /// The address as typed (in NFKC).
    pub fn as_str(&self) -> &str {
        &self.shown
    }

    /// The lookup key: one per account, whatever the spelling (`Alice@x`, `alice@x`,
    /// `ａｌｉｃｅ@x`).
    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// The confusable skeletons this address reserves (UTS #39): another account
    /// sharing any of them would look like this one.
    pub fn skeletons(&self) -> Vec<String> {
        identity::skeletons(&self.shown, &self.key)
    }

    /// The part before `@`, a context word the password policy refuses.
    pub fn local_part(&self) -> &str {
        self.shown
            .rsplit_once('@')
            .map_or(&*self.shown, |(local, _)| local)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.shown)
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.shown)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Email::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_differing_in_case_share_a_key() {
        let a = Email::parse("Alice@Example.com").unwrap();
        let b = Email::parse(" alice@example.com ").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.local_part(), "Alice");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for raw in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "Alice <a@b.c>",
            "a b@c.d",
        ] {
            assert_eq!(Email::parse(raw), Err(InvalidEmail), "{raw:?}");
        }
        assert!(Email::parse(&format!("{}@x.io", "a".repeat(260))).is_err());
    }
}
