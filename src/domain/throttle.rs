//! Brute-force limits (SPEC §6, §8), as pure decisions over small counters that the
//! store updates atomically. An attempt is counted *before* the password is checked,
//! so parallel guesses cannot slip past a limit while the hashes run.

use std::net::IpAddr;

use ipnet::Ipv6Net;

/// Consecutive failures allowed before back-off starts.
pub const FREE_FAILURES: u32 = 5;
/// Consecutive failures after which the account is locked until its password is
/// reset (NIST 800-63B: no more than 100).
pub const MAX_FAILURES: u32 = 100;
/// Longest back-off between attempts, in seconds.
pub const MAX_DELAY: i64 = 15 * 60;
/// Length of the per-IP login window, in seconds.
pub const IP_WINDOW: i64 = 5 * 60;
/// Length of the per-IP registration window, in seconds.
pub const REGISTER_WINDOW: i64 = 60;

/// The address an IP's attempts are counted under: an IPv4 address (or an
/// IPv4-mapped IPv6 one) as itself, an IPv6 address as its network of
/// `ipv6_prefix` bits, since one subscriber usually holds a whole /64 and could
/// rotate through it (config `ipv6_prefix_length`).
pub fn counted_address(ip: IpAddr, ipv6_prefix: u8) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            Ipv6Net::new(v6, ipv6_prefix).map_or(IpAddr::V6(v6), |net| IpAddr::V6(net.network()))
        }
        v4 => v4,
    }
}

/// A counter with the time it last moved: consecutive failures of an account, or
/// attempts from an IP within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counter {
    /// How many.
    pub count: u32,
    /// Unix seconds: the last failure (accounts) or the window start (IPs).
    pub since: i64,
}

impl Counter {
    /// Fixed-size encoding for the store.
    pub fn to_bytes(self) -> [u8; 12] {
        let mut out = [0u8; 12];
        out[..4].copy_from_slice(&self.count.to_be_bytes());
        out[4..].copy_from_slice(&self.since.to_be_bytes());
        out
    }

    /// Decodes [`Counter::to_bytes`]; anything else counts as empty.
    pub fn from_bytes(raw: &[u8]) -> Counter {
        match raw.try_into() {
            Ok::<[u8; 12], _>(bytes) => Counter {
                count: u32::from_be_bytes(bytes[..4].try_into().unwrap_or_default()),
                since: i64::from_be_bytes(bytes[4..].try_into().unwrap_or_default()),
            },
            Err(_) => Counter::default(),
        }
    }

    /// For an account's consecutive failures: seconds to wait before the next
    /// attempt at `now`, or `None` if one may be made.
    pub fn account_wait(self, now: i64) -> Option<i64> {
        if self.count >= MAX_FAILURES {
            return Some(MAX_DELAY);
        }
        let excess = self.count.checked_sub(FREE_FAILURES)?;
        // Saturating: a shift would wrap negative from 63 excess failures on, and
        // a negative delay is no delay at all.
        let delay = 2i64.saturating_pow(excess).min(MAX_DELAY);
        let ready_at = self.since + delay;
        (now < ready_at).then_some(ready_at - now)
    }

    /// For a fixed window of `length` seconds allowing `limit` events: seconds to
    /// wait at `now`, or `None` if one more is allowed.
    pub fn window_wait(self, now: i64, limit: u32, length: i64) -> Option<i64> {
        let window_open = now < self.since + length;
        (window_open && self.count >= limit).then_some(self.since + length - now)
    }

    /// The window counter after one more event at `now`.
    pub fn window_bump(self, now: i64, length: i64) -> Counter {
        if now < self.since + length {
            Counter {
                count: self.count + 1,
                ..self
            }
        } else {
            Counter {
                count: 1,
                since: now,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_starts_after_five_failures_and_doubles() {
        let at = |count| Counter { count, since: 1000 };
        assert_eq!(at(4).account_wait(1000), None);
        assert_eq!(at(5).account_wait(1000), Some(1));
        assert_eq!(at(6).account_wait(1000), Some(2));
        assert_eq!(at(8).account_wait(1000), Some(8));
        assert_eq!(at(8).account_wait(1008), None);
        assert_eq!(at(40).account_wait(1000), Some(MAX_DELAY));
    }

    #[test]
    fn every_count_up_to_the_lock_waits_the_longest_delay() {
        for count in 15..MAX_FAILURES {
            let counter = Counter { count, since: 1000 };
            assert_eq!(counter.account_wait(1000), Some(MAX_DELAY), "count {count}");
        }
    }

    #[test]
    fn a_hundred_failures_lock_the_account() {
        let locked = Counter {
            count: MAX_FAILURES,
            since: 0,
        };
        assert_eq!(locked.account_wait(1_000_000_000), Some(MAX_DELAY));
    }

    #[test]
    fn windows_fill_up_and_reset() {
        let mut counter = Counter::default();
        for _ in 0..3 {
            assert_eq!(counter.window_wait(100, 3, 60), None);
            counter = counter.window_bump(100, 60);
        }
        assert_eq!(counter.window_wait(130, 3, 60), Some(30));
        assert_eq!(counter.window_wait(160, 3, 60), None);
        assert_eq!(
            counter.window_bump(160, 60),
            Counter {
                count: 1,
                since: 160
            }
        );
    }

    #[test]
    fn ipv6_addresses_count_by_their_prefix_and_ipv4_by_itself() {
        let at = |s: &str, prefix| counted_address(s.parse().unwrap(), prefix).to_string();
        assert_eq!(at("2001:db8:1:2:aaaa::1", 64), "2001:db8:1:2::");
        assert_eq!(at("2001:db8:1:2:ffff:ffff:ffff:ffff", 64), "2001:db8:1:2::");
        assert_eq!(at("2001:db8:1:3::1", 64), "2001:db8:1:3::");
        assert_eq!(at("2001:db8:1:2::1", 128), "2001:db8:1:2::1");
        assert_eq!(at("2001:db8:1:2::1", 48), "2001:db8:1::");
        assert_eq!(at("192.0.2.7", 64), "192.0.2.7");
        assert_eq!(at("::ffff:192.0.2.7", 64), "192.0.2.7");
    }

    #[test]
    fn counters_round_trip_through_bytes() {
        let c = Counter {
            count: 7,
            since: -5,
        };
        assert_eq!(Counter::from_bytes(&c.to_bytes()), c);
        assert_eq!(Counter::from_bytes(b"junk"), Counter::default());
    }
}
