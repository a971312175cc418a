//! A forward-auth target's path, decoded to the one reading every upstream shares,
//! or refused.
//!
//! Rules match the decoded path, so they hold only if the app behind the proxy reads
//! the same segments. Servers disagree in well-known places, and each is refused
//! here, in any spelling (raw or percent-encoded, any letter case of the escape):
//!
//! | refused | read differently by |
//! |---|---|
//! | empty segment `//`, dot segment `.` `..` | proxies that merge slashes, apps that resolve dots |
//! | encoded `/` `\` `?` `#`, `\`, control characters | anything that decodes before it splits |
//! | `;` | Tomcat, Jetty, Spring: `/admin;x=1/y` is `/admin/y`, `..;` is `..` |
//! | an encoded `%` (`%25`) | servers that decode twice: `/%2561dmin` is `/admin` |
//! | a segment ending in `.` or white space | Windows, IIS, .NET trim them: `/admin./` is `/admin/` |
//! | `::`, `:$` or a final `:` | NTFS streams: `/admin::$DATA` is `/admin` |
//! | `~` then a digit | 8.3 short names: `/ADMINI~1/` is `/administration/` |
//! | a segment starting `(X(` | ASP.NET cookieless sessions: `/(S(id))/admin` is `/admin` |
//! | bytes that are not UTF-8 | overlong forms (`%c0%ae` as `.`) in lenient decoders |
//!
//! A stray `%` (not followed by two hex digits) is refused too, which covers IIS's
//! `%u0061`. Compatibility characters (fullwidth `ａ`, `／`, `．`, ligatures) are
//! folded to what they stand for by some upstreams (NFKC, Windows "best fit"), so the
//! NFKC form of each segment must pass the same checks, and when it differs it is a
//! second reading that rules are matched against as well (see `rules`).

use percent_encoding::percent_decode_str;
use unicode_normalization::UnicodeNormalization;

/// The readings of a path that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readings {
    /// Percent-decoded once: what the app sees.
    pub path: String,
    /// The NFKC form, when it differs from `path`.
    pub folded: Option<String>,
}

/// Decodes `raw` (a path without query, starting with `/`), or says why it is
/// ambiguous.
pub fn decode(raw: &str) -> Result<Readings, &'static str> {
    let segments: Vec<&str> = raw.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    let mut path = String::with_capacity(raw.len());
    let mut folded = String::new();
    let mut differs = false;
    for (i, segment) in segments.iter().enumerate() {
        if segment.is_empty() && i != last {
            return Err("empty path segment");
        }
        let text = decode_segment(segment)?;
        check(&text)?;
        path.push('/');
        path.push_str(&text);
        folded.push('/');
        if text.is_ascii() {
            folded.push_str(&text);
        } else {
            let nfkc: String = text.nfkc().collect();
            check(&nfkc)?;
            differs |= nfkc != text;
            folded.push_str(&nfkc);
        }
    }
    Ok(Readings {
        path,
        folded: differs.then_some(folded),
    })
}

/// One raw segment, percent-decoded once; escapes must be whole and the result UTF-8.
fn decode_segment(segment: &str) -> Result<String, &'static str> {
    let bytes = segment.as_bytes();
    let whole = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !whole {
        return Err("stray %");
    }
    percent_decode_str(segment)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| "path is not UTF-8")
}

/// What every reading of a decoded segment must satisfy (module documentation).
fn check(segment: &str) -> Result<(), &'static str> {
    if segment == "." || segment == ".." {
        return Err("dot segment");
    }
    if segment.contains(['/', '\\', '?', '#']) || segment.chars().any(char::is_control) {
        return Err("encoded separator or control character");
    }
    if segment.contains(';') {
        return Err("path parameter (;)");
    }
    if segment.contains('%') {
        return Err("encoded % (double encoding)");
    }
    if segment.ends_with('.') || segment.ends_with(char::is_whitespace) {
        return Err("segment ends with a dot or white space");
    }
    if segment.contains("::") || segment.contains(":$") || segment.ends_with(':') {
        return Err("NTFS stream name");
    }
    let bytes = segment.as_bytes();
    if bytes
        .windows(2)
        .any(|w| w[0] == b'~' && w[1].is_ascii_digit())
    {
        return Err("8.3 short name (~ and a digit)");
    }
    if let [b'(', letter, b'(', ..] = bytes
        && letter.is_ascii_alphabetic()
    {
        return Err("ASP.NET cookieless session segment");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_has_one_reading() {
        let readings = decode("/a%20b/caf%C3%A9/Special:Random/~alice/").unwrap();
        assert_eq!(readings.path, "/a b/café/Special:Random/~alice/");
        assert_eq!(readings.folded, None);
    }

    #[test]
    fn compatibility_characters_add_their_folded_reading() {
        let readings = decode("/%EF%BD%81dmin/%E2%91%A0").unwrap();
        assert_eq!(readings.path, "/ａdmin/①");
        assert_eq!(readings.folded.as_deref(), Some("/admin/1"));
        let decomposed = decode("/cafe%CC%81").unwrap();
        assert_eq!(decomposed.folded.as_deref(), Some("/café"));
    }

    #[test]
    fn every_ambiguous_class_is_refused_with_its_reason() {
        for (raw, reason) in [
            ("//x", "empty path segment"),
            ("/%2E%2e/x", "dot segment"),
            ("/a%3fb", "encoded separator or control character"),
            ("/a%23b", "encoded separator or control character"),
            ("/a%C2%85", "encoded separator or control character"),
            ("/a;b", "path parameter (;)"),
            ("/a%3Bb", "path parameter (;)"),
            ("/%2561", "encoded % (double encoding)"),
            ("/a%u0061", "stray %"),
            ("/a%C2%A0", "segment ends with a dot or white space"),
            ("/a%E3%80%80", "segment ends with a dot or white space"),
            ("/a...", "segment ends with a dot or white space"),
            ("/a:", "NTFS stream name"),
            ("/a::$DATA", "NTFS stream name"),
            ("/a:$I30:$INDEX_ALLOCATION", "NTFS stream name"),
            ("/PROGRA~1", "8.3 short name (~ and a digit)"),
            ("/(A(x)S(y))", "ASP.NET cookieless session segment"),
            ("/%C0%AE", "path is not UTF-8"),
            ("/%EF%BC%8Fadmin", "encoded separator or control character"),
            ("/%EF%BC%8E%EF%BC%8E", "dot segment"),
            ("/a%EF%BC%9Bb", "path parameter (;)"),
            ("/a%EF%BC%85", "encoded % (double encoding)"),
            ("/a%EF%BD%9E1", "8.3 short name (~ and a digit)"),
        ] {
            assert_eq!(decode(raw), Err(reason), "{raw}");
        }
    }
}
