//! Queueing a webhook delivery of an action, for a call or as a test.

#[allow(unused_imports)]
use super::*;

/// Inserts a delivery of `event_type` to `action` and its `DeliverWebhook` job (with the
/// configured attempts) in `db`. The body is `payload` when the caller built it from rows
/// in hand, else it is built at the first attempt; the delivery keeps only the
/// [`display_url`] (requests go to the action's URL).
///
/// With `claim_for` (a lease; only a running job's handler passes one) the job is inserted
/// already claimed ([`queue::enqueue_claimed`]) and returned, for the handler to hand to
/// its runner after committing ([`queue::ClaimedJob::hand_over`]); without it the caller
/// wakes the runner after committing.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn queue_delivery<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    settings: &crate::Settings,
    action: &post_call_action::Model,
    conversation_id: Option<Uuid>,
    event_type: WebhookEvent,
    test: bool,
    payload: Option<String>,
    claim_for: Option<std::time::Duration>,
) -> Result<QueuedDelivery> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let attempts = i32::try_from(settings.webhooks.retry_schedule.len() + 1).unwrap_or(i32::MAX);
    let job = DeliverWebhook { delivery_id: id, conversation_id };
    let (job_id, claimed) = match claim_for {
        Some(lease) => {
            let claimed = queue::enqueue_claimed(db, tenant, &job, attempts, lease).await?;
            (claimed.id, Some(claimed))
        }
        None => (queue::enqueue_with(db, tenant, &job, now, attempts).await?, None),
    };
    let row = webhook_delivery::Model {
        id,
        account_id: tenant.account_id(),
        action_id: Some(action.id),
        action_name: action.name.clone(),
        action_version: Some(action.version),
        url: display_url(&action.url),
        format: action.format,
        conversation_id,
        event_type,
        webhook_id: format!("msg_{}", id.simple()),
        payload,
        state: crate::delivery::WebhookState::Pending,
        attempts: 0,
        last_status: None,
        last_error: None,
        job_id: Some(job_id),
        test,
        delivered_at: None,
        created_at: now,
        updated_at: now,
    };
    webhook_delivery::Entity::insert(webhook_delivery::ActiveModel::from(row.clone()))
        .exec_without_returning(db)
        .await?;
    // The job's first attempt starts from the rows as written here (the delivery and the
    // action it goes to, opened) instead of reading both back.
    let claimed = claimed.map(|job| job.with_warm(WarmDelivery { row, action: action.clone() }));
    Ok(QueuedDelivery { id, claimed })
}

/// What a delivery queued claimed carries to its first attempt
/// ([`queue::ClaimedJob::with_warm`]): the delivery row as [`queue_delivery`] inserted it
/// and the action it goes to, with its secrets opened, as the queuing analysis read it.
#[derive(Debug)]
pub struct WarmDelivery {
    pub row: webhook_delivery::Model,
    pub action: post_call_action::Model,
}

/// A delivery [`queue_delivery`] stored: its id, and its job when it was queued claimed.
pub(crate) struct QueuedDelivery {
    pub id: Uuid,
    pub claimed: Option<queue::ClaimedJob>,
}

/// Queues a test delivery to action `id` (about the agent's latest conversation, or a
/// sample when it has none). Needs the configure permission. Returns the delivery's id.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`].
pub async fn test_send(services: &crate::Services, actor: &Actor, id: Uuid) -> Result<Uuid> {
    actor.require(Permission::Configure)?;
    let tenant = actor.tenant();
    let db = &services.db;
    let action = get(db, &services.secrets, tenant, id).await?;
    let latest = scope::<conversation::Entity>(tenant)
        .filter(conversation::Column::AgentId.eq(action.agent_id))
        .order_by_desc(conversation::Column::ReceivedAt)
        .one(db)
        .await?;
    let mut work = crate::db::Work::begin(services).await?;
    let conversation_id = latest.map(|c| c.id);
    let delivery = queue_delivery(
        work.db(),
        tenant,
        &services.settings,
        &action,
        conversation_id,
        WebhookEvent::Test,
        true,
        None,
        None,
    )
    .await?;
    work.wake_runner();
    work.commit().await?;
    Ok(delivery.id)
}
