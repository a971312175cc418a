//! Unicode character classes and the caseless form shared by the email and password
//! rules. Every property comes from the Unicode data in `icu_properties`,
//! `icu_casemap` and `unicode-normalization`; nothing here is a hand-made table.

use icu_casemap::CaseMapper;
use icu_properties::props::{DefaultIgnorableCodePoint, GeneralCategory, GeneralCategoryGroup};
use icu_properties::{CodePointMapData, CodePointSetData};
use unicode_normalization::UnicodeNormalization;

/// NFKC: compatibility forms (fullwidth letters, ligatures, superscripts, the
/// mathematical alphabets) become the ordinary characters they stand for.
pub fn nfkc(text: &str) -> String {
    text.nfkc().collect()
}

/// The compatibility caseless form: NFKC, then full case folding (so `ß` becomes
/// `ss` and `ﬀ` becomes `ff`, which plain lower-casing does not do), then NFKC again
/// because folding can leave a string that is no longer normalised.
pub fn caseless(text: &str) -> String {
    let folded = CaseMapper::new().fold_string(&nfkc(text)).into_owned();
    nfkc(&folded)
}

/// Characters that draw nothing and take no space: controls, format characters
/// (zero-width space and joiners, bidi controls, soft hyphen) and the other default
/// ignorable code points (variation selectors, Hangul fillers).
pub fn is_invisible(c: char) -> bool {
    let category = GeneralCategoryGroup::from(CodePointMapData::<GeneralCategory>::new().get(c));
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
        || category == GeneralCategoryGroup::Control
        || category == GeneralCategoryGroup::Format
}

/// A character a person sees as a character of its own: a letter, digit,
/// punctuation mark or symbol. Whitespace, invisible characters, combining marks on
/// their own, private-use and unassigned code points are not.
pub fn is_visible(c: char) -> bool {
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    let visible = GeneralCategoryGroup::Letter.contains(category)
        || GeneralCategoryGroup::Number.contains(category)
        || GeneralCategoryGroup::Punctuation.contains(category)
        || GeneralCategoryGroup::Symbol.contains(category);
    visible && !CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

/// Letters and the marks that belong to them (vowel signs, accents): what is left
/// of a word once digits, punctuation, symbols and spaces are stripped.
pub fn is_letter(c: char) -> bool {
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    (GeneralCategoryGroup::Letter.contains(category)
        || GeneralCategoryGroup::Mark.contains(category))
        && !CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caseless_folds_width_ligatures_and_sharp_s() {
        assert_eq!(caseless("ＦＩＯＮＡ"), "fiona");
        assert_eq!(caseless("ﬁona"), "fiona");
        assert_eq!(caseless("Straße"), "strasse");
        assert_eq!(caseless("ΣΊΣΥΦΟΣ"), caseless("σίσυφος"));
        for text in ["ＦＩＯＮＡ", "Straße", "İstanbul", "ǅemal"] {
            assert_eq!(caseless(&caseless(text)), caseless(text), "{text}");
        }
    }

    #[test]
    fn invisible_characters_are_recognised() {
        for c in [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{202E}',
            '\u{FE0F}', '\u{3164}', '\u{0000}', '\u{007F}',
        ] {
            assert!(is_invisible(c), "U+{:04X}", c as u32);
            assert!(!is_visible(c), "U+{:04X}", c as u32);
        }
        for c in ['a', 'я', '字', '5', '!', '€', '😀'] {
            assert!(!is_invisible(c) && is_visible(c), "{c}");
        }
        for c in [' ', '\u{3000}', '\u{00A0}', '\u{0301}', '\u{E000}'] {
            assert!(!is_visible(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn letters_keep_their_marks_and_drop_everything_else() {
        let word: String = "नमस्ते, 2024!".chars().filter(|&c| is_letter(c)).collect();
        assert_eq!(word, "नमस्ते");
        assert!(!is_letter('7') && !is_letter('-') && !is_letter(' '));
    }
}
