//! Targets already parsed, keyed by the raw bytes of the forwarding headers.
//!
//! A proxy asks about the same few URLs over and over (every request to every app
//! behind it), and parsing one strictly ([`super::target`]: percent-decoding, the
//! ambiguity checks, NFKC, `url::Url`) was the largest part of forward auth's cost
//! (docs/BENCHMARKS.md). A target is a pure function of those header bytes, so the
//! same bytes always parse to the same target and the same login URL: a hit skips
//! the parse and nothing else. Who asks, and what the rules say about them, is
//! still decided on every request.
//!
//! The keys are chosen by whoever sends requests through the proxy, so the cache is
//! bounded in entries and in bytes, keys longer than [`MAX_KEY`] are never kept, and
//! keys are hashed with std's randomly keyed SipHash (no chosen collisions). It
//! holds two generations: when the current one is full it becomes the previous one
//! and the older is dropped, and a hit in the previous generation moves the entry
//! forward — so a flood of new URLs costs at most the memory bound, and the targets
//! still in use survive it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use super::target::{Target, TargetError};
use crate::config::Config;

/// The longest key (the header values joined) that is kept.
pub const MAX_KEY: usize = 1024;
/// Entries in one generation.
const ENTRIES: usize = 4096;
/// Bytes of keys and parsed values in one generation, roughly.
const BYTES: usize = 2 << 20;

/// A parsed target and, once asked for, where to send someone who must log in.
#[derive(Debug)]
pub struct Known {
    /// The parsed target.
    pub target: Target,
    login: OnceLock<String>,
}

impl Known {
    /// Wraps a freshly parsed target.
    pub fn new(target: Target) -> Known {
        Known {
            target,
            login: OnceLock::new(),
        }
    }

    /// `<public_url>/login?rd=<the original URL, percent-encoded>`, built once.
    pub fn login(&self, config: &Config) -> &str {
        self.login.get_or_init(|| {
            let base = config.public_url.as_str().trim_end_matches('/');
            let url = self.target.url.as_str().as_bytes();
            let mut login = String::with_capacity(base.len() + 10 + url.len() * 3 / 2);
            login.push_str(base);
            login.push_str("/login?rd=");
            login.extend(url::form_urlencoded::byte_serialize(url));
            login
        })
    }

    /// What the entry holds, for the byte bound (the login URL counted ahead).
    fn size(&self, key: &[u8]) -> usize {
        let t = &self.target;
        let parts = t.url.as_str().len() * 3 + t.host.len() + t.path.len() + t.method.len();
        key.len() + parts + t.folded.as_ref().map_or(0, String::len) + 256
    }
}

#[derive(Default)]
struct Generation {
    entries: HashMap<Box<[u8]>, Arc<Known>>,
    bytes: usize,
}

impl Generation {
    fn full(&self) -> bool {
        self.entries.len() >= ENTRIES || self.bytes >= BYTES
    }
}

/// The cache, one per server (Rocket state).
#[derive(Default)]
pub struct TargetCache {
    /// The current generation, then the previous one.
    generations: RwLock<[Generation; 2]>,
}

impl TargetCache {
    /// The target the header values `parts` describe: from the cache, or parsed by
    /// `parse` (and kept, if it parsed and the key is short enough). Refusals are
    /// never kept.
    pub fn get_or_parse(
        &self,
        parts: &[&str],
        parse: impl FnOnce() -> Result<Target, TargetError>,
    ) -> Result<Arc<Known>, TargetError> {
        let mut buffer = [0u8; MAX_KEY];
        let Some(key) = join(&mut buffer, parts) else {
            return parse().map(|target| Arc::new(Known::new(target)));
        };
        let previous = {
            let generations = self.generations.read().unwrap_or_else(|e| e.into_inner());
            if let Some(known) = generations[0].entries.get(key) {
                return Ok(known.clone());
            }
            generations[1].entries.get(key).cloned()
        };
        let known = match previous {
            Some(known) => known,
            None => Arc::new(Known::new(parse()?)),
        };
        self.insert(key, known.clone());
        Ok(known)
    }

    fn insert(&self, key: &[u8], known: Arc<Known>) {
        let mut generations = self.generations.write().unwrap_or_else(|e| e.into_inner());
        if generations[0].full() {
            generations[1] = std::mem::take(&mut generations[0]);
        }
        let current = &mut generations[0];
        current.bytes += known.size(key);
        current.entries.insert(key.into(), known);
    }

    /// Entries and bytes held over both generations (for tests).
    #[cfg(test)]
    fn held(&self) -> (usize, usize) {
        let generations = self.generations.read().unwrap();
        let entries = generations.iter().map(|g| g.entries.len()).sum();
        (entries, generations.iter().map(|g| g.bytes).sum())
    }
}

/// `parts` joined by `\n` (which no header value holds) into `buffer`, or `None`
/// when that is longer than [`MAX_KEY`].
fn join<'b>(buffer: &'b mut [u8; MAX_KEY], parts: &[&str]) -> Option<&'b [u8]> {
    let mut len = 0;
    for (i, part) in parts.iter().enumerate() {
        let sep = usize::from(i > 0);
        let end = len + sep + part.len();
        if end > MAX_KEY {
            return None;
        }
        if sep == 1 {
            buffer[len] = b'\n';
        }
        buffer[len + sep..end].copy_from_slice(part.as_bytes());
        len = end;
    }
    Some(&buffer[..len])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> impl FnOnce() -> Result<Target, TargetError> + '_ {
        move || Target::from_original(url, "GET")
    }

    #[test]
    fn the_same_bytes_parse_once() {
        let cache = TargetCache::default();
        let url = "https://app.example.com/docs?x=1";
        let first = cache.get_or_parse(&["o", url, "GET"], parse(url)).unwrap();
        let again = cache
            .get_or_parse(&["o", url, "GET"], || panic!("parsed twice"))
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(again.target.path, "/docs");
    }

    #[test]
    fn different_bytes_are_different_keys() {
        let cache = TargetCache::default();
        let a = cache
            .get_or_parse(
                &["o", "https://a.example.com/x", "GET"],
                parse("https://a.example.com/x"),
            )
            .unwrap();
        let b = cache
            .get_or_parse(&["o", "https://a.example.com/x", "POST"], || {
                Target::from_original("https://a.example.com/x", "POST")
            })
            .unwrap();
        assert_eq!(
            (a.target.method.as_str(), b.target.method.as_str()),
            ("GET", "POST")
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        let mut one = [0u8; MAX_KEY];
        let mut two = [0u8; MAX_KEY];
        assert_ne!(join(&mut one, &["ab", "c"]), join(&mut two, &["a", "bc"]));
    }

    #[test]
    fn refusals_and_long_keys_are_not_kept() {
        let cache = TargetCache::default();
        let bad = "https://app.example.com/x/../admin";
        assert!(cache.get_or_parse(&["o", bad, "GET"], parse(bad)).is_err());
        let long = format!("https://app.example.com/{}", "a".repeat(MAX_KEY));
        let mut parses = 0;
        for _ in 0..2 {
            cache
                .get_or_parse(&["o", &long, "GET"], || {
                    parses += 1;
                    Target::from_original(&long, "GET")
                })
                .unwrap();
        }
        assert_eq!(parses, 2);
        assert_eq!(cache.held().0, 0);
    }

    #[test]
    fn a_flood_of_new_urls_stays_bounded_and_keeps_what_is_in_use() {
        let cache = TargetCache::default();
        let hot = "https://app.example.com/hot";
        cache.get_or_parse(&["o", hot, "GET"], parse(hot)).unwrap();
        for i in 0..5 * ENTRIES {
            let url = format!("https://h{i}.example.com/{}", "x".repeat(i % 700));
            cache
                .get_or_parse(&["o", &url, "GET"], parse(&url))
                .unwrap();
            let (entries, bytes) = cache.held();
            assert!(entries <= 2 * ENTRIES && bytes <= 2 * (BYTES + 8 * MAX_KEY));
            if i % 100 == 0 {
                cache
                    .get_or_parse(&["o", hot, "GET"], || panic!("the hot target was dropped"))
                    .unwrap();
            }
        }
    }

    #[test]
    fn the_login_url_carries_the_whole_target() {
        let target = Target::from_original("https://app.example.com/docs?x=1", "GET").unwrap();
        let known = Known::new(target);
        let login = "http://localhost:8000/login?rd=https%3A%2F%2Fapp.example.com%2Fdocs%3Fx%3D1";
        assert_eq!(known.login(&Config::default()), login);
    }
}
