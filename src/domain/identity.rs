//! Which spellings of an email address are one account, and which different
//! addresses look too much alike to belong to two accounts (SPEC §3, issue 15).
//!
//! - **The key** (one per account, what login looks up): the local part in its
//!   compatibility caseless form ([`caseless`]: NFKC, full case folding, NFKC), `@`,
//!   the domain as IDNA turns it into ASCII (UTS #46, strict STD3 rules, DNS
//!   lengths). So `ＦＩＯＮＡ@ｅｘａｍｐｌｅ.com`, `ﬁona@Example.COM`, `fiona@bücher.example` and
//!   `fiona@xn--bcher-kva.example` each meet their twin. Full folding makes `ß` and
//!   `ss` one key on purpose: they are one word to a German reader, a person types
//!   either, and merging can only refuse a second account (409), never open one
//!   without its password. `+tags` and dots are kept: `fiona+news@` is its own
//!   mailbox at most providers, and folding them would merge real accounts.
//! - **The skeletons** (UTS #39 confusable detection): an account also reserves two
//!   skeletons of its address, both with the domain in Unicode: one of the key
//!   (folding first catches `FІONA@` with a Cyrillic capital), one of the spelling
//!   shown, folded and taken again (folding after catches `ΑΒΕ@` in Greek capitals
//!   beside `abe@`, and `aIice@` beside `alice@`). Another address sharing either
//!   is refused as taken: `fіona@` (Cyrillic і), `fıona@` (dotless ı),
//!   `fiοna@` (Greek ο), `fiona@exаmple.com` or its `xn--` form, `aIice@` beside
//!   `alice@`. Being confusable only stops registration: login goes by key alone,
//!   so a look-alike never opens the account it imitates.

use unicode_security::skeleton;

use super::text::caseless;

/// The lookup key of an address already checked for syntax, or `None` when its
/// domain is not a valid internationalised domain name.
pub fn key(address: &str) -> Option<String> {
    let (local, domain) = address.rsplit_once('@')?;
    Some(format!("{}@{}", caseless(local), ascii_domain(domain)?))
}

/// The confusable skeletons an address reserves, from its shown spelling and its
/// key (see the module notes); one or two distinct strings.
pub fn skeletons(shown: &str, key: &str) -> Vec<String> {
    let (Some((shown_local, _)), Some((key_local, domain))) =
        (shown.rsplit_once('@'), key.rsplit_once('@'))
    else {
        return Vec::new();
    };
    let domain = unicode_domain(domain);
    let folded: String = skeleton(&format!("{key_local}@{domain}")).collect();
    let seen: String = skeleton(&format!("{shown_local}@{domain}")).collect();
    let seen: String = skeleton(&caseless(&seen)).collect();
    let mut all = vec![folded, seen];
    all.dedup();
    all
}

/// The domain in ASCII: a bracketed address literal (`[192.0.2.1]`) lower-cased,
/// otherwise UTS #46 ToASCII. A trailing dot, an empty label, a label over 63 bytes
/// or bad Punycode make it `None`.
fn ascii_domain(domain: &str) -> Option<String> {
    if domain.starts_with('[') {
        return Some(domain.to_ascii_lowercase());
    }
    idna::domain_to_ascii_strict(domain).ok()
}

/// The domain as people read it (ToUnicode of its ASCII form), so an `xn--` label
/// and its Unicode spelling give one skeleton.
fn unicode_domain(ascii: &str) -> String {
    if ascii.starts_with('[') {
        return ascii.to_owned();
    }
    idna::domain_to_unicode(ascii).0
}

#[cfg(test)]
mod tests {
    use crate::domain::Email;

    fn key(raw: &str) -> String {
        Email::parse(raw)
            .unwrap_or_else(|_| panic!("{raw:?} parses"))
            .key()
    }

    fn confusable(a: &str, b: &str) -> bool {
        let (a, b) = (Email::parse(a).unwrap(), Email::parse(b).unwrap());
        a.skeletons().iter().any(|s| b.skeletons().contains(s))
    }

    #[test]
    fn compatibility_forms_case_and_idna_spellings_share_the_key() {
        let plain = key("fiona@example.com");
        for twin in [
            "ｆｉｏｎａ@example.com",
            "ﬁona@example.com",
            "fiona@ｅｘａｍｐｌｅ.com",
            "ＦＩＯＮＡ＠ＥＸＡＭＰＬＥ．ＣＯＭ",
            "FIONA@Example.COM",
            "𝐟𝐢𝐨𝐧𝐚@example.com",
        ] {
            assert_eq!(key(twin), plain, "{twin}");
        }
        assert_eq!(
            key("fiona@bücher.example"),
            key("fiona@xn--bcher-kva.example")
        );
        assert_eq!(key("fiona@BÜCHER.example"), "fiona@xn--bcher-kva.example");
        assert_eq!(key("Straße@example.de"), key("STRASSE@example.de"));
    }

    #[test]
    fn the_key_is_stable_under_its_own_rules() {
        for raw in [
            "ＦＩＯＮＡ@ｅｘａｍｐｌｅ.com",
            "Straße@bücher.example",
            "İlkay@x.tr",
        ] {
            let once = key(raw);
            assert_eq!(super::key(&once).as_deref(), Some(&*once), "{raw}");
        }
    }

    #[test]
    fn the_spelling_shown_parses_back_to_the_same_account() {
        for raw in [
            "ＦＩＯＮＡ@ｅｘａｍｐｌｅ.com",
            "ﬁona@bücher.example",
            "Straße@Example.DE",
            "\"quoted local\"@example.com",
            "fiona@[192.0.2.1]",
        ] {
            let email = Email::parse(raw).unwrap();
            let again = Email::parse(email.as_str()).unwrap();
            assert_eq!(again.key(), email.key(), "{raw}");
            assert_eq!(again.skeletons(), email.skeletons(), "{raw}");
            assert!(!email.skeletons().is_empty());
        }
    }

    #[test]
    fn tags_dots_and_different_letters_stay_different_accounts() {
        let plain = key("fiona@example.com");
        for other in [
            "fiona+news@example.com",
            "fi.ona@example.com",
            "fiona@example.org",
            "fіona@example.com",
            "fıona@example.com",
            "fiοna@example.com",
        ] {
            assert_ne!(key(other), plain, "{other}");
        }
    }

    #[test]
    fn homoglyphs_across_scripts_are_confusable() {
        let punycode = idna::domain_to_ascii("exаmple.com").unwrap();
        assert!(punycode.starts_with("xn--"));
        for twin in [
            "fіona@example.com".to_owned(), // Cyrillic і (U+0456)
            "fiоna@example.com".to_owned(), // Cyrillic о (U+043E)
            "fiοna@example.com".to_owned(), // Greek ο (U+03BF)
            "fıona@example.com".to_owned(), // dotless ı (U+0131)
            "FІONA@example.com".to_owned(), // Cyrillic capital І, folded
            "fiona@exаmple.com".to_owned(), // Cyrillic а in the domain
            format!("fiona@{punycode}"),    // the same domain as Punycode
        ] {
            assert!(confusable(&twin, "fiona@example.com"), "{twin}");
        }
        assert!(confusable("аррӏе@example.com", "apple@example.com"));
        assert!(confusable("ΑΒΕ@example.com", "abe@example.com"));
        assert!(confusable("aIice@example.com", "alice@example.com"));
        assert!(confusable("rnarie@example.com", "marie@example.com"));
    }

    #[test]
    fn unrelated_and_tagged_addresses_are_not_confusable() {
        for other in [
            "fiona+news@example.com",
            "fionna@example.com",
            "fiona@example.org",
            "ivan@example.com",
            "иван@example.com",
        ] {
            assert!(!confusable(other, "fiona@example.com"), "{other}");
        }
    }

    #[test]
    fn invisible_characters_and_bad_domains_are_refused() {
        for raw in [
            "fi\u{200D}ona@example.com",
            "fi\u{200C}ona@example.com",
            "fi\u{200B}ona@example.com",
            "fi\u{00AD}ona@example.com",
            "\"fi\u{200D}ona\"@example.com",
            "\"fi\u{202E}ona\"@example.com",
            "fiona@exa\u{200B}mple.com",
            "fiona@example.com.",
            "fiona@example..com",
            "fiona@xn--zz.com",
            "fiona@-example.com",
            "fiona@ex_ample.com",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn the_spelling_shown_is_the_typed_one_in_compatibility_normal_form() {
        assert_eq!(
            Email::parse(" Fiona@Example.com ").unwrap().as_str(),
            "Fiona@Example.com"
        );
        assert_eq!(
            Email::parse("ｆｉｏｎａ@example.com").unwrap().as_str(),
            "fiona@example.com"
        );
        assert_eq!(
            Email::parse("fiona@xn--bcher-kva.example")
                .unwrap()
                .as_str(),
            "fiona@xn--bcher-kva.example"
        );
    }
}
