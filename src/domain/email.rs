//! Email addresses: validated once at the edge, unique case-insensitively (SPEC §3).

use std::fmt;

use email_address::{EmailAddress, Options};
use serde::{Deserialize, Deserializer, Serialize};

/// The longest address SMTP can carry (RFC 5321 path limit).
const MAX_LEN: usize = 254;

/// A syntactically valid email address, trimmed, without display text.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

/// Why a string is not an acceptable email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Enter a valid email address.")]
pub struct InvalidEmail;

impl Email {
    /// Parses a user-typed address (`Alice@Example.com`, surrounding spaces ignored).
    pub fn parse(raw: &str) -> Result<Email, InvalidEmail> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > MAX_LEN {
            return Err(InvalidEmail);
        }
        let options = Options::default().without_display_text();
        EmailAddress::parse_with_options(trimmed, options).map_err(|_| InvalidEmail)?;
        Ok(Email(trimmed.to_owned()))
    }

    /// The address as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lookup key: the whole address lower-cased, so `Alice@x` and `alice@x` are
    /// one account.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The part before `@`, a context word the password policy refuses.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or(&*self.0, |(local, _)| local)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
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
