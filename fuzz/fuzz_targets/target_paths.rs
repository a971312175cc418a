//! Forward-auth target paths: a path Portcullis accepts must have one reading.
//!
//! Besides "never panic", three properties, each stated without Portcullis's code:
//! - the accepted reading is final: decoding it again changes nothing, and no
//!   segment carries what a server could strip or trim (`;`, a trailing dot or
//!   space, a stream name, an 8.3 name, a cookieless-session prefix);
//! - models of other servers (Tomcat/Spring, IIS/.NET, an NFKC-folding app) read the
//!   raw path as one of the readings Portcullis judged;
//! - under `deny ^/admin/` and `allow ^/public/`, no model reads `/admin/…` where
//!   Portcullis lets the request pass, and an allowed request is under `/public/` to
//!   every model.

use std::sync::OnceLock;

use percent_encoding::percent_decode_str;
use portcullis::authz::target::Target;
use portcullis::authz::{Decision, Rules};
use portcullis::config::{AccessRule, Policy};
use unicode_normalization::UnicodeNormalization;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let rule = |resource: &str, policy| AccessRule {
            domain: "app.example.com".into(),
            resources: vec![resource.into()],
            methods: Vec::new(),
            policy,
            groups: Vec::new(),
            max_auth_age: None,
        };
        Rules::compile(
            Policy::Authenticated,
            &[
                rule("^/admin/", Policy::Deny),
                rule("^/public/", Policy::Allow),
            ],
        )
        .expect("rules compile")
    })
}

/// `raw` (bytes after the first `/`) as both proxies' headers would carry it.
pub fn check(raw: &str) {
    let uri = format!("/{raw}");
    let nginx = Target::from_original(&format!("https://app.example.com{uri}"), "GET");
    let caddy = Target::from_forwarded("https", "app.example.com", &uri, "GET");
    let (Ok(target), Ok(other)) = (&nginx, &caddy) else {
        assert_eq!(
            nginx.is_ok(),
            caddy.is_ok(),
            "{uri:?}: {nginx:?} / {caddy:?}"
        );
        return;
    };
    assert_eq!(target.path, other.path);
    let raw_path = uri.split('?').next().unwrap_or_default();
    let readings: Vec<&str> = target.readings().collect();

    for reading in &readings {
        final_reading(reading, &uri);
    }
    assert_eq!(
        tomcat(raw_path).as_deref(),
        Some(target.path.as_str()),
        "{uri:?}"
    );
    let windows = iis(raw_path).map(|p| p.to_lowercase());
    assert_eq!(windows, Some(target.path.to_lowercase()), "{uri:?}");
    let folded = target.folded.as_deref().unwrap_or(&target.path);
    assert_eq!(nfkc(raw_path).as_deref(), Some(folded), "{uri:?}");

    let decision = rules().decide(target, None);
    let models = [tomcat(raw_path), iis(raw_path), nfkc(raw_path)];
    for model in models.iter().flatten() {
        if model.to_lowercase().starts_with("/admin/") {
            assert_eq!(decision, Decision::Forbid, "{uri:?} is {model:?} upstream");
        }
        if decision == Decision::Allow {
            assert!(
                model.starts_with("/public/"),
                "{uri:?} allowed as {model:?}"
            );
        }
    }
}

/// Nothing in an accepted reading is left for another server to decode or trim.
fn final_reading(reading: &str, uri: &str) {
    let again = percent_decode_str(reading).decode_utf8_lossy();
    assert_eq!(again, reading, "{uri:?} decodes twice");
    assert!(!reading.contains('%'), "{uri:?}");
    let segments: Vec<&str> = reading.split('/').skip(1).collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        assert!(!segment.is_empty() || last, "{uri:?}: empty segment");
        assert!(!matches!(*segment, "." | ".."), "{uri:?}: dot segment");
        assert!(
            !segment.contains([';', '\\', '?', '#']),
            "{uri:?}: {segment:?}"
        );
        assert!(!segment.chars().any(char::is_control), "{uri:?}");
        assert!(
            !segment.ends_with(|c: char| c == '.' || c.is_whitespace()),
            "{uri:?}: {segment:?} would be trimmed"
        );
        assert!(
            !segment.contains("::") && !segment.contains(":$"),
            "{uri:?}"
        );
        assert!(!segment.ends_with(':'), "{uri:?}");
        let tilde_digit = segment
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'~' && w[1].is_ascii_digit());
        assert!(!tilde_digit, "{uri:?}: 8.3 short name");
        let cookieless = segment.as_bytes().get(..3).is_some_and(|head| {
            head[0] == b'(' && head[1].is_ascii_alphabetic() && head[2] == b'('
        });
        assert!(!cookieless, "{uri:?}: cookieless session");
    }
}

/// Removes dot segments and merges empty ones, as a server that resolves them does.
fn resolve<S: AsRef<str>>(segments: &[S]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match segment.as_ref() {
            "." | ".." if last => {
                if segment.as_ref() == ".." {
                    out.pop();
                }
                out.push("");
            }
            "." => {}
            ".." => {
                out.pop();
            }
            "" if !last => {}
            other => out.push(other),
        }
    }
    format!("/{}", out.join("/"))
}

/// Tomcat and Spring: path parameters cut from each segment, before and after
/// decoding, then dot segments resolved.
fn tomcat(raw: &str) -> Option<String> {
    let segments: Option<Vec<String>> = raw
        .split('/')
        .skip(1)
        .map(|segment| {
            let segment = segment.split(';').next().unwrap_or_default();
            let decoded = percent_decode_str(segment).decode_utf8().ok()?;
            Some(decoded.split(';').next().unwrap_or_default().to_owned())
        })
        .collect();
    Some(resolve(&segments?))
}

/// IIS and .NET: decoded twice (with `%uXXXX`), `\` as `/`, trailing dots and spaces
/// and stream names dropped from each segment, dot segments resolved.
fn iis(raw: &str) -> Option<String> {
    let once = percent_decode_str(raw).decode_utf8().ok()?;
    let twice = percent_decode_str(&iis_unicode_escapes(&once))
        .decode_utf8()
        .ok()?
        .replace('\\', "/");
    let segments: Vec<&str> = twice
        .split('/')
        .skip(1)
        .map(|segment| {
            let segment = main_stream(segment);
            segment.trim_end_matches(|c: char| c == '.' || c.is_whitespace())
        })
        .collect();
    Some(resolve(&segments))
}

/// NTFS names for a file's or directory's own contents: `x::$DATA`,
/// `x:$I30:$INDEX_ALLOCATION`, `x::$INDEX_ALLOCATION`, `x:`.
fn main_stream(segment: &str) -> &str {
    let lower = segment.to_ascii_lowercase();
    for suffix in [
        "::$data",
        ":$i30:$index_allocation",
        "::$index_allocation",
        ":",
    ] {
        if lower.ends_with(suffix) {
            return &segment[..segment.len() - suffix.len()];
        }
    }
    segment
}

/// IIS's `%uXXXX`, for the model only.
fn iis_unicode_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let next = |rest: &str| {
        rest.match_indices('%')
            .map(|(at, _)| at)
            .find(|&at| matches!(rest.as_bytes().get(at + 1), Some(b'u' | b'U')))
    };
    while let Some(at) = next(rest) {
        out.push_str(&rest[..at]);
        let hex = rest.get(at + 2..at + 6);
        let decoded = hex
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 6..];
            }
            None => {
                out.push_str(&rest[at..at + 2]);
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An app that NFKC-normalises the decoded path, then resolves it.
fn nfkc(raw: &str) -> Option<String> {
    let decoded = percent_decode_str(raw).decode_utf8().ok()?;
    let folded: String = decoded.nfkc().collect();
    let segments: Vec<&str> = folded.split('/').skip(1).collect();
    Some(resolve(&segments))
}
