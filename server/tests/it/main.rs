//! Integration tests: the real application over HTTP, each test with a fresh database,
//! on SQLite and (with `TEST_DATABASE_URL`) on PostgreSQL.

#[macro_use]
mod helpers;

mod analysis;
mod auth;
mod ingest;
mod llm;
mod pipeline;
mod smtp;
mod tenancy;
