//! The persisted revoked set: sessions whose tokens must be refused until every
//! token minted for them has expired, each with why it ended.
//!
//! Value layout: until when tokens of the session may be unexpired (i64,
//! big-endian, Unix seconds), then the [`EndReason`] as JSON. Values written before
//! reasons existed are the eight bytes alone and read as [`EndReason::Unknown`].

use super::backend::{Keys, Tree};
use super::{Store, StoreError};
use crate::domain::{EndReason, SessionId};

/// One entry of the revoked set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// The session whose tokens are refused.
    pub session: SessionId,
    /// Unix seconds after which no token of it can be unexpired.
    pub until: i64,
    /// Why it ended.
    pub reason: EndReason,
}

/// The stored value of an entry.
pub(super) fn encode_entry(until: i64, reason: &EndReason) -> Vec<u8> {
    let mut value = until.to_be_bytes().to_vec();
    value.extend(reason.to_bytes());
    value
}

/// Reads a stored value; a value too short to hold the time never expires (fail
/// closed: the session stays refused).
pub(super) fn decode_entry(value: &[u8]) -> (i64, EndReason) {
    match value.split_first_chunk::<8>() {
        Some((until, reason)) => (i64::from_be_bytes(*until), EndReason::from_bytes(reason)),
        None => (i64::MAX, EndReason::Unknown),
    }
}

impl Store {
    /// The revoked set, deleting the entries whose tokens have all expired by `now`.
    pub fn load_revoked(&self, now: i64) -> Result<Vec<Revoked>, StoreError> {
        let mut live = Vec::new();
        let mut expired = Vec::new();
        for entry in self.backend.scan(Tree::Revoked, Keys::All, false)? {
            let (key, value) = entry?;
            let (until, reason) = decode_entry(&value);
            match SessionId::from_bytes(&key) {
                Some(session) if until > now => live.push(Revoked {
                    session,
                    until,
                    reason,
                }),
                _ => expired.push((key, value)),
            }
        }
        for (key, value) in expired {
            // Unless revoked again meanwhile.
            self.backend
                .compare_and_swap(Tree::Revoked, &key, Some(&value), None)?;
        }
        Ok(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_carry_their_reason_and_old_entries_read_as_unknown() {
        let reason = EndReason::RevokedFromDevice {
            device: "Firefox on Linux".into(),
        };
        assert_eq!(decode_entry(&encode_entry(1234, &reason)), (1234, reason));
        let written_before_reasons = 1234i64.to_be_bytes();
        assert_eq!(
            decode_entry(&written_before_reasons),
            (1234, EndReason::Unknown)
        );
        assert_eq!(decode_entry(b"\x01"), (i64::MAX, EndReason::Unknown));
    }
}
