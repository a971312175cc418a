//! `portcullis doctor` and `/admin/doctor` (SPEC §12): checks a deployment the way a
//! careful admin would, and says for every problem what to change.
//!
//! [`config`] judges the `[portcullis]` settings on their own, [`files`] the data dir
//! on disk, [`argon2`] the hashing cost on this machine, and [`live`] a request that
//! went through the reverse proxy (the forwarding headers that arrived, the peer
//! they came from, cookies of our name). Each check is a [`Check`]: a ✓ or a ✗ with
//! the fix. Nothing here reads the store, so the doctor runs beside a live server.

pub mod argon2;
pub mod config;
pub mod files;
pub mod live;

use serde::Serialize;

/// One line of the report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Check {
    /// Whether the deployment passes this check.
    pub ok: bool,
    /// What was checked, and what was found.
    pub summary: String,
    /// For a failed check: what to change.
    pub fix: Option<String>,
}

impl Check {
    /// A passed check.
    pub fn pass(summary: impl Into<String>) -> Check {
        Check {
            ok: true,
            summary: summary.into(),
            fix: None,
        }
    }

    /// A failed check and its fix.
    pub fn fail(summary: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            ok: false,
            summary: summary.into(),
            fix: Some(fix.into()),
        }
    }
}

/// A titled group of checks.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// What the checks are about.
    pub title: &'static str,
    /// The checks, in order.
    pub checks: Vec<Check>,
}

/// The whole report, in sections.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    /// The sections, in order.
    pub sections: Vec<Section>,
}

impl Report {
    /// Adds a section.
    pub fn add(&mut self, title: &'static str, checks: Vec<Check>) {
        self.sections.push(Section { title, checks });
    }

    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        self.sections.iter().flat_map(|s| &s.checks).any(|c| !c.ok)
    }

    /// The report as text: one `✓`/`✗` line per check, the fix indented below.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for section in &self.sections {
            out.push_str(section.title);
            out.push('\n');
            for check in &section.checks {
                let mark = if check.ok { '✓' } else { '✗' };
                out.push_str(&format!("  {mark} {}\n", check.summary));
                if let Some(fix) = &check.fix {
                    out.push_str(&format!("      fix: {fix}\n"));
                }
            }
        }
        let failed = self
            .sections
            .iter()
            .flat_map(|s| &s.checks)
            .filter(|c| !c.ok)
            .count();
        match failed {
            0 => out.push_str("every check passed\n"),
            n => out.push_str(&format!("{n} check(s) failed\n")),
        }
        out
    }
}

/// The checks that need nothing but the configuration and this machine: settings,
/// data dir, hashing cost.
pub fn offline(config: &crate::config::Config) -> Report {
    let mut report = Report::default();
    let mut settings = vec![files::config_file()];
    settings.extend(config::checks(config));
    report.add("configuration", settings);
    report.add("data dir", files::checks(&config.data_dir));
    report.add("password hashing", vec![argon2::check(config)]);
    report
}
