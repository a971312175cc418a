//! New sign-in notices (SPEC §11): where a user signs in from, and which sign-ins
//! came from a device and network not seen for them in 90 days. No I/O.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::SessionId;

/// A place not seen for this long makes its next sign-in new again.
pub const FORGET_AFTER: i64 = 90 * 24 * 3600;
/// How many places one user's seen-set keeps; the longest unseen goes first.
pub const MAX_SEEN: usize = 32;
/// How many notices wait at most; the oldest goes first.
pub const MAX_FLAGS: usize = 8;

/// Where a sign-in comes from: the browser and OS family, and the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// Browser and OS family, as in the session list (`Firefox on Linux`).
    pub device: String,
    /// The client's IPv4 /24 or IPv6 network (`ipv6_prefix_length`); none when
    /// the address is unknown.
    pub network: Option<IpNet>,
}

impl Place {
    /// The place of a client with `device` label at `ip`.
    pub fn of(device: String, ip: Option<IpAddr>, ipv6_prefix: u8) -> Place {
        let network = ip.and_then(|ip| {
            let prefix = if ip.is_ipv4() { 24 } else { ipv6_prefix };
            IpNet::new(ip, prefix).ok().map(|net| net.trunc())
        });
        Place { device, network }
    }

    /// `Firefox on Linux from 203.0.113.0/24`.
    pub fn describe(&self) -> String {
        match &self.network {
            Some(net) => format!("{} from {net}", self.device),
            None => format!("{} from an unknown network", self.device),
        }
    }
}

/// A place and when a sign-in last came from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Seen {
    pub place: Place,
    pub at: i64,
}

/// A sign-in from a new place, waiting for its user to look at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// The session the sign-in opened.
    pub session: SessionId,
    pub place: Place,
    /// Unix seconds of the sign-in.
    pub at: i64,
}

/// One user's record: places seen, notices waiting.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignIns {
    #[serde(default)]
    pub seen: Vec<Seen>,
    #[serde(default)]
    pub flags: Vec<Flag>,
}

impl SignIns {
    /// Records a sign-in into `session` from `place` at `now`; `true` when it is
    /// flagged: the user has signed in before, but not from there in 90 days.
    pub fn note(&mut self, session: SessionId, place: Place, now: i64) -> bool {
        let first = self.seen.is_empty();
        let known = self.seen.iter_mut().find(|s| s.place == place);
        let recent = known.as_ref().is_some_and(|s| now - s.at < FORGET_AFTER);
        match known {
            Some(seen) => seen.at = now,
            None => self.seen.push(Seen {
                place: place.clone(),
                at: now,
            }),
        }
        if self.seen.len() > MAX_SEEN {
            self.seen.sort_by_key(|s| std::cmp::Reverse(s.at));
            self.seen.truncate(MAX_SEEN);
        }
        let flagged = !first && !recent;
        if flagged {
            self.flags.push(Flag {
                session,
                place,
                at: now,
            });
            if self.flags.len() > MAX_FLAGS {
                self.flags.remove(0);
            }
        }
        flagged
    }

    /// Forgets the places not seen for 90 days at `now`, except the newest one,
    /// which keeps "has signed in before" (its next sign-in is flagged all the
    /// same); how many went. Networks are personal data: none is kept longer than
    /// the notice needs it.
    pub fn forget_stale(&mut self, now: i64) -> usize {
        let before = self.seen.len();
        let newest = (0..before).max_by_key(|&i| self.seen[i].at);
        let mut index = 0;
        self.seen.retain(|s| {
            let keep = Some(index) == newest || now - s.at < FORGET_AFTER;
            index += 1;
            keep
        });
        before - self.seen.len()
    }

    /// Takes the notice of `session` away; `None` when there is none.
    pub fn take(&mut self, session: &SessionId) -> Option<Flag> {
        let at = self.flags.iter().position(|f| &f.session == session)?;
        Some(self.flags.remove(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(device: &str, ip: &str) -> Place {
        Place::of(device.into(), Some(ip.parse().unwrap()), 64)
    }

    #[test]
    fn networks_are_a_slash_24_or_the_ipv6_prefix() {
        let v4 = place("Firefox on Linux", "203.0.113.77");
        assert_eq!(v4.describe(), "Firefox on Linux from 203.0.113.0/24");
        let v6 = place("Safari on iOS", "2001:db8:1:2:3:4:5:6");
        assert_eq!(v6.network.unwrap().to_string(), "2001:db8:1:2::/64");
    }

    #[test]
    fn the_first_sign_in_and_known_places_are_not_flagged() {
        let mut record = SignIns::default();
        let home = place("Firefox on Linux", "203.0.113.5");
        assert!(!record.note(SessionId::random(), home.clone(), 0));
        assert!(!record.note(
            SessionId::random(),
            place("Firefox on Linux", "203.0.113.9"),
            10
        ));
        assert!(record.note(
            SessionId::random(),
            place("Chrome on Windows", "203.0.113.9"),
            20
        ));
        assert!(record.note(
            SessionId::random(),
            place("Firefox on Linux", "198.51.100.1"),
            30
        ));
        assert!(record.note(SessionId::random(), home, 30 + FORGET_AFTER));
        assert_eq!(record.flags.len(), 3);
    }

    #[test]
    fn the_record_stays_bounded() {
        let mut record = SignIns::default();
        for i in 0..100 {
            let ip = format!("10.{}.{}.1", i / 256, i % 256);
            record.note(SessionId::random(), place("Firefox on Linux", &ip), i);
        }
        assert_eq!(record.seen.len(), MAX_SEEN);
        assert_eq!(record.flags.len(), MAX_FLAGS);
        assert!(record.seen.iter().all(|s| s.at >= 100 - MAX_SEEN as i64));
    }

    #[test]
    fn places_unseen_for_90_days_are_forgotten_but_not_the_last_one() {
        let mut record = SignIns::default();
        record.note(
            SessionId::random(),
            place("Firefox on Linux", "10.0.0.1"),
            0,
        );
        record.note(
            SessionId::random(),
            place("Firefox on Linux", "10.0.1.1"),
            10,
        );
        record.note(
            SessionId::random(),
            place("Firefox on Linux", "10.0.2.1"),
            20,
        );
        assert_eq!(record.forget_stale(5 + FORGET_AFTER), 1);
        assert_eq!(record.seen.len(), 2);
        assert_eq!(record.forget_stale(100 * FORGET_AFTER), 1);
        assert_eq!(record.seen.len(), 1, "the newest stays");
        assert_eq!(record.seen[0].at, 20);
        let flagged = record.note(SessionId::random(), place("Safari on iOS", "10.9.0.1"), 30);
        assert!(flagged, "someone who has signed in before is still told");
    }
}
