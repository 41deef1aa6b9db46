//! Replaying dead letters, one or all of a conversation's.

#[allow(unused_imports)]
use super::*;

/// Runs `job_id` again if it is dead, or queues `fresh` when the delivery has no dead job
/// (rows from before jobs were linked). Returns the job id.
pub(crate) async fn revive<C: ConnectionTrait, J: crate::queue::Payload>(
    db: &C,
    tenant: &Tenant,
    job_id: Option<Uuid>,
    fresh: &J,
    max_attempts: i32,
) -> Result<Uuid> {
    if let Some(id) = job_id
        && let Some(j) = scope::<job::Entity>(tenant).filter(job::Column::Id.eq(id)).one(db).await?
        && j.state == crate::queue::JobState::Dead
    {
        queue::replay(db, tenant, id).await?;
        return Ok(id);
    }
    Ok(queue::enqueue_with(db, tenant, fresh, Utc::now(), max_attempts).await?)
}

/// Replays a dead delivery: its job runs again from attempt 1 (same Message-ID or
/// `webhook-id`, same rendered content), now: the runner is woken at commit. Needs the work
/// permission; account emails only for those who may see them.
///
/// Errors: [`Error::Forbidden`]; [`Error::NotFound`]; [`Error::Invalid`] (`state`) unless
/// it is dead.
pub async fn replay(services: &crate::Services, actor: &Actor, channel: Channel, id: Uuid) -> Result<()> {
    actor.require(Permission::Work)?;
    let tenant = actor.tenant();
    let settings = &services.settings;
    let mut work = crate::db::Work::begin(services).await?;
    match channel {
        Channel::Email => {
            let e = crate::delivery::outbox::get(work.db(), actor, id).await?;
            if e.state != crate::delivery::outbox::EmailState::Dead {
                return Err(Error::invalid(
                    "state",
                    format!("only dead deliveries can be replayed; this one is {}", e.state),
                ));
            }
            let job_id = revive(
                work.db(),
                tenant,
                e.job_id,
                &SendEmail { email_id: e.id, conversation_id: e.conversation_id },
                <SendEmail as crate::queue::Payload>::MAX_ATTEMPTS,
            )
            .await?;
            email::Entity::update_many()
                .col_expr(email::Column::State, Expr::value(crate::delivery::outbox::EmailState::Pending))
                .col_expr(email::Column::JobId, Expr::value(Some(job_id)))
                .col_expr(email::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(email::Column::Id.eq(e.id))
                .exec(work.db())
                .await?;
        }
        Channel::Webhook => {
            let w = secure_find::<webhook_delivery::Entity, _>(work.db(), tenant, id).await?;
            if w.state != WebhookState::Dead {
                return Err(Error::invalid(
                    "state",
                    format!("only dead deliveries can be replayed; this one is {}", w.state),
                ));
            }
            let attempts = i32::try_from(settings.webhooks.retry_schedule.len() + 1).unwrap_or(i32::MAX);
            let job_id = revive(
                work.db(),
                tenant,
                w.job_id,
                &DeliverWebhook { delivery_id: w.id, conversation_id: w.conversation_id },
                attempts,
            )
            .await?;
            webhook_delivery::Entity::update_many()
                .col_expr(webhook_delivery::Column::State, Expr::value(WebhookState::Pending))
                .col_expr(webhook_delivery::Column::JobId, Expr::value(Some(job_id)))
                .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(webhook_delivery::Column::Id.eq(w.id))
                .exec(work.db())
                .await?;
        }
    }
    work.wake_runner();
    work.commit().await?;
    Ok(())
}

/// Replays everything dead for a conversation: its dead jobs (analysis, emails, webhooks,
/// callback requests, pushes) run again, now: the runner is woken at commit. Returns how
/// many jobs were revived. Needs the work permission.
///
/// Errors: [`Error::Forbidden`]; [`Error::NotFound`] for another account's conversation.
pub async fn replay_conversation(services: &crate::Services, actor: &Actor, conversation_id: Uuid) -> Result<usize> {
    actor.require(Permission::Work)?;
    let tenant = actor.tenant();
    let conv = secure_find::<crate::entities::conversation::Entity, _>(&services.db, tenant, conversation_id).await?;
    let mut work = crate::db::Work::begin(services).await?;
    let dead = scope::<job::Entity>(tenant)
        .filter(job::Column::ConversationId.eq(conv.id))
        .filter(job::Column::State.eq(crate::queue::JobState::Dead))
        .all(work.db())
        .await?;
    for j in &dead {
        queue::replay(work.db(), tenant, j.id).await?;
    }
    let now = Utc::now();
    email::Entity::update_many()
        .col_expr(email::Column::State, Expr::value(crate::delivery::outbox::EmailState::Pending))
        .col_expr(email::Column::UpdatedAt, Expr::value(now))
        .filter(email::Column::AccountId.eq(tenant.account_id()))
        .filter(email::Column::ConversationId.eq(conv.id))
        .filter(email::Column::State.eq(crate::delivery::outbox::EmailState::Dead))
        .filter(email::Column::JobId.is_in(dead.iter().map(|j| j.id)))
        .exec(work.db())
        .await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value(WebhookState::Pending))
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::AccountId.eq(tenant.account_id()))
        .filter(webhook_delivery::Column::ConversationId.eq(conv.id))
        .filter(webhook_delivery::Column::State.eq(WebhookState::Dead))
        .filter(webhook_delivery::Column::JobId.is_in(dead.iter().map(|j| j.id)))
        .exec(work.db())
        .await?;
    work.wake_runner();
    work.commit().await?;
    Ok(dead.len())
}
