//! The typed columns of the entities (see [`crate::stored`]): one type per stored enum and
//! per JSON document, with what each value means. Entities use these instead of `String`
//! and `serde_json::Value`; domain modules re-export the ones they own and add their
//! methods. This module sits below [`crate::entities`] and imports nothing of the domain.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{stored_enum, stored_json};

mod analysis;
mod conditions;
mod identity;
mod integration;
mod notification;
pub use analysis::*;
pub use conditions::*;
pub use identity::*;
pub use integration::*;
pub use notification::*;

stored_enum! {
    /// An email's delivery state (`emails.state`).
    pub enum EmailState in "emails"."state" {
        /// Created; its `SendEmail` job has not run yet.
        Pending = "pending",
        /// An attempt failed transiently; another is scheduled.
        Retrying = "retrying",
        /// Accepted by the SMTP server.
        Sent = "sent",
        /// Rendered and kept in the built-in outbox (no SMTP configured).
        Outbox = "outbox",
        /// Failed permanently or ran out of attempts: a dead letter, replayable.
        Dead = "dead",
    }
}

stored_enum! {
    /// Why an email exists (`emails.kind`).
    pub enum EmailKind in "emails"."kind" {
        /// A fired notification run's email.
        Notification = "notification",
        /// A test-send from the notification editor.
        Test = "test",
        /// An invitation, password reset or address confirmation (owners and admins only).
        Account = "account",
    }
}

stored_json! {
    /// An email's recipients (`emails.recipients`): `["a@example.com", ...]`.
    #[derive(Eq)]
    pub struct EmailRecipients(Vec<String>) in "emails"."recipients";
}

stored_enum! {
    /// A webhook delivery's state (`webhook_deliveries.state`).
    pub enum WebhookState in "webhook_deliveries"."state" {
        /// Created; not attempted yet.
        Pending = "pending",
        /// An attempt failed transiently; another is scheduled.
        Retrying = "retrying",
        /// The endpoint answered 2xx.
        Delivered = "delivered",
        /// Failed permanently or ran out of attempts: a dead letter, replayable.
        Dead = "dead",
    }
}

stored_enum! {
    /// How one delivery attempt ended (`delivery_attempts.outcome`).
    #[derive(Default)]
    pub enum AttemptOutcome in "delivery_attempts"."outcome" {
        /// Accepted (2xx, or the SMTP server took the message).
        Delivered = "delivered",
        /// Will be retried (unless it was the last attempt).
        Transient = "transient",
        /// Refused for good (the default: an attempt that showed neither success nor a
        /// retryable failure).
        #[default]
        Permanent = "permanent",
    }
}

stored_enum! {
    /// A scheduled call's state (`scheduled_calls.state`).
    pub enum ScheduledCallState in "scheduled_calls"."state" {
        /// Waiting for its due time.
        Scheduled = "scheduled",
        /// Cancelled by a member or an API key before it was due.
        Cancelled = "cancelled",
        /// The callback request was queued for delivery.
        Requested = "requested",
    }
}

stored_enum! {
    /// A job's state in the queue (`jobs.state`).
    pub enum JobState in "jobs"."state" {
        /// Due at `run_at`, waiting to be claimed.
        Pending = "pending",
        /// Claimed under a lease.
        Running = "running",
        /// Finished.
        Done = "done",
        /// Failed permanently or ran out of attempts.
        Dead = "dead",
    }
}

stored_enum! {
    /// A task's status (`tasks.status`).
    pub enum TaskStatus in "tasks"."status" {
        Open = "open",
        Done = "done",
    }
}

stored_enum! {
    /// What a post-call action does (`post_call_actions.kind`).
    pub enum ActionKind in "post_call_actions"."kind" {
        /// POST the analysed conversation to a URL.
        Webhook = "webhook",
        /// Schedule a follow-up call: POST a callback request when it is due.
        ScheduleCall = "schedule_call",
    }
}

stored_enum! {
    /// The request format of an action and of its deliveries (`post_call_actions.format`,
    /// `webhook_deliveries.format`).
    pub enum WebhookFormat in "post_call_actions|webhook_deliveries"."format" {
        /// Standard Webhooks: signed JSON `{type, timestamp, data}`.
        Standard = "standard",
        /// A Slack incoming webhook: `{"text": <rendered template>}`.
        Slack = "slack",
        /// A Microsoft Teams incoming webhook: a MessageCard with the rendered template.
        Teams = "teams",
        /// An HTTP request of the action's own: its method, headers, auth and JSON body
        /// template (a CRM, ticketing or spreadsheet API); Standard Webhooks signing optional.
        Request = "request",
    }
}

stored_enum! {
    /// The method of an HTTP request action (`post_call_actions.method`); other formats
    /// always POST.
    pub enum HttpMethod in "post_call_actions"."method" {
        Post = "POST",
        Put = "PUT",
        Patch = "PATCH",
    }
}

stored_enum! {
    /// The event a webhook delivery reports (`webhook_deliveries.event_type`).
    pub enum WebhookEvent in "webhook_deliveries"."event_type" {
        /// A conversation was analysed (post-call `webhook` actions).
        ConversationAnalyzed = "conversation.analyzed",
        /// A scheduled follow-up call is due (`schedule_call` actions).
        CallbackRequested = "call.callback_requested",
        /// A test-send from the dashboard.
        Test = "webhook.test",
    }
}

/// A dynamic recipient route: when the condition holds, email `to`.
#[derive(utoipa::ToSchema, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Natural language, e.g. "The caller asks about an invoice".
    pub when: String,
    pub to: Vec<String>,
}

/// `{"fixed": [...], "routes": [{"when", "to": [...]}], "otherwise": [...]}`: fixed
/// addresses always get the email; of the routes, the analyzer picks the first whose
/// condition holds (by index: it never names an address), else `otherwise` applies.
#[derive(utoipa::ToSchema, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipients {
    #[serde(default)]
    pub fixed: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub otherwise: Vec<String>,
}

stored_json! { impl Recipients in "notifications"."recipients"; }

stored_json! {
    /// The members a notification alerts when its team alert is `selected`
    /// (`notifications.alert_user_ids`): `["<user id>", ...]`.
    #[derive(Eq)]
    pub struct AlertUserIds(Vec<Uuid>) in "notifications"."alert_user_ids";
}

stored_json! {
    /// An enum field's options (`extraction_fields.options`): `["option", ...]`, empty for
    /// other types.
    #[derive(Eq)]
    pub struct FieldOptions(Vec<String>) in "extraction_fields"."options";
}

stored_enum! {
    /// How a conversation's analysis ended (`analyses.status`).
    pub enum AnalysisStatus in "analyses"."status" {
        /// The analyzer answered.
        Completed = "completed",
        /// Not analysed: the call has fewer than 2 turns.
        Skipped = "skipped",
        /// The analyzer failed (its error is stored); always-send notifications still fire.
        Failed = "failed",
    }
}

stored_enum! {
    /// Which analyzer an account uses (`analyzer_settings.provider`).
    pub enum AnalyzerProvider in "analyzer_settings"."provider" {
        /// The built-in offline analyzer.
        Builtin = "builtin",
        /// An OpenAI-compatible endpoint.
        OpenAi = "openai",
    }
}

stored_enum! {
    /// Who a notification alerts in the app (`notifications.team_alert`); the selected
    /// members are in `alert_user_ids`.
    pub enum TeamAlertMode in "notifications"."team_alert" {
        /// No alert.
        Off = "off",
        /// Every member of the account.
        All = "all",
        /// The members in `alert_user_ids`.
        Selected = "selected",
    }
}

stored_json! {
    /// What the platform sent as the call's `dynamic_variables`
    /// (`conversations.dynamic_variables`): always a JSON object.
    #[derive(Eq)]
    #[schema(value_type = Object)]
    pub struct DynamicVariables(serde_json::Map<String, serde_json::Value>) in "conversations"."dynamic_variables";
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! round_trips {
        ($($t:ty),+) => {$(
            for v in <$t>::ALL {
                assert_eq!(<$t>::parse(v.as_str()), Ok(*v));
                assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(v.as_str()));
                assert_eq!(serde_json::from_value::<$t>(serde_json::json!(v.as_str())).unwrap(), *v);
                assert_eq!(sea_orm::Value::from(*v), sea_orm::Value::String(Some(v.as_str().to_owned())));
            }
            assert!(<$t>::parse("no such value").unwrap_err().contains("is not one of"));
        )+};
    }

    #[test]
    fn stored_enums_round_trip_through_their_stored_names() {
        round_trips!(
            EmailState, EmailKind, WebhookState, AttemptOutcome, ScheduledCallState, JobState, TaskStatus, ActionKind,
            WebhookFormat, WebhookEvent, AnalysisStatus, AnalyzerProvider, TeamAlertMode, HttpMethod
        );
    }

    #[test]
    fn json_columns_store_their_plain_shape() {
        let r = EmailRecipients(vec!["a@example.com".into()]);
        assert_eq!(sea_orm::Value::from(r), sea_orm::Value::Json(Some(Box::new(serde_json::json!(["a@example.com"])))));
        let stored = serde_json::json!({"fixed": ["a@example.com"]});
        let parsed: Recipients = serde_json::from_value(stored.clone()).unwrap();
        assert_eq!(parsed.fixed, ["a@example.com"]);
        assert_eq!(sea_orm::Value::from(parsed), sea_orm::Value::Json(Some(Box::new(stored))));
    }
}

stored_json! {
    /// A conversation's transcript (`conversations.transcript`), as validated on ingest.
    pub struct Transcript(Vec<crate::calls::event::Turn>) in "conversations"."transcript";
}
