//! The admin's hold on accounts: reset links, disabling, groups, sessions, the
//! last-admin guard, fresh confirmation, who may open the admin pages, and the audit view.

use std::time::Duration;

use rocket::http::Status;

use super::{NEW_PASSWORD, shown_link, user_id};
use crate::helpers::{
    PASSWORD, TestApp, encode, first_admin, only_the_new_password_opens, registered,
};

#[test]
fn a_reset_link_sets_the_password_once_and_ends_every_session() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let mut user = registered(&app, "user@example.com");
    let id = user_id(&app, "user@example.com");

    let made = admin.post_form(&format!("/admin/users/{id}/reset-link"), &[]);
    assert_eq!(made.status, Status::SeeOther);
    assert_eq!(made.location(), Some(format!("/admin/users/{id}").as_str()));
    let page = admin.get(&format!("/admin/users/{id}"));
    let path = shown_link(&page.body, "reset");
    // Shown once: the next visit no longer carries it.
    assert!(
        !admin
            .get(&format!("/admin/users/{id}"))
            .body
            .contains("/reset/")
    );

    let mut holder = app.browser();
    assert_eq!(holder.get(&path).status, Status::Ok);
    let set = holder.post_form(&path, &[("new_password", NEW_PASSWORD)]);
    assert_eq!(set.status, Status::SeeOther, "{}", set.body);
    assert_eq!(set.location(), Some("/login"));

    assert_eq!(
        user.get("/account").status,
        Status::SeeOther,
        "session ended"
    );
    only_the_new_password_opens(&app, "user@example.com", NEW_PASSWORD);
    let reused = holder.post_form(&path, &[("new_password", "yet another passphrase")]);
    assert_eq!(reused.status, Status::NotFound);
}

#[test]
fn a_disabled_user_is_refused_at_once_and_cannot_log_in() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let mut user = registered(&app, "user@example.com");
    let id = user_id(&app, "user@example.com");
    assert_eq!(user.get("/account").status, Status::Ok);

    let done = admin.post_form(&format!("/admin/users/{id}/disable"), &[]);
    assert_eq!(done.status, Status::SeeOther);
    assert_eq!(user.get("/account").status, Status::SeeOther);
    let mut again = app.browser();
    let refused = again.login("user@example.com", PASSWORD);
    assert_eq!(refused.status, Status::Unauthorized);
    assert!(
        admin
            .get("/admin")
            .body
            .contains("<strong>disabled</strong>")
    );

    admin.post_form(&format!("/admin/users/{id}/enable"), &[]);
    assert_eq!(
        again.login("user@example.com", PASSWORD).status,
        Status::SeeOther
    );
}

#[test]
fn a_group_change_ends_old_tokens_and_shows_on_the_next_login() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let mut user = registered(&app, "user@example.com");
    let id = user_id(&app, "user@example.com");
    let saved = admin.post_form(&format!("/admin/users/{id}/groups"), &[("groups", "staff")]);
    assert_eq!(saved.status, Status::SeeOther);
    assert_eq!(user.get("/account").status, Status::SeeOther);
    user.login("user@example.com", PASSWORD);
    assert!(user.get("/account").body.contains(">staff</span>"));

    let bad = admin.post_form(
        &format!("/admin/users/{id}/groups"),
        &[("groups", "no spaces!")],
    );
    assert_eq!(bad.status, Status::UnprocessableEntity);
}

#[test]
fn an_admin_can_end_one_session_or_all_of_them() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let mut laptop = registered(&app, "user@example.com");
    let mut phone = app.browser();
    phone.login("user@example.com", PASSWORD);
    let id = user_id(&app, "user@example.com");
    let uid = portcullis::domain::UserId::parse(&id).unwrap();
    let sessions = app.auth().sessions().list(&uid).unwrap();
    assert_eq!(sessions.len(), 2);
    let page = admin.get(&format!("/admin/users/{id}")).body;
    assert!(page.contains(&sessions[0].id.to_string()));

    // Someone else's session id under this user: 404, nothing ends.
    let admin_id = portcullis::domain::UserId::parse(&user_id(&app, "root@example.com")).unwrap();
    let admin_session = app.auth().sessions().list(&admin_id).unwrap()[0].id;
    let wrong = admin.post_form(
        &format!("/admin/users/{id}/sessions/{admin_session}/revoke"),
        &[],
    );
    assert_eq!(wrong.status, Status::NotFound);

    let revoke = |admin: &mut crate::helpers::Browser<'_>, sid: String| {
        admin.post_form(&format!("/admin/users/{id}/sessions/{sid}/revoke"), &[])
    };
    let first = sessions[0].id.to_string();
    assert_eq!(revoke(&mut admin, first).status, Status::SeeOther);
    let alive = [laptop.get("/account").status, phone.get("/account").status];
    assert_eq!(
        alive.iter().filter(|s| **s == Status::Ok).count(),
        1,
        "exactly one device was signed out: {alive:?}"
    );

    let all = admin.post_form(&format!("/admin/users/{id}/logout-everywhere"), &[]);
    assert_eq!(all.status, Status::SeeOther);
    assert_eq!(laptop.get("/account").status, Status::SeeOther);
    assert_eq!(phone.get("/account").status, Status::SeeOther);
    assert_eq!(
        admin.get("/admin").status,
        Status::Ok,
        "the admin is untouched"
    );
}

#[test]
fn the_last_admin_cannot_disable_or_demote_themselves() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let id = user_id(&app, "root@example.com");
    let disable = admin.post_form(&format!("/admin/users/{id}/disable"), &[]);
    assert_eq!(disable.status, Status::Conflict);
    assert!(disable.body.contains("no enabled administrator"));
    let demote = admin.post_form(&format!("/admin/users/{id}/groups"), &[("groups", "staff")]);
    assert_eq!(demote.status, Status::Conflict);
    assert_eq!(admin.get("/admin").status, Status::Ok);
}

#[test]
fn admin_actions_need_a_fresh_password_confirmation() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    registered(&app, "user@example.com");
    let id = user_id(&app, "user@example.com");
    app.advance(Duration::from_secs(11 * 60));
    // Viewing still works; acting sends the admin to confirm, then back to the page.
    assert_eq!(admin.get("/admin").status, Status::Ok);
    let stale = admin.post_form(&format!("/admin/users/{id}/disable"), &[]);
    assert_eq!(stale.status, Status::SeeOther);
    let back = encode(&[("rd", &format!("/admin/users/{id}"))]);
    assert_eq!(stale.location(), Some(format!("/reauth?{back}").as_str()));
    assert!(
        app.auth()
            .accounts()
            .summary(&portcullis::domain::UserId::parse(&id).unwrap())
            .unwrap()
            .is_some_and(|u| !u.user.disabled)
    );
}

#[test]
fn non_admins_get_403_on_every_admin_route_and_anonymous_users_are_sent_to_log_in() {
    let app = TestApp::spawn();
    first_admin(&app, "root@example.com");
    let mut user = registered(&app, "user@example.com");
    let id = user_id(&app, "root@example.com");
    let sid = "AAAAAAAAAAAAAAAAAAAAAA";
    let gets = [
        "/admin".to_owned(),
        format!("/admin/users/{id}"),
        "/admin/audit".to_owned(),
    ];
    let posts = [
        format!("/admin/users/{id}/disable"),
        format!("/admin/users/{id}/enable"),
        format!("/admin/users/{id}/logout-everywhere"),
        format!("/admin/users/{id}/sessions/{sid}/revoke"),
        format!("/admin/users/{id}/groups"),
        format!("/admin/users/{id}/reset-link"),
        "/admin/invites".to_owned(),
    ];
    for path in &gets {
        assert_eq!(user.get(path).status, Status::Forbidden, "GET {path}");
    }
    for path in &posts {
        let reply = user.post_form(path, &[("groups", "admin")]);
        assert_eq!(reply.status, Status::Forbidden, "POST {path}");
    }
    // Nothing changed: the user is still no admin, the admin still enabled.
    assert!(!user.get("/account").body.contains(">admin</span>"));
    let mut anonymous = app.browser();
    for path in &gets {
        let reply = anonymous.get(path);
        assert_eq!(reply.status, Status::SeeOther, "GET {path}");
        assert!(reply.location().unwrap().starts_with("/login?rd="));
    }
}

#[test]
fn the_audit_view_lists_events_newest_first_and_filters_by_user() {
    let app = TestApp::spawn();
    let mut admin = first_admin(&app, "root@example.com");
    let mut user = registered(&app, "user@example.com");
    user.logout();
    let mut stranger = app.browser();
    stranger.login("user@example.com", "not the password at all");
    let id = user_id(&app, "user@example.com");
    admin.post_form(&format!("/admin/users/{id}/disable"), &[]);

    let all = admin.get("/admin/audit");
    assert_eq!(all.status, Status::Ok);
    let disabled = all.body.find("Account disabled").expect("disable recorded");
    let failed = all.body.find("Sign-in failed").expect("failure recorded");
    assert!(disabled < failed, "newest first");
    assert!(
        all.body.contains("root@example.com"),
        "the acting admin is named"
    );

    let mine = admin.get(&format!("/admin/audit?user={id}"));
    assert!(mine.body.contains("Account disabled") && mine.body.contains("Signed out"));
    let root = user_id(&app, "root@example.com");
    let theirs = admin.get(&format!("/admin/audit?user={root}")).body;
    assert!(!theirs.contains("Sign-in failed"));
    assert_eq!(admin.get("/admin/audit?user=junk").status, Status::NotFound);
    assert_eq!(admin.get("/admin/audit?page=99").status, Status::Ok);
}
