//! Passwords as typed by a user: never logged (`Debug` is redacted), never truncated,
//! refused above 1024 bytes before anything hashes them (SPEC §1, §8), and the
//! policy a new one must meet (NIST 800-63B §3.1.1.2: length, no composition rules,
//! refused when it is common, a context-word derivative, repetitive or sequential,
//! or has nothing visible in it; each refusal says why).

use std::fmt;

use serde::{Deserialize, Deserializer};
use zxcvbn::feedback::Warning;

use super::guessable::{self, Flaw};
use super::text::{is_invisible, is_visible};

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
    /// Shorter than `password_min_length` code points (invisible ones not counted).
    #[error("Use at least {0} characters.")]
    TooShort(usize),
    /// Longer than [`MAX_BYTES`].
    #[error("Use at most {MAX_BYTES} bytes.")]
    TooLong,
    /// Only spaces, invisible characters (zero-width, format, control) or
    /// combining marks on their own.
    #[error(
        "Your password has no visible characters: use letters, digits or symbols, not only spaces or invisible characters."
    )]
    Invisible,
    /// Built from the email's local part or the product name, with at most a few
    /// other letters around it (digits and symbols do not count).
    #[error(
        "Do not use your email address or the name of this site in your password, even with digits or symbols added."
    )]
    ContextWord,
    /// A short unit repeated: `aaaaaaaaaaaa`, `abcabcabcabc`.
    #[error(
        "Avoid repeating a character or a short group of characters; a few unrelated words make a strong password."
    )]
    Repetitive,
    /// Alphabet, number or keyboard runs: `abcdefghijkl`, `123456789012`, `qwertyuiop`.
    #[error(
        "Avoid runs like abcd or 1234 and keyboard rows like qwerty; a few unrelated words make a strong password."
    )]
    Sequential,
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

/// NIST 800-63B checks for a new password, in this order: something visible, the
/// length in code points (default-ignorable ones such as zero-width spaces do not
/// count: they add nothing anyone could type or see), context words (`context` —
/// the email's local part — and "portcullis"), repetitive and sequential strings
/// ([`guessable`]), then the common-password blocklist. No composition rules.
pub fn check_policy(
    password: &Password,
    min_length: usize,
    context: &[&str],
) -> Result<(), WeakPassword> {
    if !password.0.chars().any(is_visible) {
        return Err(WeakPassword::Invisible);
    }
    if password.0.chars().filter(|&c| !is_invisible(c)).count() < min_length {
        return Err(WeakPassword::TooShort(min_length));
    }
    match guessable::flaw(&password.0, min_length, context) {
        Some(Flaw::ContextWord) => return Err(WeakPassword::ContextWord),
        Some(Flaw::Repetitive) => return Err(WeakPassword::Repetitive),
        Some(Flaw::Sequential) => return Err(WeakPassword::Sequential),
        None => {}
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
        let accented = Password::new("àéîõüçñåøæœß").unwrap();
        assert_eq!(accented.expose().len(), 24);
        assert_eq!(check_policy(&accented, 12, &[]), Ok(()));
        let short = Password::new("àéîõüçñåøæœ").unwrap();
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

    fn refusal(password: &str, context: &[&str]) -> Result<(), WeakPassword> {
        check_policy(&Password::new(password).unwrap(), 12, context)
    }

    #[test]
    fn the_passwords_of_issue_15_are_refused_with_their_reason() {
        let fiona = ["fiona.macleod"];
        for (password, reason) in [
            ("portcullis2024", WeakPassword::ContextWord),
            ("Portcullis123!", WeakPassword::ContextWord),
            ("fiona.macleod1990", WeakPassword::ContextWord),
            ("FionaMacleod!!", WeakPassword::ContextWord),
            ("            ", WeakPassword::Invisible),
            (&"\u{200B}".repeat(12), WeakPassword::Invisible),
            ("aaaaaaaaaaaa", WeakPassword::Repetitive),
            ("123456789012", WeakPassword::Sequential),
            ("abcdefghijkl", WeakPassword::Sequential),
            ("abcabcabcabc", WeakPassword::Repetitive),
        ] {
            assert_eq!(refusal(password, &fiona), Err(reason), "{password:?}");
        }
    }

    #[test]
    fn nothing_visible_is_refused_whatever_the_invisible_kind() {
        for invisible in [
            "\u{00A0}", "\u{3000}", "\t", "\n", "\u{2028}", "\u{200C}", "\u{200D}", "\u{2060}",
            "\u{FEFF}", "\u{00AD}", "\u{202E}", "\u{0301}", "\u{20DD}", "\u{FE0F}", "\u{3164}",
            "\u{0007}",
        ] {
            let password = invisible.repeat(16);
            assert_eq!(
                refusal(&password, &[]),
                Err(WeakPassword::Invisible),
                "{password:?}"
            );
        }
        let padded = format!("a{}", "\u{200B}".repeat(15));
        assert_eq!(refusal(&padded, &[]), Err(WeakPassword::TooShort(12)));
    }

    #[test]
    fn keyboard_walks_and_mixed_runs_are_refused_one_way_or_another() {
        for password in [
            "qwertyuiopas",
            "qazwsxedcrfvtgb",
            "zxcvbnm,./;'",
            "abcdef123456",
            "1qaz2wsx3edc",
        ] {
            assert!(refusal(password, &[]).is_err(), "{password}");
        }
    }

    #[test]
    fn good_passphrases_pass_the_whole_policy() {
        for password in [
            "correct horse battery staple",
            "Tomorrow we sail for Valparaíso at dawn",
            "мой кот любит спать на окне",
            "私の猫は窓辺で寝るのが好きです",
            "القطة تنام على النافذة كل يوم",
            "η γάτα μου κοιμάται στο παράθυρο",
            "מחר נשוט לים עם שחר",
            "x7#Qm!2vL9@pR4zW",
            "fiona grows wild thyme by the sea",
        ] {
            assert_eq!(refusal(password, &["fiona"]), Ok(()), "{password}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let secret = Password::new("correct horse battery").unwrap();
        assert!(!format!("{secret:?}").contains("horse"));
    }
}
