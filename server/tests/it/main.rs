//! Integration tests: the real application over HTTP, each test with a fresh database,
//! on SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL.

// A panic is how a test fails (clippy's test allowance does not reach integration tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod helpers;

mod analysis;
mod assets;
mod auth;
mod authoring;
mod cli;
mod conditions;
mod crash;
mod dashboard;
mod delivery;
mod digests;
mod ingest;
mod integrations;
mod live;
mod llm;
mod metrics;
mod openapi;
mod pipeline;
mod request_actions;
mod scale_out;
mod security;
mod smtp;
mod storage;
mod team;
mod tenancy;
mod tries;
