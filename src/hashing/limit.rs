//! Admission to the hashing pool: a bound on the argon2 jobs queued or running, per
//! account and overall, so a flood of password checks is refused at once instead of
//! growing a queue every other login waits behind (issue 15). A job holds a
//! [`HashPermit`] from admission until it has run (or been dropped unrun); the
//! permit is released before its answer is sent, so the next check of the same
//! account never races its own predecessor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Why a hashing job was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Busy {
    /// This account already has `max_hashes_per_account` jobs queued or running.
    #[error("Too many password checks for this account at once. Try again in a moment.")]
    Account,
    /// The pool already has `max_queued_hashes` jobs queued or running.
    #[error("The server is busy. Try again in a moment.")]
    Overall,
}

/// Counts of admitted jobs, by account and in total.
#[derive(Debug)]
pub struct Limiter {
    per_account: usize,
    overall: usize,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    /// Only accounts with at least one job: the map never outgrows `overall`.
    by_account: HashMap<String, usize>,
}

/// The right to queue one hashing job; dropping it frees the slot.
#[derive(Debug)]
pub struct HashPermit {
    limiter: Arc<Limiter>,
    account: Option<String>,
}

impl Limiter {
    /// A limiter admitting `per_account` jobs per account and `overall` in all
    /// (each at least one).
    pub fn new(per_account: usize, overall: usize) -> Arc<Limiter> {
        Arc::new(Limiter {
            per_account: per_account.max(1),
            overall: overall.max(1),
            counts: Mutex::default(),
        })
    }

    /// Admits one job for `account` (or for no account yet: a registration), or
    /// says at once why not. The account's own bound is checked first: a flooding
    /// account is told it is the one to slow down.
    pub fn admit(self: &Arc<Self>, account: Option<&str>) -> Result<HashPermit, Busy> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let mine = account.map_or(0, |a| counts.by_account.get(a).copied().unwrap_or(0));
        if mine >= self.per_account {
            return Err(Busy::Account);
        }
        if counts.total >= self.overall {
            return Err(Busy::Overall);
        }
        counts.total += 1;
        if let Some(account) = account {
            *counts.by_account.entry(account.to_owned()).or_default() += 1;
        }
        Ok(HashPermit {
            limiter: self.clone(),
            account: account.map(str::to_owned),
        })
    }
}

impl Drop for HashPermit {
    fn drop(&mut self) {
        let limiter = &self.limiter;
        let mut counts = limiter.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.total = counts.total.saturating_sub(1);
        let Some(account) = &self.account else {
            return;
        };
        if let Some(mine) = counts.by_account.get_mut(account) {
            *mine -= 1;
            if *mine == 0 {
                counts.by_account.remove(account);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_at_its_bound_is_refused_and_others_are_not() {
        let limiter = Limiter::new(1, 10);
        let held = limiter.admit(Some("alice")).unwrap();
        assert_eq!(limiter.admit(Some("alice")).unwrap_err(), Busy::Account);
        assert!(limiter.admit(Some("bob")).is_ok());
        drop(held);
        assert!(limiter.admit(Some("alice")).is_ok());
    }

    #[test]
    fn a_full_pool_refuses_everyone_until_a_job_ends() {
        let limiter = Limiter::new(5, 2);
        let first = limiter.admit(Some("a")).unwrap();
        let _second = limiter.admit(None).unwrap();
        assert_eq!(limiter.admit(Some("c")).unwrap_err(), Busy::Overall);
        drop(first);
        assert!(limiter.admit(Some("c")).is_ok());
    }

    #[test]
    fn released_accounts_leave_no_entry_behind() {
        let limiter = Limiter::new(2, 4);
        let permits: Vec<_> = (0..4)
            .map(|n| limiter.admit(Some(&n.to_string())))
            .collect();
        drop(permits);
        let counts = limiter.counts.lock().unwrap();
        assert_eq!((counts.total, counts.by_account.len()), (0, 0));
    }
}
