//! Ingest of call-ended events: first end wins on `(account, call_id)`, and the
//! conversation and its `AnalyzeCall` job are written in one transaction.

pub mod commit;
pub mod event;

use chrono::{SubsecRound, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use self::event::CallEnded;
use crate::Services;
use crate::agents;
use crate::entities::{account, conversation};
use crate::error::{Error, Result};
use crate::queue::{self, AnalyzeCall, Payload};
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
    // A free slot of this process's runner, when no job waits: the analysis is queued
    // claimed and handed to the runner at commit, with no claim statement between.
    let reservation = services.intake.get().and_then(|intake| intake.try_reserve(tenant));
    let lease = reservation.as_ref().map(|_| services.settings.jobs.lease);
    let mut work = crate::db::Work::begin(services).await?;
    let (outcome, claimed) = store_claimed(work.db(), tenant, account.auto_create_agents, call, lease).await?;
    if outcome.duplicate {
        work.rollback().await?;
        return Ok(outcome);
    }
    match (reservation, claimed) {
        (Some(reservation), Some(job)) => {
            // Committed and handed over in a task of its own: a request dropped during the
            // commit (its client went away) must not leave a committed job that nobody
            // runs until its lease runs out.
            tokio::spawn(async move {
                work.commit().await?;
                reservation.hand_over(job);
                Ok::<_, sea_orm::DbErr>(())
            })
            .await
            .map_err(|e| Error::internal("committing a call", e))??;
        }
        _ => {
            work.wake_runner();
            work.commit().await?;
        }
    }
    Ok(outcome)
}

/// What a call's `AnalyzeCall` job queued claimed carries to its first attempt
/// ([`queue::ClaimedJob::with_warm`]): the conversation and its agent as ingest wrote and
/// read them.
#[derive(Debug)]
pub struct WarmCall {
    pub conversation: conversation::Model,
    pub agent: crate::entities::agent::Model,
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
    Ok(store_claimed(db, tenant, auto_create_agents, call, None).await?.0)
}

/// [`store`], with the `AnalyzeCall` job queued already claimed under `lease` when one is
/// given ([`queue::enqueue_claimed`]) and returned with the rows it needs
/// ([`WarmCall`]), for the caller to hand to its runner after committing.
async fn store_claimed<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    auto_create_agents: bool,
    call: CallEnded,
    lease: Option<std::time::Duration>,
) -> Result<(Ingested, Option<queue::ClaimedJob>)> {
    let agent = match agents::resolve_for_ingest(db, tenant, &call.agent_id, auto_create_agents).await {
        Ok(agent) => agent,
        // A repeat of a stored call still answers as a duplicate after its agent was removed.
        Err(e @ Error::NotFound(_)) => match existing(db, tenant, &call.call_id).await? {
            Some(id) => return Ok((Ingested { conversation_id: id, duplicate: true }, None)),
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
    let model = conversation::Model {
        id,
        account_id: tenant.account_id(),
        agent_id: agent.id,
        call_id: call.call_id,
        status: call.status,
        direction: call.direction,
        channel: call.channel,
        started_at: call.started_at,
        ended_at: call.ended_at,
        duration_s: call.duration_s,
        end_reason: call.end_reason,
        end_reason_raw: call.end_reason_raw,
        from_number: call.from_number.map(|n| n.as_str().to_owned()),
        to_number: call.to_number.map(|n| n.as_str().to_owned()),
        customer_name: call.customer_name,
        customer_email: call.customer_email.map(|e| e.as_str().to_owned()),
        dynamic_variables: crate::columns::DynamicVariables(call.dynamic_variables),
        transcript: crate::columns::Transcript(call.transcript),
        turn_count,
        // Microseconds, what PostgreSQL keeps: the analysis handed this row sees the
        // value a later read would.
        received_at: Utc::now().trunc_subsecs(6),
        platform_analysis: call.platform_analysis,
    };
    // Kept for the job's first attempt only when it is handed over.
    let (row, kept) = match lease {
        Some(_) => (conversation::ActiveModel::from(model.clone()), Some(model)),
        None => (conversation::ActiveModel::from(model), None),
    };
    let inserted = conversation::Entity::insert(row)
        .on_conflict_do_nothing_on([conversation::Column::AccountId, conversation::Column::CallId])
        .exec_without_returning(db)
        .await?;
    if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        // An earlier event of this call is stored (or a concurrent one won the race).
        let id = existing(db, tenant, &call_id).await?.ok_or(Error::NotFound("conversation"))?;
        return Ok((Ingested { conversation_id: id, duplicate: true }, None));
    }
    crate::search::index(db, tenant, id, document).await?;
    let job = AnalyzeCall { conversation_id: id };
    let claimed = match (lease, kept) {
        (Some(lease), Some(conversation)) => {
            let claimed = queue::enqueue_claimed(db, tenant, &job, AnalyzeCall::MAX_ATTEMPTS, lease).await?;
            Some(claimed.with_warm(WarmCall { conversation, agent }))
        }
        _ => {
            queue::enqueue(db, tenant, &job).await?;
            None
        }
    };
    Ok((Ingested { conversation_id: id, duplicate: false }, claimed))
}
