//! `RequestCallback`: at a scheduled call's due time, queues the signed callback request
//! (`call.callback_requested`) to the `schedule_call` action's URL — unless the call was
//! cancelled — and marks the call requested, in one transaction with finishing the job.

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::{Job, JobError};
use crate::Services;
use crate::actions::{ScheduledCallState, WebhookEvent};
use crate::entities::{post_call_action, scheduled_call};
use crate::queue::{ClaimedJob, RequestCallback};
use crate::tenancy::{scope, secure_find};

#[async_trait]
impl Job for RequestCallback {
    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
        let db = &services.db;
        let tenant = job.tenant;
        let call = secure_find::<scheduled_call::Entity, _>(db, &tenant, self.scheduled_call_id).await?;
        if call.state != ScheduledCallState::Scheduled {
            // Cancelled, or a previous attempt committed.
            return Ok(());
        }
        let action = match call.action_id {
            Some(id) => {
                scope::<post_call_action::Entity>(&tenant).filter(post_call_action::Column::Id.eq(id)).one(db).await?
            }
            None => None,
        };
        let Some(action) = action else {
            return Err(JobError::Permanent("the schedule_call action was deleted".into()));
        };
        let action = crate::actions::open(&services.secrets, action)?;
        let work = crate::db::Work::begin(services).await?;
        let claimed = scheduled_call::Entity::update_many()
            .col_expr(scheduled_call::Column::State, Expr::value(ScheduledCallState::Requested))
            .col_expr(scheduled_call::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(scheduled_call::Column::Id.eq(call.id))
            .filter(scheduled_call::Column::State.eq(ScheduledCallState::Scheduled))
            .exec(work.db())
            .await?;
        if claimed.rows_affected == 0 {
            work.rollback().await?;
            return Ok(());
        }
        let delivery = crate::actions::queue_delivery(
            work.db(),
            &tenant,
            &services.settings,
            &action,
            Some(call.conversation_id),
            WebhookEvent::CallbackRequested,
            false,
            None,
            Some(services.settings.jobs.lease),
        )
        .await?;
        scheduled_call::Entity::update_many()
            .col_expr(scheduled_call::Column::WebhookDeliveryId, Expr::value(Some(delivery.id)))
            .filter(scheduled_call::Column::Id.eq(call.id))
            .exec(work.db())
            .await?;
        job.complete_in(work.db()).await?;
        work.commit().await?;
        // Queued claimed: this runner sends the callback request right after this job.
        job.hand_over(delivery.claimed.into_iter().collect());
        Ok(())
    }
}
