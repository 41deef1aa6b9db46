//! Ingest of call-ended events: first end wins on `(account, call_id)`, and the
//! conversation and its `AnalyzeCall` job are written in one transaction.

mod bulk;
pub mod commit;
pub mod event;
mod single;

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
/// calls, written together in multi-row inserts (`bulk`); a call that cannot go that way
/// goes alone in a savepoint, so one call's error leaves the others stored). On
/// PostgreSQL each call is one statement, its own transaction (`single`: the server runs
/// concurrent writers and groups their WAL flushes itself). Either way the hot path is the
/// insert itself: no pre-check query (the unique `(account, call_id)` index answers the
/// duplicate question).
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
    // claimed and handed to the runner as soon as it is stored, with no claim between.
    let reservation = services.intake.get().and_then(|intake| intake.try_reserve(tenant));
    let lease = reservation.as_ref().map(|_| services.settings.jobs.lease);
    let wake = crate::db::StatementCommit::of(services);
    // In a task of its own: a request dropped mid-way (its client went away) must not
    // leave a stored job claimed that nobody runs until its lease runs out.
    tokio::spawn(store_in_one_statement(
        services.db.clone(),
        wake,
        *tenant,
        account.auto_create_agents,
        call,
        reservation.zip(lease),
    ))
    .await
    .map_err(|e| Error::internal("storing a call", e))?
}

/// Ingest on PostgreSQL: the call in one statement ([`single`]), its analysis handed to
/// `claim`'s reservation (claimed under its lease) or left pending with the runners woken.
/// An unknown agent is created, when `auto_create_agents`, in one transaction with the
/// call.
///
/// Errors: as [`ingest`].
async fn store_in_one_statement(
    db: sea_orm::DatabaseConnection,
    wake: crate::db::StatementCommit,
    tenant: Tenant,
    auto_create_agents: bool,
    call: CallEnded,
    claim: Option<(queue::intake::Reservation, std::time::Duration)>,
) -> Result<Ingested> {
    use sea_orm::TransactionTrait;
    use single::Outcome;

    let Prepared { agent_external_id, mut conversation, document } = Prepared::new(&tenant, call);
    let id = conversation.id;
    let call_id = conversation.call_id.clone();
    let job = AnalyzeCall { conversation_id: id };
    let lease = claim.as_ref().map(|(_, lease)| *lease);
    let (job_row, claimed) = queue::row(&tenant, &job, Utc::now(), AnalyzeCall::MAX_ATTEMPTS, lease)?;
    let statement = || single::statement(&tenant, &agent_external_id, &conversation, &document, &job_row);
    let mut outcome = single::run(&db, statement()?).await?;
    if matches!(outcome, Outcome::NoAgent) && auto_create_agents {
        // The call's agent is new: created in one transaction with the call, so a call
        // that is not stored leaves no agent behind.
        let txn = db.begin().await?;
        agents::resolve_for_ingest(&txn, &tenant, &agent_external_id, true).await?;
        outcome = single::run(&txn, statement()?).await?;
        if matches!(outcome, Outcome::Stored(_)) {
            txn.commit().await?;
        } else {
            txn.rollback().await?;
        }
    }
    match outcome {
        Outcome::Stored(agent) => {
            conversation.agent_id = agent.id;
            match claim {
                Some((reservation, _)) => reservation.hand_over(claimed.with_warm(WarmCall { conversation, agent })),
                None => wake.jobs_stored(),
            }
            Ok(Ingested { conversation_id: id, duplicate: false })
        }
        // An earlier event of this call is stored (or a concurrent one won the race); a
        // repeat of a stored call still answers as a duplicate after its agent was removed.
        Outcome::Duplicate | Outcome::NoAgent => match existing(&db, &tenant, &call_id).await? {
            Some(id) => Ok(Ingested { conversation_id: id, duplicate: true }),
            None if matches!(outcome, Outcome::NoAgent) => Err(Error::NotFound("agent")),
            None => Err(Error::NotFound("conversation")),
        },
    }
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
    Ok(store_claimed(db, tenant, auto_create_agents, Prepared::new(tenant, call), None).await?.0)
}

/// [`store`], with the `AnalyzeCall` job queued already claimed under `lease` when one is
/// given ([`queue::enqueue_claimed`]) and returned with the rows it needs
/// ([`WarmCall`]), for the caller to hand to its runner after committing.
async fn store_claimed<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    auto_create_agents: bool,
    call: Prepared,
    lease: Option<std::time::Duration>,
) -> Result<(Ingested, Option<queue::ClaimedJob>)> {
    let Prepared { agent_external_id, conversation: mut model, document } = call;
    let call_id = model.call_id.clone();
    let agent = match agents::resolve_for_ingest(db, tenant, &agent_external_id, auto_create_agents).await {
        Ok(agent) => agent,
        // A repeat of a stored call still answers as a duplicate after its agent was removed.
        Err(e @ Error::NotFound(_)) => match existing(db, tenant, &call_id).await? {
            Some(id) => return Ok((Ingested { conversation_id: id, duplicate: true }, None)),
            None => return Err(e),
        },
        Err(e) => return Err(e),
    };
    model.agent_id = agent.id;
    let id = model.id;
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

/// A call made ready to store: its conversation row (a new id, received now; the agent is
/// resolved when it is stored, `agent_id` is nil until then) and its search document
/// ([`crate::search::document`]).
struct Prepared {
    /// The call event's `agent_id`: the integrator's id of the agent.
    agent_external_id: String,
    conversation: conversation::Model,
    document: String,
}

impl Prepared {
    fn new(tenant: &Tenant, call: CallEnded) -> Self {
        let agent_external_id = call.agent_id.clone();
        let (conversation, document) = conversation_row(tenant, call);
        Self { agent_external_id, conversation, document }
    }
}

fn conversation_row(tenant: &Tenant, call: CallEnded) -> (conversation::Model, String) {
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
    let model = conversation::Model {
        id: Uuid::now_v7(),
        account_id: tenant.account_id(),
        agent_id: Uuid::nil(),
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
    (model, document)
}
