//! Every outstanding reset link of an account dies when its password changes: the
//! user's own change, another reset link used, an administrator setting it.

use portcullis::auth::Client;
use portcullis::domain::{Email, Password, UserId};
use rocket::http::Status;

use super::{ALICE, alice, api_change};
use crate::helpers::{PASSWORD, TestApp, block_on, encode};

fn alice_id(app: &TestApp) -> UserId {
    let email = Email::parse(ALICE).unwrap();
    let user = app.auth().accounts().by_email(&email).unwrap();
    user.expect("alice exists").id
}

fn two_links(app: &TestApp) -> [String; 2] {
    let links = app.auth().links();
    let make = || block_on(links.create_reset(alice_id(app), &Client::default())).unwrap();
    [make(), make()]
}

fn use_link(app: &TestApp, token: &str) -> Status {
    let mut browser = app.browser();
    let path = format!("/reset/{token}");
    let page = browser.get(&path);
    let Some(csrf) = page.csrf_token() else {
        return page.status;
    };
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("new_password", "yet another passphrase"),
    ];
    browser.post_raw(&path, encode(&fields), &[]).status
}

#[test]
fn using_one_reset_link_kills_the_other() {
    let app = TestApp::spawn();
    alice(&app);
    let [first, second] = two_links(&app);

    assert_eq!(use_link(&app, &first), Status::SeeOther);

    assert_eq!(use_link(&app, &second), Status::NotFound);
}

#[test]
fn changing_ones_own_password_kills_every_reset_link() {
    let app = TestApp::spawn();
    let (_, pair) = alice(&app);
    let links = two_links(&app);

    assert_eq!(api_change(&app, &pair.access, PASSWORD).status.code, 200);

    for link in links {
        assert_eq!(use_link(&app, &link), Status::NotFound);
    }
}

#[test]
fn an_administrator_setting_the_password_kills_every_reset_link() {
    let app = TestApp::spawn();
    alice(&app);
    let links = two_links(&app);
    let password = Password::new("set by the administrator").unwrap();
    let accounts = app.auth().accounts();

    let set = block_on(accounts.set_password(&alice_id(&app), &password, &Client::command_line()));

    assert!(set.unwrap());
    for link in links {
        assert_eq!(use_link(&app, &link), Status::NotFound);
    }
}

#[test]
fn other_accounts_links_survive() {
    let app = TestApp::spawn();
    let (_, pair) = alice(&app);
    crate::helpers::registered(&app, "bob@example.com");
    let bob = app
        .auth()
        .accounts()
        .by_email(&Email::parse("bob@example.com").unwrap())
        .unwrap()
        .unwrap()
        .id;
    let link = block_on(app.auth().links().create_reset(bob, &Client::default())).unwrap();

    api_change(&app, &pair.access, PASSWORD);

    assert_eq!(use_link(&app, &link), Status::SeeOther);
}
