//! Trying a notification: its trigger, structured conditions, routing and email.

use super::*;
use crate::jobs::analyze_call::{decide, follow_up};
use crate::templates::{VariableSources, render_email, variables};

/// Tries notification `id` (its draft when there is one) on the latest `limit`
/// conversations of its agent (of the account for an all-agents notification). Needs the
/// configure permission.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`] (also another account's id),
/// [`Error::Invalid`] on `limit` or when the draft no longer validates.
pub async fn notification(services: &Services, actor: &Actor, id: Uuid, limit: Option<u64>) -> Result<TryReport> {
    require(actor)?;
    let limit = limit_of(limit)?;
    let db = &services.db;
    let tenant = actor.tenant();
    let (n, draft) = crate::notifications::editable_model(db, tenant, id).await?;
    let convs = crate::preview::recent_conversations(db, tenant, n.agent_id, limit).await?;
    let account = crate::identity::accounts::get(db, tenant).await?;
    let members = crate::identity::accounts::members(db, tenant).await?;
    let tried = analyse_all(services, tenant, convs, std::slice::from_ref(&n), &[]).await?;
    let public_url = &services.settings.public_url;
    let mut calls = Vec::new();
    for t in &tried {
        let output = &t.analysed.output;
        let decision = decide(&t.conv, &n, t.analysed.status, output);
        let mut row = call_row(t);
        row.fired = decision.fired;
        row.reason = decision.reason.clone();
        row.stopped_by = decision.stopped_by.clone();
        row.unknown = !decision.fired
            && decision.stopped_by.is_none()
            && output.verdict(&n.id.to_string()).is_some_and(|v| v.unknown);
        if n.recipients.is_dynamic() {
            row.route = output.route(&n.id.to_string()).map(|choice| match choice.route {
                Some(i) => format!(
                    "route {}: {} ({})",
                    i + 1,
                    n.recipients.routes.get(i).map(|r| r.when.as_str()).unwrap_or_default(),
                    choice.reason
                ),
                None => format!("otherwise ({})", choice.reason),
            });
        }
        if decision.fired {
            let plan = follow_up(&t.conv, &t.agent, &n, Uuid::nil(), &decision, output, &members);
            row.recipients = plan.emails.concat();
            if !plan.alerted.is_empty() {
                row.also.push(format!("team alert to {} member(s)", plan.alerted.len()));
            }
            if let Some(task) = &plan.task {
                row.also.push(format!("task “{}”, priority {}", task.title, task.priority));
            }
            if n.digest.is_some() {
                row.also.push(format!("listed in the next digest to {}", n.recipients.fixed.join(", ")));
                calls.push(row);
                continue;
            }
            let vars = variables(&VariableSources {
                conversation: &t.conv,
                agent: &t.agent,
                account: &account,
                analysis: Some(&t.analysis),
                public_url,
            });
            match render_email(&n.email_subject, &n.email_body, &vars) {
                Ok(email) => {
                    row.output = Some(Rendered { kind: "email".into(), title: Some(email.subject), body: email.text })
                }
                Err(e) => row.output_error = Some(e.message),
            }
        }
        calls.push(row);
    }
    Ok(TryReport {
        draft,
        version: n.version,
        analyzer: analyzer_name(services, tenant).await?,
        fired: calls.iter().filter(|c| c.fired).count(),
        calls,
    })
}
