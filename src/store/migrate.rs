//! Bringing an older data dir up to this build's layout at [`Store::open`].
//!
//! Schema 1 keyed `emails` by the lower-cased address and had no skeleton index.
//! Schema 2 rebuilds both from the `users` tree (the records themselves are
//! unchanged). The skeleton index is rebuilt again whenever the confusables data
//! compiled in (`unicode-security`'s Unicode version) differs from the data that
//! built it, since UTS #39 skeletons are not stable across Unicode versions; the
//! normalised keys are (NFKC and case folding are stable for assigned characters).
//!
//! Accounts made before schema 2 can collide: `fiona@example.com` and
//! `ｆｉｏｎａ@example.com` were two accounts and are now one key. Both records are
//! kept and the key goes to one of them: the one whose stored spelling is already
//! in normal form (NFKC), then the oldest, then the lower id. The others keep their
//! sessions until those end but can no longer log in by email; each is printed at
//! start-up so an administrator can disable it. Refusing to start instead would
//! leave the operator no tool to resolve it (the CLI opens the same store).
//!
//! Schema 3 only adds trees (second factors), so going from 2 to 3 merely rebuilds
//! the indexes once more, which changes nothing.
//!
//! The rebuild clears and refills the index trees and only then records the new
//! version, so a crash half-way simply rebuilds again at the next start.

use std::collections::{HashMap, HashSet};

use super::backend::Tree;
use super::{SCHEMA_VERSION, Store, StoreError};
use crate::domain::{Email, UserId};

/// `meta` key: the Unicode version of the confusables data behind `email_skeletons`.
const SKELETON_DATA: &str = "skeleton_unicode_version";

/// What an index rebuild found worth telling the operator.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Rebuilt {
    /// `(kept, shadowed)`: the second can no longer log in by email.
    pub shadowed: Vec<(UserId, UserId)>,
    /// Accounts whose stored address this build refuses to parse (not indexed).
    pub unreadable: Vec<UserId>,
}

impl Store {
    /// Upgrades a data dir that recorded schema `found` (`None`: nothing recorded).
    pub(super) fn migrate(&self, found: Option<u32>) -> Result<(), StoreError> {
        let stamp = skeleton_data();
        let current = found == Some(SCHEMA_VERSION)
            && self
                .backend
                .get(Tree::Meta, SKELETON_DATA.as_bytes())?
                .as_deref()
                == Some(stamp.as_bytes());
        let fresh = found.is_none() && self.backend.is_empty(Tree::Users)?;
        if !current && !fresh {
            let rebuilt = self.rebuild_email_indexes()?;
            for (kept, shadowed) in &rebuilt.shadowed {
                eprintln!(
                    "portcullis: accounts {kept} and {shadowed} have the same email address once normalised; \
                     logins with it reach {kept}. {shadowed} keeps its sessions but can no longer log in: \
                     disable it (/admin/users/{shadowed}) unless its owner is the same person."
                );
            }
            for id in &rebuilt.unreadable {
                eprintln!(
                    "portcullis: account {id} has an email address this version refuses (invisible characters or an invalid domain); it can no longer log in."
                );
            }
        }
        if !current {
            let meta = self.backend.as_ref();
            meta.insert(Tree::Meta, b"schema_version", &SCHEMA_VERSION.to_be_bytes())?;
            meta.insert(Tree::Meta, SKELETON_DATA.as_bytes(), stamp.as_bytes())?;
            meta.flush()?;
        }
        Ok(())
    }

    /// Refills `emails` and `email_skeletons` from the `users` tree.
    pub(super) fn rebuild_email_indexes(&self) -> Result<Rebuilt, StoreError> {
        let mut rebuilt = Rebuilt::default();
        let mut claims = Vec::new();
        for user in self.users() {
            let user = user?;
            match Email::parse(&user.email) {
                Ok(email) => {
                    let normal = email.as_str() == user.email.trim();
                    claims.push((!normal, user.created_at, user.id, email));
                }
                Err(_) => rebuilt.unreadable.push(user.id),
            }
        }
        claims.sort_by(|a, b| (a.0, a.1, a.2.as_bytes()).cmp(&(b.0, b.1, b.2.as_bytes())));

        let mut owners: HashMap<String, UserId> = HashMap::new();
        let mut looks: HashSet<String> = HashSet::new();
        let (mut emails, mut skeletons) = (Vec::new(), Vec::new());
        for (_, _, id, email) in claims {
            let key = email.key();
            if let Some(kept) = owners.get(&key) {
                rebuilt.shadowed.push((*kept, id));
                continue;
            }
            emails.push((key.clone(), id));
            owners.insert(key, id);
            for skeleton in email.skeletons() {
                if looks.insert(skeleton.clone()) {
                    skeletons.push((skeleton, id));
                }
            }
        }
        self.backend.clear(Tree::Emails)?;
        self.backend.clear(Tree::EmailSkeletons)?;
        for (key, id) in emails {
            self.backend
                .insert(Tree::Emails, key.as_bytes(), id.as_bytes())?;
        }
        for (skeleton, id) in skeletons {
            self.backend
                .insert(Tree::EmailSkeletons, skeleton.as_bytes(), id.as_bytes())?;
        }
        Ok(rebuilt)
    }
}

/// This build's confusables data version, as recorded in `meta`.
fn skeleton_data() -> String {
    let (major, minor, patch) = unicode_security::UNICODE_VERSION;
    format!("{major}.{minor}.{patch}")
}
