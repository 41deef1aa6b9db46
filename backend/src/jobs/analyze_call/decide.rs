//! Decide, as pure functions: whether each notification fires, and which emails, alerts and task its run makes.

#[allow(unused_imports)]
use super::*;

pub(crate) struct Decision {
    pub(crate) fired: bool,
    pub(crate) reason: String,
    /// The structured condition that stopped the run.
    pub(crate) stopped_by: Option<String>,
}

/// Fired = every structured condition holds and the trigger fires. A failing condition is
/// reported first (it is a plain fact of the call), else the trigger's verdict.
pub(crate) fn decide(
    conv: &conversation::Model,
    n: &notification::Model,
    status: AnalysisStatus,
    output: &AnalysisOutput,
) -> Decision {
    let conditions = crate::notifications::conditions_of(n);
    if let Some(failing) = crate::conditions::first_failing(&conditions, conv, output) {
        return Decision { fired: false, reason: format!("Condition not met: {failing}."), stopped_by: Some(failing) };
    }
    let (fired, reason) = judge(n, status, output);
    Decision { fired, reason, stopped_by: None }
}

pub(crate) fn judge(n: &notification::Model, status: AnalysisStatus, output: &AnalysisOutput) -> (bool, String) {
    if n.trigger_always {
        return (true, "Always send.".to_owned());
    }
    match status {
        AnalysisStatus::Skipped => (false, "Not judged: the call has fewer than 2 turns.".to_owned()),
        AnalysisStatus::Failed => (false, "Not judged: the analysis failed.".to_owned()),
        AnalysisStatus::Completed => match output.verdict(&n.id.to_string()) {
            Some(v) => (v.fired, v.reason.clone()),
            None => (false, "The analyzer gave no verdict for this trigger.".to_owned()),
        },
    }
}

/// What a fired run makes, decided from the notification and the analysis before anything
/// is written: one email per non-empty recipient list (none for a digest notification,
/// whose calls are listed in its next digest) (the fixed addresses, and the routed
/// ones, only ever taken from the admin's configuration by the analyzer's route index), an
/// alert per chosen member, and a task when the notification makes one.
pub(crate) struct FollowUp {
    pub(crate) emails: Vec<Vec<String>>,
    pub(crate) alerted: Vec<Uuid>,
    pub(crate) alert_body: String,
    pub(crate) task: Option<crate::tasks::NewTask>,
}

pub(crate) fn follow_up(
    conv: &conversation::Model,
    agent: &agent::Model,
    rule: &notification::Model,
    run_id: Uuid,
    decision: &Decision,
    output: &AnalysisOutput,
    members: &[accounts::MemberInfo],
) -> FollowUp {
    let recipients = &rule.recipients;
    let mut emails = vec![recipients.fixed.clone()];
    if recipients.is_dynamic() {
        let route = output.route(&rule.id.to_string()).and_then(|r| r.route);
        emails.push(recipients.routed(route));
    }
    emails.retain(|l| !l.is_empty());
    if rule.digest.is_some() {
        // A digest notification emails once per period (`digests`), not per call.
        emails.clear();
    }
    let who = conv.from_number.clone().unwrap_or_else(|| conv.call_id.clone());
    let alerted = match team_alert_of(rule) {
        TeamAlert::Off => Vec::new(),
        TeamAlert::All => members.iter().map(|m| m.user_id).collect(),
        TeamAlert::Selected(ids) => members.iter().map(|m| m.user_id).filter(|id| ids.contains(id)).collect(),
    };
    let task = rule.task_priority.map(|priority| {
        let mut description = decision.reason.clone();
        if !output.summary.is_empty() {
            description.push_str("\n\n");
            description.push_str(&output.summary);
        }
        crate::tasks::NewTask {
            conversation_id: conv.id,
            notification_run_id: run_id,
            title: format!("{}: {}", rule.name, who),
            description,
            priority,
            // An assignee who left the account leaves the task unassigned.
            assignee_user_id: rule.task_assignee_user_id.filter(|u| members.iter().any(|m| m.user_id == *u)),
            due_at: rule.task_due_hours.map(|h| conv.received_at + chrono::Duration::hours(h.into())),
        }
    });
    FollowUp { emails, alerted, alert_body: format!("{} · {}: {}", agent.name, who, decision.reason), task }
}
