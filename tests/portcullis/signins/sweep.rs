//! The sweeper forgets the networks a user signed in from once they have not been
//! seen for 90 days (SPEC §11: nothing is kept longer than the notice needs), all
//! but the newest, so the next sign-in from anywhere new is still told.

use std::time::Duration;

use super::{CHROME_WINDOWS, EMAIL, FIREFOX_LINUX, home, sign_in};
use crate::helpers::TestApp;
use portcullis::domain::Email;

const DAY: u64 = 24 * 3600;

#[test]
fn places_unseen_for_90_days_are_swept_and_counted() {
    let app = TestApp::spawn();
    home(&app);
    sign_in(&app, "198.51.100.9", CHROME_WINDOWS);
    let email = Email::parse(EMAIL).unwrap();
    let user = app.auth().accounts().by_email(&email).unwrap().unwrap().id;
    let networks = |app: &TestApp| -> Vec<String> {
        let record = app.auth().store().sign_ins(&user).unwrap();
        record
            .seen
            .iter()
            .filter_map(|s| s.place.network.map(|n| n.to_string()))
            .collect()
    };

    app.advance(Duration::from_secs(89 * DAY));
    let early = app.sweep();
    assert_eq!(early.sign_in_places, 0, "both seen within 90 days");
    app.advance(Duration::from_secs(2 * DAY));
    let report = app.sweep();
    assert_eq!(report.sign_in_places, 1, "{report:?}");
    assert_eq!(networks(&app), ["198.51.100.0/24"], "the newest stays");
    let metrics = crate::metrics::scrape(&app);
    assert!(
        metrics.contains("portcullis_swept_total{kind=\"sign_in_places\"} 1"),
        "{metrics}"
    );

    // Home again after the sweep: the record is not "first sign-in", so it is told.
    sign_in(&app, "203.0.113.5", FIREFOX_LINUX);
    let mut other = sign_in(&app, "198.51.100.9", CHROME_WINDOWS);
    let told = super::banner(&mut other).expect("a banner");
    assert!(told.contains("203.0.113.0/24"), "{told}");
}
