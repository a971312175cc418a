//! Portcullis's integration tests: one crate (one link of the dependency tree), one
//! module per area, every test on its own server with a fresh data dir.

mod helpers;

mod account;
mod activity;
mod admin;
mod api;
mod asvs;
mod authz;
mod browser;
mod carried;
mod carried_race;
mod cli;
mod client_ip;
mod config;
mod doctor;
mod doctor_live;
mod doctor_proxy;
mod embedding;
mod ended;
mod forms;
mod hardening;
mod identity;
mod identity_migration;
mod login;
mod logs;
mod metrics;
mod mfa;
mod notices;
mod packaging;
mod pages;
mod passkeys;
mod password_policy;
mod postgres_instances;
mod proxy;
mod redirects;
mod register;
mod request_log;
mod revocation;
mod security;
mod sessions;
mod signins;
mod store_contract;
mod sweeper;
mod tokens;
mod web_basics;
