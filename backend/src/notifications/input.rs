//! What a notification is made of, as created over REST or in the editor: the trigger,
//! recipients, email, team alert and task inputs, and the stored model read back as input.

#[allow(unused_imports)]
use super::*;

/// Most fixed recipients per notification.
pub const MAX_RECIPIENTS: usize = 50;

/// `{"always": true}` or `{"condition": "Did the customer ask to be called back?"}`.
#[derive(utoipa::ToSchema, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// Most routes per notification.
pub const MAX_ROUTES: usize = 20;

impl Recipients {
    /// Whether the analyzer has routes to choose among.
    pub fn is_dynamic(&self) -> bool {
        !self.routes.is_empty()
    }

    /// The dynamic addresses for a chosen route (`None` = otherwise), without those already
    /// in the fixed list. Only configured addresses can come out of here.
    pub fn routed(&self, route: Option<usize>) -> Vec<String> {
        let chosen = match route.and_then(|i| self.routes.get(i)) {
            Some(r) => &r.to,
            None => &self.otherwise,
        };
        chosen.iter().filter(|a| !self.fixed.iter().any(|f| f.eq_ignore_ascii_case(a))).cloned().collect()
    }
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

impl Default for TeamAlertInput {
    fn default() -> Self {
        TeamAlertInput::Mode("off".to_owned())
    }
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

/// Longest task due delay: one year, in hours.
pub const MAX_DUE_HOURS: i32 = 8760;

pub(crate) fn default_true() -> bool {
    true
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
}

/// How a stored notification alerts the team.
pub fn team_alert_of(n: &notification::Model) -> TeamAlert {
    match n.team_alert {
        crate::columns::TeamAlertMode::All => TeamAlert::All,
        crate::columns::TeamAlertMode::Selected => TeamAlert::Selected(n.alert_user_ids.0.clone()),
        crate::columns::TeamAlertMode::Off => TeamAlert::Off,
    }
}

/// The structured conditions of a stored notification.
pub fn conditions_of(n: &notification::Model) -> Vec<RuleCondition> {
    n.conditions.as_ref().map(|c| c.0.clone()).unwrap_or_default()
}

/// The wire shape of a stored notification's published columns (the input shape).
pub fn to_input(n: &notification::Model) -> NotificationInput {
    NotificationInput {
        name: n.name.clone(),
        enabled: n.enabled,
        trigger: if n.trigger_always {
            TriggerInput { always: Some(true), condition: None }
        } else {
            TriggerInput { always: None, condition: n.trigger_condition.clone() }
        },
        conditions: conditions_of(n),
        recipients: n.recipients.clone(),
        email: EmailTemplateInput { subject: n.email_subject.clone(), body: n.email_body.clone() },
        team_alert: match team_alert_of(n) {
            TeamAlert::Off => TeamAlertInput::Mode("off".into()),
            TeamAlert::All => TeamAlertInput::Mode("all".into()),
            TeamAlert::Selected(selected) => TeamAlertInput::Selected { selected },
        },
        task: n.task_priority.map(|priority| TaskInput {
            priority: priority.to_string(),
            assignee: n.task_assignee_user_id,
            due_in_hours: n.task_due_hours,
        }),
    }
}
