//! A group commit's calls in a few multi-row statements (SQLite, [`super::commit`]).
//!
//! Storing calls one by one costs seven statements each (a savepoint, the agent's lookup,
//! four inserts, the release), and on SQLite every statement is a round trip to the
//! connection's own thread: under load the writer spent its time handing statements over,
//! not writing. Here a batch costs one lookup per distinct agent, then one insert each for
//! the conversations, their search keys, their search documents and their jobs, however
//! many calls it holds. Calls whose agent does not exist yet are left to the one-by-one
//! path (which creates the agent when the account allows it, or answers 404).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict, Query, SqliteQueryBuilder};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Iterable, ModelTrait, Statement};
use uuid::Uuid;

use super::{Ingested, Prepared, WarmCall};
use crate::entities::{agent, conversation, job};
use crate::queue::{self, AnalyzeCall, ClaimedJob, Payload};
use crate::tenancy::Tenant;

/// One call of a batch: who sent it, whether its account creates unknown agents, the call,
/// and the lease its analysis is queued claimed under (a runner slot is reserved for it).
pub(super) struct Call {
    pub tenant: Tenant,
    pub auto_create_agents: bool,
    pub prepared: Prepared,
    pub lease: Option<Duration>,
}

/// What became of one call.
pub(super) enum Stored {
    /// Stored (or found a duplicate), with its analysis claimed when it had a lease.
    Done(Ingested, Option<ClaimedJob>),
    /// Its agent does not exist: store it one by one.
    Alone(Box<Call>),
}

/// `INSERT INTO <entity> (<every column>) VALUES (…), … [ON CONFLICT …] [RETURNING id]`
/// for `rows`, each row's values read from its model.
fn insert_many<'a, M: ModelTrait + 'a>(
    rows: impl IntoIterator<Item = &'a M>,
    on_conflict: Option<OnConflict>,
    returning: Option<<M::Entity as sea_orm::EntityTrait>::Column>,
) -> Result<Statement, DbErr> {
    let columns: Vec<_> = <M::Entity as sea_orm::EntityTrait>::Column::iter().collect();
    let mut insert = Query::insert();
    insert.into_table(M::Entity::default()).columns(columns.clone());
    for row in rows {
        insert
            .values(columns.iter().map(|c| Expr::val(row.get(*c))))
            .map_err(|e| DbErr::Custom(format!("ingest's batch insert: {e}")))?;
    }
    if let Some(on_conflict) = on_conflict {
        insert.on_conflict(on_conflict);
    }
    if let Some(column) = returning {
        insert.returning_col(column);
    }
    let (sql, values) = insert.build(SqliteQueryBuilder);
    Ok(Statement::from_sql_and_values(DbBackend::Sqlite, sql, values))
}

/// Stores `calls` on `db` (a savepoint of the group commit: on an error the caller rolls it
/// back and stores every call one by one, so nothing of this attempt remains). Returns one
/// [`Stored`] per call, in order.
///
/// Errors: the database's, with the calls given back untouched.
pub(super) async fn store<C: ConnectionTrait>(db: &C, mut calls: Vec<Call>) -> Result<Vec<Stored>, (DbErr, Vec<Call>)> {
    match write(db, &mut calls).await {
        Ok(written) => Ok(finish(calls, written)),
        Err(e) => Err((e, calls)),
    }
}

/// What [`write`] found and wrote, for [`finish`].
struct Written {
    /// Each call's agent, `None` when unknown.
    agents: Vec<Option<agent::Model>>,
    /// Each duplicate call's stored conversation, by its index in the batch.
    duplicates: HashMap<usize, Uuid>,
    /// The claims of the jobs queued claimed, by the call's index.
    claims: HashMap<usize, ClaimedJob>,
}

async fn write<C: ConnectionTrait>(db: &C, calls: &mut [Call]) -> Result<Written, DbErr> {
    // One lookup per distinct agent.
    let mut known: HashMap<(Uuid, &str), Option<agent::Model>> = HashMap::new();
    for call in calls.iter() {
        let key = (call.tenant.account_id(), call.prepared.agent_external_id.as_str());
        if let std::collections::hash_map::Entry::Vacant(slot) = known.entry(key) {
            let found = crate::agents::find_by_external_id(db, &call.tenant, slot.key().1)
                .await
                .map_err(|e| DbErr::Custom(format!("looking up an agent: {e}")))?;
            slot.insert(found);
        }
    }
    let agents: Vec<Option<agent::Model>> = calls
        .iter()
        .map(|c| known.get(&(c.tenant.account_id(), c.prepared.agent_external_id.as_str())).cloned().flatten())
        .collect();
    drop(known);
    for (call, agent) in calls.iter_mut().zip(&agents) {
        if let Some(agent) = agent {
            call.prepared.conversation.agent_id = agent.id;
        }
    }
    let with_agent: Vec<usize> = (0..calls.len()).filter(|&i| agents[i].is_some()).collect();
    let mut written = Written { agents, duplicates: HashMap::new(), claims: HashMap::new() };
    if with_agent.is_empty() {
        return Ok(written);
    }

    // The conversations: the unique (account, call_id) index turns a call stored before
    // (or twice in this batch) into no row.
    let statement = insert_many(
        with_agent.iter().map(|&i| &calls[i].prepared.conversation),
        Some(
            OnConflict::columns([conversation::Column::AccountId, conversation::Column::CallId])
                .do_nothing()
                .to_owned(),
        ),
        Some(conversation::Column::Id),
    )?;
    let inserted = db
        .query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id"))
        .collect::<Result<HashSet<Uuid>, DbErr>>()?;
    let (stored, duplicate): (Vec<usize>, Vec<usize>) =
        with_agent.into_iter().partition(|&i| inserted.contains(&calls[i].prepared.conversation.id));
    for i in duplicate {
        let call = &calls[i];
        let id = super::existing(db, &call.tenant, &call.prepared.conversation.call_id)
            .await
            .map_err(|e| DbErr::Custom(format!("finding a duplicate call: {e}")))?
            .ok_or_else(|| DbErr::Custom("a duplicate call's conversation is gone".to_owned()))?;
        written.duplicates.insert(i, id);
    }
    if stored.is_empty() {
        return Ok(written);
    }

    let documents: Vec<(Uuid, Uuid, &str)> = stored
        .iter()
        .map(|&i| {
            let p = &calls[i].prepared;
            (p.conversation.account_id, p.conversation.id, p.document.as_str())
        })
        .collect();
    crate::search::index_many_sqlite(db, &documents)
        .await
        .map_err(|e| DbErr::Custom(format!("indexing the calls: {e}")))?;

    let now = Utc::now();
    let mut jobs: Vec<job::Model> = Vec::with_capacity(stored.len());
    for &i in &stored {
        let call = &calls[i];
        let analysis = AnalyzeCall { conversation_id: call.prepared.conversation.id };
        let (row, claim) = queue::row(&call.tenant, &analysis, now, AnalyzeCall::MAX_ATTEMPTS, call.lease)?;
        jobs.push(sea_orm::TryIntoModel::try_into_model(row)?);
        if call.lease.is_some() {
            written.claims.insert(i, claim);
        }
    }
    db.execute_raw(insert_many(&jobs, None, None)?).await?;
    Ok(written)
}

fn finish(calls: Vec<Call>, mut written: Written) -> Vec<Stored> {
    calls
        .into_iter()
        .zip(written.agents)
        .enumerate()
        .map(|(i, (call, agent))| {
            let Some(agent) = agent else { return Stored::Alone(Box::new(call)) };
            let conversation = call.prepared.conversation;
            if let Some(id) = written.duplicates.remove(&i) {
                return Stored::Done(Ingested { conversation_id: id, duplicate: true }, None);
            }
            let ingested = Ingested { conversation_id: conversation.id, duplicate: false };
            let claim = written.claims.remove(&i).map(|claim| claim.with_warm(WarmCall { conversation, agent }));
            Stored::Done(ingested, claim)
        })
        .collect()
}
