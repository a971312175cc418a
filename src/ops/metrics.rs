//! The series of `GET /metrics` (SPEC §12), kept with `prometheus-client`. Every
//! label takes one of a fixed handful of values (a result, a reason code, a kind of
//! record): never a user, an address, a path or a token, so the series count is
//! bounded whatever the traffic.
//!
//! Counters move where the events happen (the audit log's one entry point, the one
//! revocation primitive, the guard, the hashing pool, the request fairing, the
//! sweeper); gauges are read when scraped, except live sessions, which the sweeper
//! counts on each pass (counting them on every scrape would read every record).

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::domain::audit::AuditKind;

/// A label set with one `result` label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    /// A fixed word such as `succeeded`.
    pub result: &'static str,
}

/// A label set with one `kind` label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// A fixed word such as `password_changed`.
    pub kind: &'static str,
}

/// The codes of [`EndReason`](crate::domain::EndReason), the `kind` of revocations.
const REVOCATION_KINDS: [&str; 12] = [
    "signed_out",
    "revoked_from_device",
    "revoked_by_admin",
    "other_devices_signed_out",
    "logged_out_everywhere",
    "password_changed",
    "password_reset",
    "disabled",
    "groups_changed",
    "expired",
    "copied_credential",
    "unknown",
];

/// What the sweeper deletes, the `kind` of `portcullis_swept_total`.
const SWEPT_KINDS: [&str; 5] = ["sessions", "revoked", "throttle", "links", "audit"];

type Counted<L> = Family<L, Counter<u64, AtomicU64>>;

/// Every series, registered once; cheap to clone pieces of (they share storage).
pub struct Metrics {
    registry: Registry,
    logins: Counted<ResultLabel>,
    second_factor: Counted<ResultLabel>,
    throttled: Counter,
    registrations: Counter,
    revocations: Counted<KindLabel>,
    credential_reuse: Counter,
    forward_auth: Counted<ResultLabel>,
    sweeps: Counter,
    swept: Counted<KindLabel>,
    /// Accounts known to the mirror (set at scrape time).
    pub users: Gauge,
    /// Sessions found alive by the last sweep.
    pub live_sessions: Gauge,
    /// Entries of the in-memory revoked set (set at scrape time).
    pub revoked_set: Gauge,
    /// Hashing jobs waiting for a thread.
    pub hash_queue: Gauge,
    forward_auth_seconds: Histogram,
    guard_seconds: Histogram,
    argon2_seconds: Histogram,
    argon2_wait_seconds: Histogram,
    sweep_seconds: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        let fast = || Histogram::new(exponential_buckets(0.000_001, 4.0, 12));
        let slow = || Histogram::new(exponential_buckets(0.001, 2.0, 14));
        let mut metrics = Metrics {
            registry: Registry::with_prefix("portcullis"),
            logins: Family::default(),
            second_factor: Family::default(),
            throttled: Counter::default(),
            registrations: Counter::default(),
            revocations: Family::default(),
            credential_reuse: Counter::default(),
            forward_auth: Family::default(),
            sweeps: Counter::default(),
            swept: Family::default(),
            users: Gauge::default(),
            live_sessions: Gauge::default(),
            revoked_set: Gauge::default(),
            hash_queue: Gauge::default(),
            forward_auth_seconds: fast(),
            guard_seconds: fast(),
            argon2_seconds: slow(),
            argon2_wait_seconds: slow(),
            sweep_seconds: slow(),
        };
        metrics.register();
        metrics.start_at_zero();
        metrics
    }
}

impl Metrics {
    fn register(&mut self) {
        let r = &mut self.registry;
        r.register(
            "logins",
            "Login attempts by result (succeeded, failed, throttled)",
            self.logins.clone(),
        );
        r.register(
            "second_factor",
            "Second-factor checks by result",
            self.second_factor.clone(),
        );
        r.register(
            "throttled",
            "Attempts refused by a rate limit or back-off",
            self.throttled.clone(),
        );
        r.register(
            "registrations",
            "Accounts created",
            self.registrations.clone(),
        );
        r.register(
            "revocations",
            "Changes that ended sessions, by reason",
            self.revocations.clone(),
        );
        r.register(
            "refresh_reuse",
            "Spent cookies or refresh tokens presented again (the session was ended)",
            self.credential_reuse.clone(),
        );
        r.register(
            "forward_auth",
            "Forward-auth answers by result",
            self.forward_auth.clone(),
        );
        r.register("sweeps", "Sweeper passes", self.sweeps.clone());
        r.register(
            "swept",
            "Records deleted by the sweeper, by kind",
            self.swept.clone(),
        );
        r.register("users", "Accounts", self.users.clone());
        r.register(
            "live_sessions",
            "Sessions alive at the last sweep",
            self.live_sessions.clone(),
        );
        r.register(
            "revoked_set",
            "Revoked sessions whose tokens may still be unexpired (in memory)",
            self.revoked_set.clone(),
        );
        r.register(
            "hash_queue_depth",
            "Password hashes waiting for a hashing thread",
            self.hash_queue.clone(),
        );
        r.register(
            "forward_auth_duration_seconds",
            "Time to answer a forward-auth request",
            self.forward_auth_seconds.clone(),
        );
        r.register(
            "guard_duration_seconds",
            "Time to check a presented token",
            self.guard_seconds.clone(),
        );
        r.register(
            "argon2_duration_seconds",
            "Time one argon2 hash or verification ran",
            self.argon2_seconds.clone(),
        );
        r.register(
            "argon2_queue_wait_seconds",
            "Time a hash waited for a hashing thread",
            self.argon2_wait_seconds.clone(),
        );
        r.register(
            "sweep_duration_seconds",
            "Time one sweeper pass took",
            self.sweep_seconds.clone(),
        );
    }

    /// Creates every labelled series at zero, so each is there from the first
    /// scrape (a rate over a series that appears late misses its first events).
    fn start_at_zero(&self) {
        for result in ["succeeded", "failed", "throttled"] {
            drop(self.logins.get_or_create(&ResultLabel { result }));
        }
        for result in ["succeeded", "failed"] {
            drop(self.second_factor.get_or_create(&ResultLabel { result }));
        }
        for result in ["allowed", "unauthenticated", "denied", "invalid", "error"] {
            drop(self.forward_auth.get_or_create(&ResultLabel { result }));
        }
        for kind in REVOCATION_KINDS {
            drop(self.revocations.get_or_create(&KindLabel { kind }));
        }
        for kind in SWEPT_KINDS {
            drop(self.swept.get_or_create(&KindLabel { kind }));
        }
    }

    /// Counts what an audit event says happened.
    pub fn audited(&self, kind: AuditKind) {
        let login = |result| {
            self.logins.get_or_create(&ResultLabel { result }).inc();
        };
        match kind {
            AuditKind::LoginSucceeded => login("succeeded"),
            AuditKind::LoginFailed => login("failed"),
            AuditKind::Throttled => {
                self.throttled.inc();
            }
            AuditKind::Registered => {
                self.registrations.inc();
            }
            _ => {}
        }
    }

    /// A login refused by a limit before the password was checked.
    pub fn login_throttled(&self) {
        self.logins
            .get_or_create(&ResultLabel {
                result: "throttled",
            })
            .inc();
    }

    /// A change ended sessions for the reason with this code.
    pub fn revoked(&self, reason: &'static str) {
        self.revocations
            .get_or_create(&KindLabel { kind: reason })
            .inc();
        if reason == "copied_credential" {
            self.credential_reuse.inc();
        }
    }

    /// A forward-auth answer (`allowed`, `unauthenticated`, `denied`, `invalid`).
    pub fn forward_auth(&self, result: &'static str, took: Duration) {
        self.forward_auth
            .get_or_create(&ResultLabel { result })
            .inc();
        self.forward_auth_seconds.observe(took.as_secs_f64());
    }

    /// One token check took `took`.
    pub fn guard(&self, took: Duration) {
        self.guard_seconds.observe(took.as_secs_f64());
    }

    /// One argon2 job waited `waited` for a thread, then ran `ran`.
    pub fn argon2(&self, waited: Duration, ran: Duration) {
        self.argon2_wait_seconds.observe(waited.as_secs_f64());
        self.argon2_seconds.observe(ran.as_secs_f64());
    }

    /// One sweeper pass: what it deleted, by kind, and how long it took.
    pub fn swept(&self, deleted: &[(&'static str, usize)], live: usize, took: Duration) {
        self.sweeps.inc();
        for (kind, n) in deleted {
            self.swept
                .get_or_create(&KindLabel { kind })
                .inc_by(*n as u64);
        }
        self.live_sessions
            .set(i64::try_from(live).unwrap_or(i64::MAX));
        self.sweep_seconds.observe(took.as_secs_f64());
    }

    /// The OpenMetrics text exposition of every series.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            rocket::error!("cannot encode the metrics: {e}");
        }
        out
    }
}
