//! Indexes that let the dispatcher claim jobs without reading the whole backlog.
//!
//! - `jobs_pending_by_account (account_id, run_at, id) WHERE state = 'pending'`: the claim
//!   walks the accounts that have pending jobs (one index seek per account) and takes each
//!   account's first due jobs in order, so a claim costs the same with 10 or 1,000,000 jobs
//!   waiting (`backend::queue::claim`).
//! - `jobs_running_lease (account_id, locked_until) WHERE state = 'running'`: the running
//!   jobs per account (the fair-share count) and the leases that ran out, from a small index.
//!
//! Both are partial indexes (SQLite and PostgreSQL): finished jobs, the bulk of the table,
//! are not in them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE INDEX jobs_pending_by_account ON jobs (account_id, run_at, id) WHERE state = 'pending'",
    "CREATE INDEX jobs_running_lease ON jobs (account_id, locked_until) WHERE state = 'running'",
];

const DOWN: &[&str] = &["DROP INDEX jobs_pending_by_account", "DROP INDEX jobs_running_lease"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_each(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_each(manager, DOWN).await
    }
}
