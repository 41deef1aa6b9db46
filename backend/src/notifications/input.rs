//! What a notification is made of, as created over REST or in the editor: the trigger,
//! recipients, email, team alert and task inputs, and the stored model read back as input.

pub use crate::columns::{EmailTemplateInput, NotificationInput, TaskInput, TeamAlertInput, TriggerInput};

#[allow(unused_imports)]
use super::*;

/// Most fixed recipients per notification.
pub const MAX_RECIPIENTS: usize = 50;

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

impl Default for TeamAlertInput {
    fn default() -> Self {
        TeamAlertInput::Mode("off".to_owned())
    }
}

/// Longest task due delay: one year, in hours.
pub const MAX_DUE_HOURS: i32 = 8760;

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
        digest: n.digest.clone(),
    }
}
