//! Full-text search over conversations: one search document per conversation (its
//! transcript's words, the caller's name and email, the call id and the numbers), kept in
//! an index the conversation list's text filter reads instead of a `LIKE` over the JSON.
//!
//! - SQLite: an FTS5 table `conversation_search(document)` whose rowid is the integer key of
//!   `conversation_search_keys(id, account_id, conversation_id)` (conversations have UUID
//!   keys and no stable rowid: `VACUUM` may renumber it). A trigger removes both rows when a
//!   conversation is deleted.
//! - PostgreSQL: `conversation_search(conversation_id, account_id, document tsvector)` with
//!   a GIN index, removed with its conversation by the foreign key.
//!
//! The rows are reached only through their conversation, whose query carries the tenant
//! scope; `account_id` is stored so a row names its tenant like every other table.
//!
//! Existing conversations are indexed here from their stored columns; new ones are indexed
//! by ingest in the transaction that stores them (`backend::conversations::search`).

//!
//! It also adds an index for each list filter that had none: the end reason, the start
//! time, and the runs that fired (the `fired` filter's subquery reads only this index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE conversation_search_keys (
        id INTEGER PRIMARY KEY,
        account_id BLOB NOT NULL,
        conversation_id BLOB NOT NULL UNIQUE
    )",
    "CREATE VIRTUAL TABLE conversation_search USING fts5(document, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER conversation_search_delete AFTER DELETE ON conversations BEGIN
        DELETE FROM conversation_search WHERE rowid =
            (SELECT id FROM conversation_search_keys WHERE conversation_id = old.id);
        DELETE FROM conversation_search_keys WHERE conversation_id = old.id;
    END",
    "INSERT INTO conversation_search_keys (account_id, conversation_id) SELECT account_id, id FROM conversations",
    "INSERT INTO conversation_search (rowid, document)
        SELECT k.id, lower(
            c.call_id || ' ' || coalesce(c.customer_name, '') || ' ' || coalesce(c.customer_email, '') || ' ' ||
            coalesce(replace(c.from_number, '+', ''), '') || ' ' || coalesce(replace(c.to_number, '+', ''), '') || ' ' ||
            coalesce((SELECT group_concat(json_extract(t.value, '$.text'), ' ') FROM json_each(c.transcript) t), ''))
        FROM conversation_search_keys k JOIN conversations c ON c.id = k.conversation_id",
];

/// Indexes for the list's filters, the same on both databases.
const FILTER_INDEXES_UP: &[&str] = &[
    "CREATE INDEX conversations_account_end_reason ON conversations (account_id, end_reason, id)",
    "CREATE INDEX conversations_account_started ON conversations (account_id, started_at)",
    "CREATE INDEX notification_runs_account_fired ON notification_runs (account_id, fired, conversation_id)",
];

const FILTER_INDEXES_DOWN: &[&str] = &[
    "DROP INDEX conversations_account_end_reason",
    "DROP INDEX conversations_account_started",
    "DROP INDEX notification_runs_account_fired",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER conversation_search_delete",
    "DROP TABLE conversation_search",
    "DROP TABLE conversation_search_keys",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE conversation_search (
        conversation_id uuid PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
        account_id uuid NOT NULL,
        document tsvector NOT NULL
    )",
    "CREATE INDEX conversation_search_document ON conversation_search USING GIN (document)",
    // The same words the ingest side writes: lower-cased, every run of other characters a
    // separator.
    "INSERT INTO conversation_search (conversation_id, account_id, document)
        SELECT c.id, c.account_id, to_tsvector('simple', regexp_replace(lower(
            c.call_id || ' ' || coalesce(c.customer_name, '') || ' ' || coalesce(c.customer_email, '') || ' ' ||
            coalesce(c.from_number, '') || ' ' || coalesce(c.to_number, '') || ' ' ||
            coalesce((SELECT string_agg(t ->> 'text', ' ') FROM jsonb_array_elements(c.transcript) t), '')),
            '[^[:alnum:]]+', ' ', 'g'))
        FROM conversations c",
];

const POSTGRES_DOWN: &[&str] = &["DROP TABLE conversation_search"];

async fn run(manager: &SchemaManager<'_>, up: bool, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DatabaseBackend::Sqlite => sqlite,
        DatabaseBackend::Postgres => postgres,
        other => return Err(DbErr::Migration(format!("full-text search is not built for {other:?}"))),
    };
    let db = manager.get_connection();
    for statement in statements.iter().chain(if up { FILTER_INDEXES_UP } else { FILTER_INDEXES_DOWN }) {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, true, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, false, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}
