//! Where the suite's screenshots go: `$PORTCULLIS_SCREENSHOTS`, else
//! `target/screenshots/`, one folder per scenario (emptied when it starts), files
//! numbered in the order the pages were seen:
//! `03-alice-account-phone-dark.png`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The screenshot folder of one scenario, shared by its profiles.
#[derive(Clone)]
pub struct Shots {
    dir: PathBuf,
    seen: Arc<AtomicUsize>,
}

impl Shots {
    /// A fresh folder for `scenario`.
    pub fn for_scenario(scenario: &str) -> Shots {
        let root = std::env::var_os("PORTCULLIS_SCREENSHOTS").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"),
            PathBuf::from,
        );
        let dir = root.join(scenario);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Shots {
            dir,
            seen: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The number of the next page seen.
    pub fn next(&self) -> usize {
        self.seen.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Writes one screenshot of page number `n`.
    pub fn save(&self, n: usize, profile: &str, label: &str, variant: &str, png: &[u8]) {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect()
        };
        let name = format!("{n:02}-{}-{}-{variant}.png", clean(profile), clean(label));
        let path = self.dir.join(name);
        std::fs::write(&path, png)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}
