//! The portal in a real Chromium (SPEC §9): every page and form of SPEC §3 walked
//! as a person walks it, against the real binary, failing on any console error or
//! CSP violation and on any page that scrolls sideways on a phone; screenshots of
//! every page, light and dark, desktop and phone.
//!
//! Needs Debian's `chromium` and `chromium-driver`; runs with
//! `cargo test -- --ignored browser` (`.ci/run` does, against the release binary).

mod actions;
mod checks;
mod harness;
mod people;
mod portal;
mod shots;

mod accounts;
mod admin;
mod endings;
mod enrol_first;
mod idle_tab;
mod look;
mod passkeys;
mod second_factor;
mod sign_ins;
mod step_up;
