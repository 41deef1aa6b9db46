//! Ingest of call-ended events: first end wins on `(account, call_id)`, and the
//! conversation and its `AnalyzeCall` job are written in one transaction.

pub mod commit;
pub mod event;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use self::event::CallEnded;
use crate::Services;
use crate::agents;
use crate::entities::{account, conversation};
use crate::error::{Error, Result};
use crate::queue::{self, AnalyzeCall};
use crate::tenancy::{Tenant, scope};

/// What ingest did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ingested {
    /// The conversation of this call (the first event's, for duplicates).
    pub conversation_id: Uuid,
    /// Whether an earlier event already created it (nothing was changed or triggered).
    pub duplicate: bool,
}

async fn existing(db: &impl sea_orm::ConnectionTrait, tenant: &Tenant, call_id: &str) -> Result<Option<Uuid>> {
    Ok(scope::<conversation::Entity>(tenant)
        .filter(conversation::Column::CallId.eq(call_id))
        .one(db)
        .await?
        .map(|c| c.id))
}

/// Stores a call once and enqueues its analysis, answering after the commit is durable.
///
/// A later event with the same `call_id` returns the first conversation with
/// `duplicate: true` and changes nothing. On any error nothing is stored (an agent
/// auto-created for the call included).
///
/// On SQLite every call goes through the single [`commit::IngestWriter`], which commits
/// the calls waiting at that moment in one transaction (group commit: one fsync for many
/// calls, each in its own savepoint so one call's error leaves the others stored). On
/// PostgreSQL each call is its own transaction (the server runs concurrent writers and
/// groups their WAL flushes itself). Either way the hot path is the insert itself: no
/// pre-check query (the unique `(account, call_id)` index answers the duplicate question).
///
/// Errors: [`Error::NotFound`] (`agent`) for an unknown agent when the account does not
/// auto-create agents; [`Error::Db`].
pub async fn ingest(
    services: &Services,
    tenant: &Tenant,
    account: &account::Model,
    call: CallEnded,
) -> Result<Ingested> {
    if services.db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        let writer = services.ingest_writer.get_or_init(|| commit::IngestWriter::spawn(services));
        return writer.submit(*tenant, account.auto_create_agents, call).await;
    }
    let mut work = crate::db::Work::begin(services).await?;
    let outcome = store(work.db(), tenant, account.auto_create_agents, call).await?;
    if outcome.duplicate {
        work.rollback().await?;
    } else {
        work.wake_runner();
        work.commit().await?;
    }
    Ok(outcome)
}

/// The writes of one call on `db` (a transaction or savepoint the caller commits only when
/// the outcome is not a duplicate): the agent (auto-created when allowed), the conversation
/// (insert or nothing on `(account, call_id)`), its search document and its `AnalyzeCall`
/// job. Ingest calls it in its own transactions; `aftercall bench seed` calls it to fill a
/// database with the same rows ingest writes.
///
/// Errors: as [`ingest`].
pub async fn store<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    auto_create_agents: bool,
    call: CallEnded,
) -> Result<Ingested> {
    let agent = match agents::resolve_for_ingest(db, tenant, &call.agent_id, auto_create_agents).await {
        Ok(agent) => agent,
        // A repeat of a stored call still answers as a duplicate after its agent was removed.
        Err(e @ Error::NotFound(_)) => match existing(db, tenant, &call.call_id).await? {
            Some(id) => return Ok(Ingested { conversation_id: id, duplicate: true }),
            None => return Err(e),
        },
        Err(e) => return Err(e),
    };
    let id = Uuid::now_v7();
    let utterances: Vec<&str> = call.transcript.iter().map(|t| t.text.as_str()).collect();
    let document = crate::search::document(&crate::search::SearchFields {
        call_id: &call.call_id,
        customer_name: call.customer_name.as_deref(),
        customer_email: call.customer_email.as_ref().map(|e| e.as_str()),
        numbers: [call.from_number.as_ref().map(|n| n.as_str()), call.to_number.as_ref().map(|n| n.as_str())],
        transcript: &utterances,
    });
    drop(utterances);
    let turn_count = i32::try_from(call.transcript.len()).unwrap_or(i32::MAX);
    let call_id = call.call_id.clone();
    let row = conversation::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        agent_id: Set(agent.id),
        call_id: Set(call.call_id),
        status: Set(call.status),
        direction: Set(call.direction),
        channel: Set(call.channel),
        started_at: Set(call.started_at),
        ended_at: Set(call.ended_at),
        duration_s: Set(call.duration_s),
        end_reason: Set(call.end_reason),
        end_reason_raw: Set(call.end_reason_raw),
        from_number: Set(call.from_number.map(|n| n.as_str().to_owned())),
        to_number: Set(call.to_number.map(|n| n.as_str().to_owned())),
        customer_name: Set(call.customer_name),
        customer_email: Set(call.customer_email.map(|e| e.as_str().to_owned())),
        dynamic_variables: Set(crate::columns::DynamicVariables(call.dynamic_variables)),
        transcript: Set(crate::columns::Transcript(call.transcript)),
        turn_count: Set(turn_count),
        received_at: Set(Utc::now()),
        platform_analysis: Set(call.platform_analysis),
    };
    let inserted = conversation::Entity::insert(row)
        .on_conflict_do_nothing_on([conversation::Column::AccountId, conversation::Column::CallId])
        .exec_without_returning(db)
        .await?;
    if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        // An earlier event of this call is stored (or a concurrent one won the race).
        let id = existing(db, tenant, &call_id).await?.ok_or(Error::NotFound("conversation"))?;
        return Ok(Ingested { conversation_id: id, duplicate: true });
    }
    crate::search::index(db, tenant, id, document).await?;
    queue::enqueue(db, tenant, &AnalyzeCall { conversation_id: id }).await?;
    Ok(Ingested { conversation_id: id, duplicate: false })
}
