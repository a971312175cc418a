//! The sweeper (SPEC §12): every `sweep_interval`, off the request path, it deletes
//! sessions past their idle or absolute end, forgets revocations whose tokens have
//! all expired (in the store and in the [`Mirror`]), throttle counters past their
//! window, expired one-time links and pending logins, and audit records older than
//! `audit_retention`, and the places users signed in from that were not seen for
//! 90 days, so memory and disk stay bounded however long the server runs. Its work is
//! counted in the metrics.
//!
//! Lists never wait for it: [`is_alive`] is the rule both the renewal and every
//! session list apply on read, so a session past its end disappears from `/account`,
//! the admin pages and the API at once, and from the disk at the next pass.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::{Auth, Mirror};
use crate::clock::{Clock, secs};
use crate::config::Config;
use crate::domain::session::Liveness;
use crate::domain::{EndReason, Session, SessionKind, UserId};
use crate::ops::metrics::Metrics;
use crate::store::{StoreError, Sweepable};

/// Whether `session` is still usable at `now` under `config`'s limits.
pub(crate) fn is_alive(config: &Config, session: &Session, now: i64) -> bool {
    match session.kind {
        SessionKind::Browser => {
            let idle =
                session.idle_timeout(config.session_idle_timeout, config.remember_idle_timeout);
            session.liveness(now, idle) == Liveness::Alive
        }
        // An API session lives as long as its refresh tokens, within its cap.
        SessionKind::Api => {
            session.expires_at.is_none_or(|end| now < end)
                && session.refresh.as_ref().is_some_and(|r| now < r.expires_at)
        }
        // A personal access token lives until its expiry, however long unused.
        SessionKind::Token => session.expires_at.is_none_or(|end| now < end),
    }
}

/// What one pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Session records past their end.
    pub sessions: usize,
    /// Revoked-set entries whose tokens have all expired, in the store.
    pub revoked: usize,
    /// The same, in memory.
    pub mirrored: usize,
    /// Throttle counters past their window.
    pub throttle: usize,
    /// Expired one-time links.
    pub links: usize,
    /// Personal access token grants past their expiry or end, in the store.
    pub grants: usize,
    /// Audit records older than `audit_retention`.
    pub audit: usize,
    /// Pending logins (password right, second factor never given) past their
    /// five minutes.
    pub pending_logins: usize,
    /// Places users signed in from, not seen for 90 days (SPEC §11).
    pub sign_in_places: usize,
    /// Sessions left, all alive.
    pub live_sessions: usize,
}

/// A handle on what the sweeper prunes; it keeps no store open
/// ([`Store::sweepable`](crate::store::Store::sweepable)).
#[derive(Clone)]
pub struct Sweeper {
    store: Weak<Sweepable>,
    mirror: Arc<Mirror>,
    access: Arc<super::access::AccessIndex>,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
    config: Arc<Config>,
}

impl Auth {
    /// The sweeper over this core; [`Sweeper::run_once`] makes one pass.
    pub fn sweeper(&self) -> Sweeper {
        Sweeper {
            store: self.store.sweepable(),
            mirror: self.mirror.clone(),
            access: self.access.clone(),
            metrics: self.metrics.clone(),
            clock: self.clock.clone(),
            config: Arc::new(self.config.clone()),
        }
    }

    /// The sessions of `user` that are still alive, oldest first.
    pub(crate) fn live_sessions_of(&self, user: &UserId) -> Result<Vec<Session>, StoreError> {
        let now = self.clock.now();
        let mut sessions = self.store.sessions_of(user)?;
        sessions.retain(|s| is_alive(&self.config, s, now));
        Ok(sessions)
    }
}

impl Sweeper {
    /// How long to wait between passes.
    pub fn interval(&self) -> Duration {
        self.config.sweep_interval
    }

    /// One pass (blocking: run it off the async workers). `Ok(None)` once the store
    /// has been closed.
    pub fn run_once(&self) -> Result<Option<SweepReport>, StoreError> {
        let Some(store) = self.store.upgrade() else {
            return Ok(None);
        };
        let started = Instant::now();
        let now = self.clock.now();
        let config = &self.config;
        let swept = store.sweep_sessions(now, |s| is_alive(config, s, now))?;
        for (session, until) in &swept.revoked {
            self.mirror.revoke(*session, *until, EndReason::Expired);
        }
        let retention = now.saturating_sub(secs(config.audit_retention));
        let report = SweepReport {
            sessions: swept.deleted,
            revoked: store.prune_revoked(now)?,
            mirrored: self.mirror.prune(now),
            throttle: store.prune_throttle(now)?,
            links: store.prune_links(now)?,
            grants: store.prune_grants(now)?,
            audit: store.prune_audit(retention)?,
            pending_logins: store.prune_pending_logins(now)?,
            sign_in_places: store.prune_sign_ins(now)?,
            live_sessions: swept.live,
        };
        store.prune_log()?;
        self.access
            .prune(now, |session| self.mirror.ended(session).is_some());
        store.flush()?;
        let deleted = [
            ("sessions", report.sessions),
            ("revoked", report.revoked.max(report.mirrored)),
            ("throttle", report.throttle),
            ("links", report.links),
            ("grants", report.grants),
            ("audit", report.audit),
            ("pending_logins", report.pending_logins),
            ("sign_in_places", report.sign_in_places),
        ];
        let took = started.elapsed();
        self.metrics.swept(&deleted, report.live_sessions, took);
        Ok(Some(report))
    }
}
