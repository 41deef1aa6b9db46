//! The conversation read model: one conversation with everything the pipeline did, with
//! names, routes and field types resolved once. The REST API serialises it as it is
//! (`GET /api/v1/conversations/{id}`); the dashboard only formats it (times in the agent's
//! time zone, durations, labels).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::analysis::{FieldType, FieldValue, GoalVerdict, RouteChoice, Verdict};
use crate::columns::{AnalysisStatus, DynamicVariables, EmailState, TaskStatus, Transcript};
use crate::entities::{analysis, conversation};
use crate::error::Result;
use crate::tenancy::Actor;
use crate::types::{Direction, EndReason, Priority};
use sea_orm::ConnectionTrait;

mod parts;
pub use parts::*;

fn analysis_view(
    a: &analysis::Model,
    notifications: &[crate::entities::notification::Model],
    fields: &[crate::entities::extraction_field::Model],
) -> AnalysisView {
    let output = &a.result;
    let notification = |key: &str| notifications.iter().find(|n| n.id.to_string() == key);
    let verdicts = output
        .verdicts
        .iter()
        .map(|v| {
            let n = notification(&v.key);
            VerdictView {
                verdict: v.clone(),
                notification: n.map(|n| n.name.clone()),
                question: n.and_then(|n| n.trigger_condition.clone()),
            }
        })
        .collect();
    let fields = output
        .fields
        .iter()
        .map(|f| FieldValueView {
            value: f.clone(),
            kind: fields.iter().find(|s| s.name == f.name).map(|s| s.field_type),
        })
        .collect();
    let routes = output
        .routes
        .iter()
        .map(|r| {
            let n = notification(&r.key);
            let route = n.and_then(|n| r.route.and_then(|i| n.recipients.routes.get(i)));
            let to = match (n, route) {
                (_, Some(route)) => route.to.clone(),
                (Some(n), None) => n.recipients.otherwise.clone(),
                (None, None) => Vec::new(),
            };
            RouteView {
                choice: r.clone(),
                notification: n.map(|n| n.name.clone()),
                chosen: route.map(|route| route.when.clone()),
                to,
            }
        })
        .collect();
    AnalysisView {
        status: a.status,
        analyzer: a.analyzer.clone(),
        summary: a.summary.clone(),
        verdicts,
        fields,
        goal: output.goal.clone(),
        routes,
        reanalysed_at: a.reanalysed_at,
        error: a.error.clone(),
        latency_ms: a.latency_ms,
        prompt_tokens: a.prompt_tokens,
        completion_tokens: a.completion_tokens,
        created_at: a.created_at,
    }
}

/// The actor's conversation `id` as both front doors show it.
///
/// Errors: [`crate::Error::NotFound`] for an unknown or another account's id.
pub async fn view<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<ConversationView> {
    let tenant = actor.tenant();
    let d = super::get(db, tenant, id).await?;
    let members = crate::identity::accounts::members(db, tenant).await?;
    let notifications = crate::notifications::list(db, tenant, None).await?;
    let fields = crate::analysis::fields::list(db, tenant, d.agent.id).await?;
    let runs = d
        .runs
        .iter()
        .map(|r| RunView {
            notification_id: r.run.notification_id,
            notification_name: r.run.notification_name.clone(),
            fired: r.run.fired,
            reason: r.run.reason.clone(),
            notification_version: r.run.notification_version,
            stopped_by: r.run.stopped_by.clone(),
            email_state: r.emails.first().map(|e| e.state),
            alerts: r.alerts.len(),
            task_ids: r.tasks.iter().map(|t| t.id).collect(),
            emails: r
                .emails
                .iter()
                .map(|e| RunEmail {
                    id: e.id,
                    state: e.state,
                    to: e.recipients.0.clone(),
                    subject: e.subject.clone(),
                    error: e.last_error.clone(),
                })
                .collect(),
            alerted: r
                .alerts
                .iter()
                .map(|a| {
                    members
                        .iter()
                        .find(|m| m.user_id == a.user_id)
                        .map(|m| m.name.clone())
                        .unwrap_or_else(|| "(former member)".into())
                })
                .collect(),
            tasks: r
                .tasks
                .iter()
                .map(|t| RunTask { id: t.id, title: t.title.clone(), priority: t.priority, status: t.status })
                .collect(),
        })
        .collect();
    Ok(ConversationView {
        conversation: ConversationSummary::new(&d.conversation, &d.agent.external_id, &d.agent.name),
        agent_uuid: d.agent.id,
        agent_timezone: d.agent.timezone.clone(),
        transcript: d.conversation.transcript.clone(),
        analysis: d.analysis.as_ref().map(|a| analysis_view(a, &notifications, &fields)),
        platform_analysis: d.conversation.platform_analysis.clone(),
        notification_runs: runs,
    })
}
