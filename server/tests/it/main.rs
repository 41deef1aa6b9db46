//! Integration tests: the real application over HTTP, each test with a fresh database,
//! on SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL.

#[macro_use]
mod helpers;

mod analysis;
mod auth;
mod authoring;
mod cli;
mod crash;
mod security;
mod dashboard;
mod delivery;
mod ingest;
mod live;
mod llm;
mod pipeline;
mod smtp;
mod team;
mod tenancy;
