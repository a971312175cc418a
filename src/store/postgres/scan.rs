//! Scans on PostgreSQL: read a page at a time in key order, each page after (or
//! before) the last key seen, so no connection is held between pages and the
//! caller may write while it scans (the sweeper deletes as it goes).

use super::{Param, Params, Postgres};
use crate::store::StoreError;
use crate::store::backend::{Entry, Tree};

/// Rows read per round trip by a scan.
const PAGE: i64 = 512;

/// The smallest key greater than every key starting with `prefix` (`None`: there
/// is none, every key from `prefix` on matches).
pub(super) fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut next = prefix.to_vec();
    while let Some(last) = next.pop() {
        if last < u8::MAX {
            next.push(last + 1);
            return Some(next);
        }
    }
    None
}

/// A scan in progress.
pub(super) struct Pages<'a> {
    store: &'a Postgres,
    tree: Tree,
    /// Inclusive lower bound (exclusive once a page moved it, see `next_page`).
    low: Vec<u8>,
    /// Exclusive upper bound.
    high: Option<Vec<u8>>,
    reverse: bool,
    /// The current page, reversed so `pop` yields the next entry.
    page: Vec<Entry>,
    done: bool,
}

impl<'a> Pages<'a> {
    pub(super) fn new(
        store: &'a Postgres,
        tree: Tree,
        low: Vec<u8>,
        high: Option<Vec<u8>>,
        reverse: bool,
    ) -> Pages<'a> {
        Pages {
            store,
            tree,
            low,
            high,
            reverse,
            page: Vec::new(),
            done: false,
        }
    }

    fn next_page(&mut self) -> Result<(), StoreError> {
        let high = self.high.clone().unwrap_or_default();
        let bounded = Param::Int(i64::from(self.high.is_some()));
        let params = vec![
            Param::Text(self.tree.name()),
            Param::Bytes(self.low.clone()),
            Param::Bytes(high),
            bounded,
            Param::Int(PAGE),
        ];
        let mut rows = if self.reverse {
            self.store.query(
                "SELECT key, value FROM portcullis_kv
                 WHERE tree = $1 AND key >= $2 AND ($4::INT8 = 0 OR key < $3)
                 ORDER BY key DESC LIMIT $5",
                Params(params),
            )?
        } else {
            self.store.query(
                "SELECT key, value FROM portcullis_kv
                 WHERE tree = $1 AND key >= $2 AND ($4::INT8 = 0 OR key < $3)
                 ORDER BY key LIMIT $5",
                Params(params),
            )?
        };
        self.done = (rows.len() as i64) < PAGE;
        if let Some((last, _)) = rows.last() {
            if self.reverse {
                self.high = Some(last.clone());
            } else {
                let mut after = last.clone();
                after.push(0);
                self.low = after;
            }
        }
        rows.reverse();
        self.page = rows;
        Ok(())
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<Entry, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.page.is_empty()
            && !self.done
            && let Err(e) = self.next_page()
        {
            self.done = true;
            return Some(Err(e));
        }
        self.page.pop().map(Ok)
    }
}
