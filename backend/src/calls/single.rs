//! Ingest on PostgreSQL in one statement: the agent's lookup, the conversation, its search
//! document and its `AnalyzeCall` job are written by a single `WITH … INSERT` statement,
//! one round trip and one implicit transaction per call, instead of `BEGIN`, four
//! statements and `COMMIT` (six round trips, each a wake-up of the server and of this
//! process). A statement is atomic, so a failed one stores nothing; a call whose
//! `(account, call_id)` is stored already inserts no row in any table, since the search
//! and job inserts read the conversation insert's `RETURNING` (PostgreSQL runs every
//! data-modifying part of a `WITH` exactly once, on one snapshot).
//!
//! ```sql
//! WITH a AS (SELECT * FROM agents WHERE account_id = $ AND external_id = $),
//!      c AS (INSERT INTO conversations (…) SELECT $, …, a.id, … FROM a
//!            ON CONFLICT (account_id, call_id) DO NOTHING RETURNING id),
//!      s AS (INSERT INTO conversation_search (…) SELECT c.id, $, strip(to_tsvector(…)) FROM c),
//!      j AS (INSERT INTO jobs (…) SELECT $, … FROM c)
//! SELECT a.*, EXISTS (SELECT 1 FROM c) AS inserted FROM a
//! ```
//!
//! The statement's text is the same for every call, so each pooled connection prepares
//! it once. An unknown agent answers no row; the caller then creates the agent (when the
//! account allows it) and runs the statement again in a transaction with that insert.

use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, InsertStatement, OnConflict, PostgresQueryBuilder, Query,
    SelectStatement, WithClause,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, FromQueryResult, IdenStatic, Iterable,
    ModelTrait, Statement,
};

use crate::entities::{agent, conversation, job};
use crate::tenancy::Tenant;

/// What the statement did.
#[derive(Debug)]
pub(super) enum Outcome {
    /// The conversation, its document and its job were inserted; the call's agent.
    Stored(agent::Model),
    /// The account has a conversation with this `call_id` already: nothing was inserted.
    Duplicate,
    /// The account has no agent with this external id: nothing was inserted.
    NoAgent,
}

const AGENT: &str = "a";
const INSERTED: &str = "c";

/// `INSERT INTO <table> (<every column>) SELECT <exprs> FROM <from>`.
fn insert_select(
    table: impl sea_orm::sea_query::IntoTableRef,
    columns: Vec<Alias>,
    exprs: Vec<Expr>,
    from: &str,
) -> Result<InsertStatement, DbErr> {
    let mut select = Query::select();
    select.exprs(exprs).from(Alias::new(from));
    let mut insert = Query::insert();
    insert.into_table(table).columns(columns);
    insert.select_from(select).map_err(|e| DbErr::Custom(format!("ingest's insert: {e}")))?;
    Ok(insert)
}

fn cte(name: &str, query: impl Into<sea_orm::sea_query::SubQueryStatement>) -> CommonTableExpression {
    let mut cte = CommonTableExpression::new();
    cte.query(query).table_name(Alias::new(name));
    cte
}

/// The statement that stores `conversation` (its `agent_id` is replaced by the id of the
/// tenant's agent `agent_external_id`), its search `document` and the job row `job`.
///
/// Errors: none in practice (sea-query's column-count checks, as [`DbErr::Custom`]).
pub(super) fn statement(
    tenant: &Tenant,
    agent_external_id: &str,
    conversation: &conversation::Model,
    document: &str,
    job: &job::ActiveModel,
) -> Result<Statement, DbErr> {
    let mut agent_lookup = Query::select();
    agent_lookup
        .column(Asterisk)
        .from(agent::Entity)
        .and_where(agent::Column::AccountId.eq(tenant.account_id()))
        .and_where(agent::Column::ExternalId.eq(agent_external_id));

    let (columns, exprs): (Vec<Alias>, Vec<Expr>) = conversation::Column::iter()
        .map(|column| {
            let expr = if matches!(column, conversation::Column::AgentId) {
                Expr::col((Alias::new(AGENT), agent::Column::Id))
            } else {
                Expr::val(conversation.get(column))
            };
            (Alias::new(column.as_str()), expr)
        })
        .unzip();
    let mut stored = insert_select(conversation::Entity, columns, exprs, AGENT)?;
    stored
        .on_conflict(
            OnConflict::columns([conversation::Column::AccountId, conversation::Column::CallId])
                .do_nothing()
                .to_owned(),
        )
        .returning_col(conversation::Column::Id);

    let (columns, exprs): (Vec<Alias>, Vec<Expr>) = job::Column::iter()
        .map(|column| {
            let value = job
                .get(column)
                .into_value()
                .ok_or_else(|| DbErr::Custom(format!("job column {} unset", column.as_str())))?;
            Ok((Alias::new(column.as_str()), Expr::val(value)))
        })
        .collect::<Result<Vec<_>, DbErr>>()?
        .into_iter()
        .unzip();
    let queued = insert_select(job::Entity, columns, exprs, INSERTED)?;
    let indexed = crate::search::index_from_pg(INSERTED, tenant, document)?;

    let mut with = WithClause::new();
    with.cte(cte(AGENT, agent_lookup)).cte(cte(INSERTED, stored)).cte(cte("s", indexed)).cte(cte("j", queued));
    let mut any_inserted = Query::select();
    any_inserted.expr(Expr::val(1)).from(Alias::new(INSERTED));
    let mut main: SelectStatement = Query::select();
    main.column((Alias::new(AGENT), Asterisk))
        .expr_as(Expr::exists(any_inserted), Alias::new("inserted"))
        .from(Alias::new(AGENT));
    let (sql, values) = main.with(with).build(PostgresQueryBuilder);
    Ok(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
}

/// Runs [`statement`] on `db` (the pool: its own transaction; or a transaction).
///
/// Errors: the database's.
pub(super) async fn run<C: ConnectionTrait>(db: &C, statement: Statement) -> Result<Outcome, DbErr> {
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(Outcome::NoAgent);
    };
    if !row.try_get::<bool>("", "inserted")? {
        return Ok(Outcome::Duplicate);
    }
    Ok(Outcome::Stored(agent::Model::from_query_result(&row, "")?))
}
