//! Portcullis's integration tests: one crate (one link of the dependency tree), one
//! module per area, every test on its own server with a fresh data dir.

mod helpers;

mod account;
mod admin;
mod api;
mod asvs;
mod authz;
mod cli;
mod config;
mod embedding;
mod login;
mod logs;
mod proxy;
mod redirects;
mod register;
mod revocation;
mod security;
mod sessions;
mod web_basics;
