//! Sessions that follow people (SPEC §11 `idle_counts`).
//!
//! With `idle_counts = "navigation"` only a person's requests move a browser
//! session's "last seen": top-level navigations, and requests without any
//! `Sec-Fetch-*` header (non-browser clients and old browsers, which cannot be told
//! apart from a person). A background request (a `fetch()`, an image, a frame)
//! whose token has expired still gets a new one, but "last seen" stays where it
//! was and the new token ends at the session's idle end at the latest, so a tab
//! left polling is signed out when the idle timeout runs out. Such a token is
//! marked `unseen`; the next navigation renews it once more, which records the
//! person's return. API sessions (refresh tokens) are not browsing: every refresh
//! counts. `idle_counts = "any"` counts every request.

use super::{Auth, Client, Sessions};
use crate::config::IdleCounts;
use crate::domain::{Session, SessionKind};
use crate::token::{Opened, TokenClaims, TokenKind};

impl Auth {
    /// Whether `client`'s request is activity of a person for `session`.
    pub(super) fn counts(&self, session: &Session, client: &Client) -> bool {
        self.config.idle_counts == IdleCounts::Any
            || !client.background
            || session.kind != SessionKind::Browser
    }
}

impl Sessions<'_> {
    /// The claims of a browser token that checked out as valid but was minted by a
    /// background renewal, when this request should renew it to record activity:
    /// `idle_counts` is `navigation` and `client` is a person's navigation.
    pub fn owed_renewal(self, token: &str, client: &Client) -> Option<TokenClaims> {
        let auth = self.0;
        if auth.config.idle_counts != IdleCounts::Navigation || client.background {
            return None;
        }
        match auth
            .tokens
            .open(token, TokenKind::Browser, auth.clock.now())
        {
            Opened::Valid(claims) if claims.unseen => Some(claims),
            _ => None,
        }
    }
}
