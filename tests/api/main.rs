//! The HTTP integration suite: the real server (`Application::build`) on a random port, a real
//! database per test (SQLite, and PostgreSQL when `OFFERTE_TEST_POSTGRES_URL` is set), the real
//! catalog files, every call over HTTP.
//!
//! Run: `OFFERTE_TEST_POSTGRES_URL=postgres://... OFFERTE_TEST_REQUIRE_POSTGRES=1 cargo test --test api`.

#[macro_use]
mod helpers;

mod archive;
mod auth;
mod bad_requests;
mod catalog_versions;
mod concurrency;
mod consent;
mod crash;
mod documents;
mod email;
mod exports;
mod operations;
mod preview;
mod price_exports;
mod quotes;
mod races;
mod requests;
mod tenancy;
mod webhook_admin;
mod webhooks;
