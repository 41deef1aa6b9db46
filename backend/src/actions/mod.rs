//! Post-call actions (SPEC section 2): per agent, any number of
//!
//! - `webhook`: POST the conversation and its analysis to a URL, as Standard Webhooks
//!   signed JSON, or as a Slack or Microsoft Teams incoming-webhook message rendered from
//!   a template with the email variables;
//! - `schedule_call`: at a follow-up time taken from an extracted field (ISO 8601) or after
//!   a fallback delay, POST a signed callback request to the agent's callback URL;
//!
//! each with an optional condition in the one condition language ([`crate::conditions`]). They
//! run once per conversation, planned in the analysis transaction ([`plan`]); delivery is
//! the `DeliverWebhook` job's (retries, attempts, dead letters).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

mod body;
mod config;
mod plan;
mod request;
mod scheduled_calls;
mod secrets;
mod versions;
mod view;
pub(crate) use body::*;
pub use config::*;
pub use plan::*;
pub use request::*;
pub use scheduled_calls::*;
pub use secrets::*;
pub use versions::*;
pub use view::ActionView;

use crate::Services;
use crate::analysis::AnalysisOutput;
use crate::audit;
use crate::conditions::Condition;
use crate::entities::{
    agent, analysis, conversation, notification_run, post_call_action, scheduled_call, webhook_delivery,
};
use crate::error::{Error, Result};
use crate::outbound::Outbound;
use crate::queue::{self, DeliverWebhook, RequestCallback};
use crate::secrets::SecretBox;
use crate::tenancy::Actor;
use crate::tenancy::Permission;
use crate::tenancy::{Tenant, scope, secure_find};

pub use crate::columns::ScheduledCallState;
pub use crate::columns::{ActionKind, HttpMethod, WebhookEvent, WebhookFormat};

mod store;
pub use store::*;
mod send;
pub use send::*;

/// The agent's actions, oldest first, decrypted.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    tenant: &Tenant,
    agent_id: Uuid,
) -> Result<Vec<post_call_action::Model>> {
    let rows = scope::<post_call_action::Entity>(tenant)
        .filter(post_call_action::Column::AgentId.eq(agent_id))
        .order_by_asc(post_call_action::Column::CreatedAt)
        .all(db)
        .await?;
    open_all(secrets, rows)
}

/// The tenant's action `id`, decrypted.
///
/// Errors: [`Error::NotFound`] (also for another account's id).
pub async fn get<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    tenant: &Tenant,
    id: Uuid,
) -> Result<post_call_action::Model> {
    open(secrets, secure_find::<post_call_action::Entity, _>(db, tenant, id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::analysis::FieldValue;

    fn action(time_field: Option<&str>, fallback: Option<i32>) -> post_call_action::Model {
        let now = Utc::now();
        post_call_action::Model {
            id: Uuid::nil(),
            account_id: Uuid::nil(),
            agent_id: Uuid::nil(),
            kind: ActionKind::ScheduleCall,
            name: "n".into(),
            enabled: true,
            url: "https://example.com".into(),
            format: WebhookFormat::Standard,
            message_template: None,
            method: HttpMethod::Post,
            request: None,
            body_template: None,
            sign: true,
            include_transcript: false,
            secret: generate_secret(),
            previous_secret: None,
            previous_secret_expires_at: None,
            condition: None,
            time_field: time_field.map(Into::into),
            fallback_delay_minutes: fallback,
            failing_since: None,
            disabled_reason: None,
            version: 1,
            draft: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn conv(ended: DateTime<Utc>) -> conversation::Model {
        conversation::Model { ended_at: Some(ended), ..conversation::Model::for_tests(ended) }
    }

    fn with_field(value: &str) -> AnalysisOutput {
        AnalysisOutput {
            fields: vec![FieldValue { name: "callback_time".into(), value: value.into(), evidence: None }],
            ..Default::default()
        }
    }

    #[test]
    fn follow_up_times_come_from_the_field_in_the_agents_zone_or_the_fallback() {
        let now = "2026-11-20T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let a = action(Some("callback_time"), Some(30));
        let c = conv(now);
        let at = |v: &str| follow_up_time(&a, &c, &with_field(v), "America/New_York", now).map(|(t, _)| t.to_rfc3339());
        assert_eq!(at("2026-11-21T15:00:00+01:00").as_deref(), Some("2026-11-21T14:00:00+00:00"));
        assert_eq!(
            at("2026-11-21T15:00").as_deref(),
            Some("2026-11-21T20:00:00+00:00"),
            "local time in the agent's zone"
        );
        assert_eq!(at("2026-11-21").as_deref(), Some("2026-11-21T14:00:00+00:00"), "a date means 09:00 local");
        assert_eq!(at("next week sometime").as_deref(), Some("2026-11-20T09:30:00+00:00"), "unreadable: the fallback");
        assert_eq!(at("2020-01-01T10:00:00Z").as_deref(), Some("2026-11-20T09:00:00+00:00"), "a past time means now");
        let (_, source) = follow_up_time(&a, &c, &with_field("2026-11-21T15:00"), "UTC", now).unwrap();
        assert_eq!(source, "field callback_time = 2026-11-21T15:00");
        assert!(
            follow_up_time(&action(Some("callback_time"), None), &c, &AnalysisOutput::default(), "UTC", now).is_none()
        );
    }

    #[test]
    fn rotated_secrets_sign_until_their_overlap_ends() {
        let now = Utc::now();
        let mut a = action(None, Some(1));
        assert_eq!(signing_secrets(&a, now).len(), 1);
        a.previous_secret = Some(generate_secret());
        a.previous_secret_expires_at = Some(now + chrono::Duration::hours(1));
        assert_eq!(signing_secrets(&a, now).len(), 2);
        assert_eq!(signing_secrets(&a, now + chrono::Duration::hours(2)).len(), 1);
        assert!(a.secret.starts_with("whsec_") && standardwebhooks::Webhook::new(&a.secret).is_ok());
    }
}
