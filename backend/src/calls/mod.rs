//! Ingest of call-ended events: first end wins on `(account, call_id)`, and the
//! conversation and its `AnalyzeCall` job are written in one transaction.

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

/// Stores a call once and enqueues its analysis.
///
/// A later event with the same `call_id` returns the first conversation with
/// `duplicate: true` and changes nothing. On any error nothing is stored (an agent
/// auto-created for the call included).
///
/// Errors: [`Error::NotFound`] (`agent`) for an unknown agent when the account does not
/// auto-create agents; [`Error::Db`].
pub async fn ingest(
    services: &Services,
    tenant: &Tenant,
    account: &account::Model,
    call: CallEnded,
) -> Result<Ingested> {
    let db = &services.db;
    if let Some(id) = existing(db, tenant, &call.call_id).await? {
        return Ok(Ingested { conversation_id: id, duplicate: true });
    }
    let mut work = crate::db::Work::begin(services).await?;
    let agent = agents::resolve_for_ingest(work.db(), tenant, &call.agent_id, account.auto_create_agents).await?;
    let id = Uuid::now_v7();
    let turn_count = i32::try_from(call.transcript.len()).unwrap_or(i32::MAX);
    let row = conversation::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        agent_id: Set(agent.id),
        call_id: Set(call.call_id.clone()),
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
        transcript: Set(crate::columns::Transcript(call.transcript.clone())),
        turn_count: Set(turn_count),
        received_at: Set(Utc::now()),
        platform_analysis: Set(call.platform_analysis),
    };
    let inserted = conversation::Entity::insert(row)
        .on_conflict_do_nothing_on([conversation::Column::AccountId, conversation::Column::CallId])
        .exec_without_returning(work.db())
        .await?;
    if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        // A concurrent event for the same call won the race.
        work.rollback().await?;
        let id = existing(db, tenant, &call.call_id).await?.ok_or(Error::NotFound("conversation"))?;
        return Ok(Ingested { conversation_id: id, duplicate: true });
    }
    queue::enqueue(work.db(), tenant, &AnalyzeCall { conversation_id: id }).await?;
    work.wake_runner();
    work.commit().await?;
    Ok(Ingested { conversation_id: id, duplicate: false })
}
