//! Passwords an attacker tries first although they are long enough (NIST 800-63B
//! §3.1.1.2): derivatives of context words, repetitive and sequential strings.
//!
//! Everything here looks at the password's *core*: NFKC, full case folding, and
//! without whitespace or invisible characters, so `P O R T C U L L I S`, `ＰＯＲＴ…`
//! and `a​a​a​a…` (zero-width spaces between) are what they look like.
//!
//! What zxcvbn is relied on for, on cores of up to 64 characters: keyboard
//! patterns (`qwertyuiop`, `zxcvbn`, keypad walks: its adjacency graphs), runs with
//! a constant step (`abcdefghijkl`, `13579`, `zyxw`), repeats of short units, and
//! context words in disguise (l33t `P0rtcull1s`, reversed `sillucTROP`: its user-input
//! dictionary). Two checks are our own because they must hold at any length: a
//! literal search for context words in the letters of the core, and whole-core
//! periodicity (`abcabcabc…`) found with the string's longest border.

use zxcvbn::matching::patterns::MatchPattern;

use super::text::{caseless, is_letter};

/// Why a password of acceptable length is still guessable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// A context word with a little decoration.
    ContextWord,
    /// A short unit repeated (`aaaa…`, `abcabc…`).
    Repetitive,
    /// Runs and keyboard patterns (`abcd…`, `1234…`, `qwerty…`).
    Sequential,
}

/// Longest core zxcvbn analyses: its matching grows quickly with length, and a
/// password longer than this is not one pattern.
const ZXCVBN_MAX_CHARS: usize = 64;

/// Context words shorter than this count only when they are all the letters of
/// the password: a local part `al` must not ban every word containing "al".
const SHORT_WORD: usize = 3;

/// A password whose letters, once every context word is taken out, leave fewer
/// than this is a derivative of them (`Portcullis2024!`, `fiona.fiona.1990`).
const CONTEXT_REMAINDER: usize = 6;

/// A password at most this many characters away from being wholly covered by
/// repeats, runs and keyboard patterns is one of them (`aaaaaaaaaaa1`).
const PATTERN_SLACK: usize = 2;

/// The first flaw of `password`, checked against the product name and `context`
/// (the email's local part), or `None`.
pub fn flaw(password: &str, min_length: usize, context: &[&str]) -> Option<Flaw> {
    let core: Vec<char> = caseless(password)
        .chars()
        .filter(|&c| !c.is_whitespace() && !super::text::is_invisible(c))
        .collect();
    if core.is_empty() {
        return None;
    }
    let words = context_words(context);
    let analysed = (core.len() <= ZXCVBN_MAX_CHARS).then(|| {
        let text: String = core.iter().collect();
        let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
        zxcvbn::zxcvbn(&text, &inputs)
    });
    let sequence = analysed.as_ref().map_or(&[][..], |e| e.sequence());
    if is_context_derivative(&core, &words, sequence) {
        return Some(Flaw::ContextWord);
    }
    if period(&core).is_some_and(|unit| unit < min_length) {
        return Some(Flaw::Repetitive);
    }
    patterned(core.len(), sequence, min_length)
}

/// The product name and each word of the context, case-folded, digits and symbols
/// stripped: `Margaret.Hamilton42` gives `margaret`, `hamilton`, `margarethamilton`.
fn context_words(context: &[&str]) -> Vec<String> {
    let mut words = Vec::new();
    for raw in context.iter().chain(&["portcullis"]) {
        let folded = caseless(raw);
        let parts: Vec<String> = folded
            .split(|c: char| !is_letter(c))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if parts.len() > 1 {
            words.push(parts.concat());
        }
        words.extend(parts);
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.dedup();
    words
}

/// Whether the password's letters are the context words plus fewer than
/// [`CONTEXT_REMAINDER`] others.
fn is_context_derivative(core: &[char], words: &[String], sequence: &[zxcvbn::Match]) -> bool {
    let letters: Vec<usize> = (0..core.len()).filter(|&i| is_letter(core[i])).collect();
    let spelled: Vec<char> = letters.iter().map(|&i| core[i]).collect();
    let mut covered = vec![false; core.len()];
    for word in words {
        let word: Vec<char> = word.chars().collect();
        if word.len() < SHORT_WORD {
            if !spelled.is_empty() && spelled.chunks(word.len()).all(|c| c == word) {
                return true;
            }
            continue;
        }
        for start in 0..spelled.len().saturating_sub(word.len() - 1) {
            if spelled[start..start + word.len()] == word[..] {
                letters[start..start + word.len()]
                    .iter()
                    .for_each(|&i| covered[i] = true);
            }
        }
    }
    for found in sequence {
        if let MatchPattern::Dictionary(entry) = &found.pattern {
            let long = entry.matched_word.chars().count() >= SHORT_WORD;
            // zxcvbn counts characters after its own lower-casing: never trust a
            // span that does not fit the core.
            let span = covered.get_mut(found.i..=found.j);
            if let (true, Some(span)) = (long && words.contains(&entry.matched_word), span) {
                span.fill(true);
            }
        }
    }
    let left = letters.iter().filter(|&&i| !covered[i]).count();
    covered.contains(&true) && left < CONTEXT_REMAINDER
}

/// The length of the unit the whole core repeats (at least twice, a last partial
/// copy allowed), from the longest proper border (KMP failure function).
fn period(core: &[char]) -> Option<usize> {
    let mut border = vec![0usize; core.len()];
    for i in 1..core.len() {
        let mut k = border[i - 1];
        while k > 0 && core[i] != core[k] {
            k = border[k - 1];
        }
        if core[i] == core[k] {
            k += 1;
        }
        border[i] = k;
    }
    let unit = core.len() - border.last().copied().unwrap_or(0);
    (unit * 2 <= core.len()).then_some(unit)
}

/// Repetitive or sequential when zxcvbn's best reading of the core is repeats of
/// short units, runs and keyboard walks, give or take [`PATTERN_SLACK`] characters.
fn patterned(length: usize, sequence: &[zxcvbn::Match], min_length: usize) -> Option<Flaw> {
    let (mut repeated, mut runs) = (0, 0);
    for found in sequence {
        let span = (found.j + 1).saturating_sub(found.i).min(length);
        match &found.pattern {
            MatchPattern::Repeat(r) if r.base_token.chars().count() < min_length => {
                repeated += span;
            }
            MatchPattern::Sequence(_) | MatchPattern::Spatial(_) => runs += span,
            _ => {}
        }
    }
    if repeated + runs == 0 || repeated + runs + PATTERN_SLACK < length {
        return None;
    }
    Some(if repeated >= runs {
        Flaw::Repetitive
    } else {
        Flaw::Sequential
    })
}

#[cfg(test)]
mod tests;
