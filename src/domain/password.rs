//! Passwords as typed by a user: never logged (`Debug` is redacted), never truncated,
//! refused above 1024 bytes before anything hashes them (SPEC §1, §8).

use std::fmt;

use serde::{Deserialize, Deserializer};
use zxcvbn::feedback::Warning;

/// Longest accepted password, in bytes; longer input is refused before hashing.
pub const MAX_BYTES: usize = 1024;

/// A password of at most [`MAX_BYTES`] bytes. Policy (minimum length, context words)
/// is checked separately with [`check_policy`], because logins must accept passwords
/// set under an older, weaker policy.
#[derive(Clone)]
pub struct Password(String);

/// Why a password cannot be used; the message is shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    /// Shorter than `password_min_length` code points.
    #[error("Use at least {0} characters.")]
    TooShort(usize),
    /// Longer than [`MAX_BYTES`].
    #[error("Use at most {MAX_BYTES} bytes.")]
    TooLong,
    /// The same as the email's local part or the product name.
    #[error("Do not use your email address or the name of this site as your password.")]
    ContextWord,
    /// In the list of passwords most often found in breaches.
    #[error("This password is one of the most common passwords; choose another.")]
    Common,
}

impl Password {
    /// Accepts any string up to [`MAX_BYTES`] bytes.
    pub fn new(raw: impl Into<String>) -> Result<Password, WeakPassword> {
        let raw = raw.into();
        if raw.len() > MAX_BYTES {
            return Err(WeakPassword::TooLong);
        }
        Ok(Password(raw))
    }

    /// The secret itself, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// NIST 800-63B style checks for a new password: length in code points, and not one
/// of the context words. No composition rules.
pub fn check_policy(
    password: &Password,
    min_length: usize,
    context: &[&str],
) -> Result<(), WeakPassword> {
    if password.0.chars().count() < min_length {
        return Err(WeakPassword::TooShort(min_length));
    }
    let lowered = password.0.to_lowercase();
    let is_context = context
        .iter()
        .chain(&["portcullis"])
        .any(|word| !word.is_empty() && lowered == word.to_lowercase());
    if is_context {
        return Err(WeakPassword::ContextWord);
    }
    if is_common(&password.0) {
        return Err(WeakPassword::Common);
    }
    Ok(())
}

/// Longest password worth looking up: the blocklist has nothing longer, and zxcvbn's
/// matching grows quickly with length.
const BLOCKLIST_MAX_CHARS: usize = 64;

/// Whether zxcvbn finds the password in (or one disguise away from) its
/// breach-derived list of about 30 000 common passwords: it warns exactly then.
fn is_common(password: &str) -> bool {
    if password.chars().count() > BLOCKLIST_MAX_CHARS {
        return false;
    }
    let warning = zxcvbn::zxcvbn(password, &[])
        .feedback()
        .and_then(|f| f.warning());
    matches!(
        warning,
        Some(
            Warning::ThisIsATop10Password
                | Warning::ThisIsATop100Password
                | Warning::ThisIsACommonPassword
                | Warning::ThisIsSimilarToACommonlyUsedPassword
        )
    )
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Password::new(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_counts_code_points_not_bytes() {
        let accented = Password::new("é".repeat(12)).unwrap();
        assert_eq!(check_policy(&accented, 12, &[]), Ok(()));
        let short = Password::new("é".repeat(11)).unwrap();
        assert_eq!(
            check_policy(&short, 12, &[]),
            Err(WeakPassword::TooShort(12))
        );
    }

    #[test]
    fn over_1024_bytes_is_refused_and_never_truncated() {
        assert_eq!(
            Password::new("a".repeat(1025)).unwrap_err(),
            WeakPassword::TooLong
        );
        assert_eq!(
            Password::new("a".repeat(1024)).unwrap().expose().len(),
            1024
        );
    }

    #[test]
    fn context_words_are_refused() {
        let mine = Password::new("Alice.Liddell.1865").unwrap();
        assert_eq!(
            check_policy(&mine, 12, &["alice.liddell.1865"]),
            Err(WeakPassword::ContextWord)
        );
        let product = Password::new("PortCullis").unwrap();
        assert_eq!(
            check_policy(&product, 4, &[]),
            Err(WeakPassword::ContextWord)
        );
    }

    #[test]
    fn common_passwords_are_refused_in_any_disguise() {
        for common in ["qwerty123456", "LeaveMeAlone", "enolaemevael"] {
            let password = Password::new(common).unwrap();
            assert_eq!(
                check_policy(&password, 12, &[]),
                Err(WeakPassword::Common),
                "{common}"
            );
        }
        let fine = Password::new("leave me alone, my dear portcullis").unwrap();
        assert_eq!(check_policy(&fine, 12, &[]), Ok(()));
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let secret = Password::new("correct horse battery").unwrap();
        assert!(!format!("{secret:?}").contains("horse"));
    }
}
