//! Indexes for reading one conversation's rows within its tenant: `(account_id,
//! conversation_id)` on every table the conversation page and the list read by conversation
//! (analyses, notification runs, emails, alerts, tasks, webhook deliveries, scheduled calls).
//!
//! Every tenant-owned query filters on `account_id` as well as on the conversation. With
//! only an `account_id` index and a `conversation_id` index to choose from, SQLite (which
//! keeps no statistics unless `ANALYZE` ran) may pick the tenant's index and read every row
//! of the account: 357 ms for the list's analyses and 92 ms for a detail's runs at a
//! million conversations. An index on both columns is the evident choice on both
//! databases. `analyses_account` is dropped: the new index starts with its column.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "CREATE INDEX analyses_account_conversation ON analyses (account_id, conversation_id)",
    "DROP INDEX analyses_account",
    "CREATE INDEX notification_runs_account_conversation ON notification_runs (account_id, conversation_id, id)",
    "CREATE INDEX emails_account_conversation ON emails (account_id, conversation_id)",
    "CREATE INDEX alerts_account_conversation ON alerts (account_id, conversation_id)",
    "CREATE INDEX tasks_account_conversation ON tasks (account_id, conversation_id)",
    "CREATE INDEX webhook_deliveries_account_conversation ON webhook_deliveries (account_id, conversation_id)",
    "CREATE INDEX scheduled_calls_account_conversation ON scheduled_calls (account_id, conversation_id)",
];

const DOWN: &[&str] = &[
    "DROP INDEX scheduled_calls_account_conversation",
    "DROP INDEX webhook_deliveries_account_conversation",
    "DROP INDEX tasks_account_conversation",
    "DROP INDEX alerts_account_conversation",
    "DROP INDEX emails_account_conversation",
    "DROP INDEX notification_runs_account_conversation",
    "CREATE INDEX analyses_account ON analyses (account_id)",
    "DROP INDEX analyses_account_conversation",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_each(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_each(manager, DOWN).await
    }
}
