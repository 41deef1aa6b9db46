//! `DeliverWebhook`: one HTTP attempt of a webhook delivery (SPEC section 7).
//!
//! - The body of a Standard Webhooks `conversation.analyzed` delivery is built by the
//!   analysis that plans it, from the rows it just wrote; any other body is built at the
//!   first attempt. Either is stored, and retries send the same bytes with
//!   the same `webhook-id` and a fresh `webhook-timestamp` and signature (Standard
//!   Webhooks: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated when a
//!   rotated secret still overlaps). Slack and Teams requests are not signed (they do not
//!   check signatures).
//! - 15 s timeout (`webhooks.timeout_secs`); sent under the outbound policy
//!   ([`crate::outbound`]): no redirects followed, an address in an internal range is
//!   refused (a permanent failure: the attempt log says why); the first 2 KiB of the answer
//!   are read for the log, the rest never is.
//! - 2xx = delivered. Network errors, timeouts, 408, 429 and 5xx are retried on the
//!   webhook schedule; any other status fails at once (dead letter).
//! - Every attempt is logged with status, duration and the truncated response.
//! - An endpoint with no success for `webhooks.disable_after_hours` since its first failure
//!   is disabled and the account's admins get an alert.

use std::time::Instant;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::{Job, JobError};
use crate::Services;
use crate::actions::{HttpMethod, WebhookEvent, WebhookFormat};
use crate::delivery::{Attempt, AttemptOutcome, WebhookState};
use crate::entities::{
    agent, analysis, conversation, notification_run, post_call_action, scheduled_call, webhook_delivery,
};
use crate::queue::{ClaimedJob, DeliverWebhook};
use crate::tenancy::{Tenant, scope, secure_find};

mod send;
use send::*;
mod payload;
pub(crate) use payload::conversation_json;
use payload::*;

/// What one HTTP attempt ended with.
enum Sent {
    Delivered(Attempt),
    Transient(Attempt),
    Permanent(Attempt),
}

#[async_trait]
impl Job for DeliverWebhook {
    /// The fixed schedule of `webhooks.retry_schedule_secs` (SPEC section 7), ±10 % jitter.
    fn retry_delay(services: &Services, job: &ClaimedJob) -> std::time::Duration {
        super::retry::scheduled_delay(&services.settings.webhooks.retry_schedule, job.attempts)
    }

    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
        let db = &services.db;
        let tenant = job.tenant;
        // Handed over by the analysis that queued it: the delivery and its action as that
        // analysis wrote and read them a moment ago (first attempt only; anything else
        // reads both).
        let warm = job.warm::<crate::actions::WarmDelivery>().filter(|w| w.row.id == self.delivery_id);
        let (row, action) = match warm {
            Some(warm) => (warm.row.clone(), Some(warm.action.clone())),
            None => {
                let row = secure_find::<webhook_delivery::Entity, _>(db, &tenant, self.delivery_id).await?;
                if row.state == WebhookState::Delivered {
                    return Ok(());
                }
                let action = match row.action_id {
                    Some(id) => {
                        scope::<post_call_action::Entity>(&tenant)
                            .filter(post_call_action::Column::Id.eq(id))
                            .one(db)
                            .await?
                    }
                    None => None,
                };
                (row, action.map(|a| crate::actions::open(&services.secrets, a)).transpose()?)
            }
        };
        let Some(action) = action else {
            return dead(services, &row, "the action was deleted").await;
        };
        if !action.enabled && !row.test {
            return dead(services, &row, "the endpoint is disabled").await;
        }
        let payload = match &row.payload {
            Some(p) => p.clone(),
            None => {
                let built = build_payload(services, &tenant, &row, &action).await?.to_string();
                // Stored before the first send (retries send these bytes), in this
                // process's turn to write: on SQLite a write outside it would sleep in
                // SQLite's busy handler whenever another unit of work holds the lock.
                let _turn = services.writes.enter().await;
                webhook_delivery::Entity::update_many()
                    .col_expr(webhook_delivery::Column::Payload, Expr::value(Some(built.clone())))
                    // The version whose settings build the request (republished since it was queued?).
                    .col_expr(webhook_delivery::Column::ActionVersion, Expr::value(Some(action.version)))
                    .filter(webhook_delivery::Column::Id.eq(row.id))
                    .exec(db)
                    .await?;
                built
            }
        };
        let number = row.attempts + 1;
        let sent = send(services, &action, &row, payload, number).await;
        let (attempt, result_state) = match &sent {
            Sent::Delivered(a) => (a.clone(), WebhookState::Delivered),
            Sent::Transient(a) if !job.is_last_attempt() => (a.clone(), WebhookState::Retrying),
            Sent::Transient(a) | Sent::Permanent(a) => (a.clone(), WebhookState::Dead),
        };
        let now = Utc::now();
        let mut work = crate::db::Work::begin(services).await?;
        crate::delivery::record_webhook_attempt(work.db(), &tenant, row.id, attempt.clone()).await?;
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::State, Expr::value(result_state))
            .col_expr(webhook_delivery::Column::Attempts, Expr::value(number))
            .col_expr(webhook_delivery::Column::LastStatus, Expr::value(attempt.status_code))
            .col_expr(webhook_delivery::Column::LastError, Expr::value(attempt.error.clone()))
            .col_expr(
                webhook_delivery::Column::DeliveredAt,
                Expr::value((result_state == WebhookState::Delivered).then_some(now)),
            )
            .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
            .filter(webhook_delivery::Column::Id.eq(row.id))
            .exec(work.db())
            .await?;
        track_endpoint_health(services, &mut work, &tenant, &action, matches!(sent, Sent::Delivered(_)), row.test)
            .await?;
        if matches!(sent, Sent::Delivered(_)) {
            job.complete_in(work.db()).await?;
        }
        work.commit().await?;
        let describe =
            || attempt.error.clone().unwrap_or_else(|| format!("HTTP {}", attempt.status_code.unwrap_or_default()));
        match sent {
            Sent::Delivered(_) => Ok(()),
            Sent::Transient(_) => Err(JobError::Retry(describe())),
            Sent::Permanent(_) => Err(JobError::Permanent(describe())),
        }
    }
}

async fn dead(services: &Services, row: &webhook_delivery::Model, why: &str) -> Result<(), JobError> {
    let _turn = services.writes.enter().await;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value(WebhookState::Dead))
        .col_expr(webhook_delivery::Column::LastError, Expr::value(Some(why.to_owned())))
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(webhook_delivery::Column::Id.eq(row.id))
        .exec(&services.db)
        .await?;
    Err(JobError::Permanent(why.to_owned()))
}

/// Records a success (clears `failing_since`) or a failure (sets it; disables the endpoint
/// and alerts the admins once it is older than `webhooks.disable_after_hours`). Test-sends
/// do not count. The alerts are created in `work`, which publishes them at commit.
async fn track_endpoint_health(
    services: &Services,
    work: &mut crate::db::Work,
    tenant: &Tenant,
    action: &post_call_action::Model,
    success: bool,
    test: bool,
) -> Result<(), JobError> {
    if test {
        return Ok(());
    }
    let now = Utc::now();
    let update = post_call_action::Entity::update_many().filter(post_call_action::Column::Id.eq(action.id));
    if success {
        if action.failing_since.is_some() {
            update
                .col_expr(post_call_action::Column::FailingSince, Expr::value(Option::<chrono::DateTime<Utc>>::None))
                .exec(work.db())
                .await?;
        }
        return Ok(());
    }
    let Some(since) = action.failing_since else {
        update.col_expr(post_call_action::Column::FailingSince, Expr::value(Some(now))).exec(work.db()).await?;
        return Ok(());
    };
    let limit =
        chrono::Duration::from_std(services.settings.webhooks.disable_after).unwrap_or(chrono::Duration::days(5));
    if !action.enabled || now - since < limit {
        return Ok(());
    }
    let days = (now - since).num_hours() as f64 / 24.0;
    let reason = format!(
        "Disabled automatically: every delivery failed for {days:.1} days (since {}).",
        since.format("%Y-%m-%d %H:%M UTC")
    );
    let turned_off = update
        .filter(post_call_action::Column::Enabled.eq(true))
        .col_expr(post_call_action::Column::Enabled, Expr::value(false))
        .col_expr(post_call_action::Column::DisabledReason, Expr::value(Some(reason.clone())))
        .col_expr(post_call_action::Column::UpdatedAt, Expr::value(now))
        .exec(work.db())
        .await?;
    if turned_off.rows_affected == 0 {
        // Another delivery's failure turned it off first (and alerted).
        return Ok(());
    }
    let shown = crate::actions::display_url(&action.url);
    tracing::warn!(action = %action.id, url = %shown, "webhook endpoint disabled after days of failures");
    let members = crate::identity::accounts::members(work.db(), tenant).await?;
    let admins: Vec<Uuid> = members.iter().filter(|m| m.role.can_configure()).map(|m| m.user_id).collect();
    let subscriptions = crate::delivery::push::subscriptions_of_users(work.db(), tenant, &admins).await?;
    for user_id in admins {
        let new = crate::alerts::NewAlert {
            user_id,
            conversation_id: None,
            notification_run_id: None,
            title: format!("Webhook disabled: {}", action.name),
            body: format!("{shown} — {reason} Fix the endpoint, then turn the action on again."),
            link: format!("/agents/{}", action.agent_id),
        };
        crate::alerts::create(work, tenant, new, &subscriptions).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_as_the_spec_says() {
        for s in [200, 201, 204] {
            assert_eq!(classify(s), AttemptOutcome::Delivered);
        }
        for s in [408, 429, 500, 502, 503, 504] {
            assert_eq!(classify(s), AttemptOutcome::Transient);
        }
        for s in [301, 400, 401, 403, 404, 410, 422] {
            assert_eq!(classify(s), AttemptOutcome::Permanent);
        }
    }

    #[test]
    fn logged_signatures_are_redacted() {
        assert_eq!(redact_signatures("v1,abcdefghijklmnop v1,zyxwvutsrqpo"), "v1,abcdefg… v1,zyxwvut…");
    }
}
