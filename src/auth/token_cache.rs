//! A cache of tokens already found authentic, keyed by the exact bytes the client
//! presented (the encrypted cookie value, or the bearer token). Authenticity and the
//! claims of given bytes never change, so a hit skips the decryption — the cost of
//! the guard — while everything that can change (expiry against the clock, the user's
//! generation and enabled flag, the revoked set) is still checked on every request.
//!
//! Only authentic tokens enter, so a client cannot fill it with garbage; it is bounded
//! and simply emptied when full. Keys are hashed with foldhash, randomly seeded per
//! process: a few times faster than std's SipHash over a 300-byte token (measured
//! with `perf`, docs/BENCHMARKS.md), and the weaker flooding resistance does not
//! matter here, since a client cannot choose the keys that enter the map — each is
//! an authentic token carrying a random nonce and tag.

use std::sync::RwLock;

use foldhash::HashMap;

use crate::token::{TokenClaims, TokenKind};

/// Entries kept before the cache is emptied (a few tens of MB at most).
const CAPACITY: usize = 32_768;

/// Presented bytes → claims, one map per token kind.
#[derive(Default)]
pub(crate) struct TokenCache {
    browser: RwLock<HashMap<Box<str>, TokenClaims>>,
    api: RwLock<HashMap<Box<str>, TokenClaims>>,
}

impl TokenCache {
    fn map(&self, kind: TokenKind) -> &RwLock<HashMap<Box<str>, TokenClaims>> {
        match kind {
            TokenKind::Browser => &self.browser,
            TokenKind::Api => &self.api,
        }
    }

    /// The claims of `presented`, if it was found authentic before.
    pub(crate) fn get(&self, kind: TokenKind, presented: &str) -> Option<TokenClaims> {
        let entries = self.map(kind).read().unwrap_or_else(|e| e.into_inner());
        entries.get(presented).cloned()
    }

    /// Remembers that `presented` is an authentic token with `claims`.
    pub(crate) fn insert(&self, kind: TokenKind, presented: &str, claims: &TokenClaims) {
        let mut entries = self.map(kind).write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(presented.into(), claims.clone());
    }
}
