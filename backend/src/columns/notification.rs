//! A notification's settings as stored in a draft or a published version
//! (`notifications.draft`, `notification_versions.settings`): the same shape the REST API
//! and the editor create it with. Validation is in [`crate::notifications`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Condition as RuleCondition, Recipients};

/// Unpublished edits as stored in `notifications.draft`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The agent it would apply to; `None` = every agent.
    pub agent_id: Option<Uuid>,
    pub settings: NotificationInput,
}

/// `{"always": true}` or `{"condition": "Did the customer ask to be called back?"}`.
#[derive(utoipa::ToSchema, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// `{"subject": "...", "body": "..."}`: minijinja templates; the body is Markdown.
#[derive(utoipa::ToSchema, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailTemplateInput {
    pub subject: String,
    pub body: String,
}

/// `"off"`, `"all"` or `{"selected": ["<user id>", ...]}`.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TeamAlertInput {
    Mode(String),
    Selected { selected: Vec<Uuid> },
}

/// `{"priority": "low" | "medium" | "high" | "urgent", "assignee"?: "<user id>",
/// "due_in_hours"?: 24}`: the task created when the notification fires, assigned to a member
/// and due that many hours after the call was received.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    pub priority: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_in_hours: Option<i32>,
}

/// A notification as created or replaced over REST or from the dashboard form.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationInput {
    pub name: String,
    #[serde(default = "default_true")]
    pub enabled: bool,
    pub trigger: TriggerInput,
    /// Structured conditions that must all hold besides the trigger (SPEC section 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<RuleCondition>,
    #[serde(default)]
    pub recipients: Recipients,
    pub email: EmailTemplateInput,
    #[serde(default)]
    pub team_alert: TeamAlertInput,
    #[serde(default)]
    pub task: Option<TaskInput>,
    /// Send one digest email per period instead of an email per call; absent = per call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
}

fn default_true() -> bool {
    true
}

/// A notification sent as a periodic digest instead of one email per call:
/// `{"every": "daily", "at": "08:00", "time_zone": "Europe/Paris"}` or `{"every": "hourly",
/// "at": ":15"}`. `at` is the local time of day (daily, default `08:00`) or the minute past
/// each hour (hourly, default `:00`); `time_zone` (IANA) defaults to the agent's, and to
/// UTC for a notification on every agent. Stored in `notifications.digest` as validated.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest {
    /// `daily` or `hourly`.
    pub every: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

crate::stored_json! { impl Digest in "notifications"."digest"; }
