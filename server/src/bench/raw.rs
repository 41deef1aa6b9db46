//! The raw limit of ingest's database work: a conversation row and its job row, copied from
//! the last call the server stored (so the rows are the same, transcript included) under
//! new ids, one write transaction each, as durable as ingest's (`synchronous=FULL` on
//! SQLite, like ingest's writer).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use uuid::Uuid;

/// `INSERT INTO table (…) SELECT …` copying the row `id = ?`, with `replaced` columns taken
/// from parameters (in column order), then the template id. Returns the SQL.
fn copy_sql(backend: DbBackend, table: &str, columns: &[String], replaced: &[&str]) -> String {
    let mut n = 0;
    let mut next = || {
        n += 1;
        if backend == DbBackend::Postgres { format!("${n}") } else { "?".to_owned() }
    };
    let exprs: Vec<String> =
        columns.iter().map(|c| if replaced.contains(&c.as_str()) { next() } else { format!("\"{c}\"") }).collect();
    let list: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    format!("INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE id = {}", list.join(", "), exprs.join(", "), next())
}

async fn columns(db: &DatabaseConnection, table: &str) -> Result<Vec<String>> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT column_name AS name FROM information_schema.columns \
             WHERE table_name = '{table}' AND table_schema = current_schema() ORDER BY ordinal_position"
        ),
        _ => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    };
    let rows = db.query_all_raw(Statement::from_string(backend, sql)).await?;
    rows.iter().map(|r| r.try_get::<String>("", "name").map_err(Into::into)).collect()
}

/// Inserts as fast as `connections` connections can for `seconds`; returns commits per second.
///
/// Errors: no call was stored yet to copy, or a database error.
pub async fn insert_rate(url: &str, connections: usize, seconds: u64) -> Result<f64> {
    let pool = u32::try_from(connections).unwrap_or(32);
    let db = backend::db::connect(url, pool).await?;
    let backend = db.get_database_backend();
    // As durable as ingest: each commit on disk before it returns (PostgreSQL's default).
    let db = if backend == DbBackend::Sqlite { backend::db::durable_pool(&db, pool).await? } else { db };
    let template = db
        .query_one_raw(Statement::from_string(backend, "SELECT id FROM conversations ORDER BY id DESC LIMIT 1"))
        .await?
        .context("no stored call to copy")?
        .try_get::<Uuid>("", "id")?;
    let job = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            if backend == DbBackend::Postgres {
                "SELECT id FROM jobs WHERE conversation_id = $1 LIMIT 1"
            } else {
                "SELECT id FROM jobs WHERE conversation_id = ? LIMIT 1"
            },
            [Value::from(template)],
        ))
        .await?
        .context("the copied call has no job")?
        .try_get::<Uuid>("", "id")?;
    let conversation_sql =
        copy_sql(backend, "conversations", &columns(&db, "conversations").await?, &["id", "call_id"]);
    let job_sql = copy_sql(backend, "jobs", &columns(&db, "jobs").await?, &["id", "conversation_id"]);
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (db, done) = (db.clone(), done.clone());
        let (conversation_sql, job_sql) = (conversation_sql.clone(), job_sql.clone());
        tasks.spawn(async move {
            while Instant::now() < deadline {
                let id = Uuid::now_v7();
                let txn = backend::db::begin_write(&db).await?;
                txn.execute_raw(Statement::from_sql_and_values(
                    backend,
                    &conversation_sql,
                    [Value::from(id), Value::from(format!("raw-{id}")), Value::from(template)],
                ))
                .await?;
                txn.execute_raw(Statement::from_sql_and_values(
                    backend,
                    &job_sql,
                    [Value::from(Uuid::now_v7()), Value::from(id), Value::from(job)],
                ))
                .await?;
                txn.commit().await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), sea_orm::DbErr>(())
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.context("a raw insert task")?.context("a raw insert")?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    db.close().await.ok();
    Ok(done.load(Ordering::Relaxed) as f64 / elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_replaces_the_named_columns_in_order_then_selects_the_template() {
        let cols = ["id", "account_id", "call_id", "transcript"].map(String::from);
        assert_eq!(
            copy_sql(DbBackend::Postgres, "conversations", &cols, &["id", "call_id"]),
            "INSERT INTO conversations (\"id\", \"account_id\", \"call_id\", \"transcript\") \
             SELECT $1, \"account_id\", $2, \"transcript\" FROM conversations WHERE id = $3"
        );
        assert!(
            copy_sql(DbBackend::Sqlite, "jobs", &cols, &["id"])
                .ends_with("SELECT ?, \"account_id\", \"call_id\", \"transcript\" FROM jobs WHERE id = ?")
        );
    }
}
