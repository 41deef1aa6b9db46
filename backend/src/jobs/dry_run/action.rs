//! Trying a post-call action: its condition, and the request it would send.

use serde_json::{Value as Json, json};

use super::*;
use crate::actions::{ActionKind, WebhookEvent, WebhookFormat, display_url, follow_up_time};
use crate::templates::{MessageFormat, VariableSources, render_json, render_message, variables};

/// Tries action `id` (its draft when there is one) on the latest `limit` conversations of
/// its agent: whether its condition holds, and the body it would send (or when a
/// scheduled call would be requested). Needs the configure permission.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`] (also another account's id),
/// [`Error::Invalid`] on `limit`.
pub async fn action(services: &Services, actor: &Actor, id: Uuid, limit: Option<u64>) -> Result<TryReport> {
    require(actor)?;
    let limit = limit_of(limit)?;
    let db = &services.db;
    let tenant = actor.tenant();
    let row = crate::actions::get(db, &services.secrets, tenant, id).await?;
    let (draft, version) = (row.draft.is_some(), row.version);
    let mut a = crate::actions::editable(row)?;
    // Tried even when turned off: the analyzer is asked for the fields it needs.
    a.enabled = true;
    let convs = crate::preview::recent_conversations(db, tenant, Some(a.agent_id), limit).await?;
    let account = crate::identity::accounts::get(db, tenant).await?;
    let tried = analyse_all(services, tenant, convs, &[], std::slice::from_ref(&a)).await?;
    let mut calls = Vec::new();
    for t in &tried {
        let output = &t.analysed.output;
        let mut row = call_row(t);
        match &a.condition {
            Some(c) if !c.holds(&t.conv, output) => {
                row.reason = format!("Condition not met: {}.", c.describe());
                row.stopped_by = Some(c.describe());
            }
            Some(c) => {
                row.fired = true;
                row.reason = format!("Condition holds: {}.", c.describe());
            }
            None => {
                row.fired = true;
                row.reason = "No condition: it runs after every call.".to_owned();
            }
        }
        if row.fired {
            let vars = variables(&VariableSources {
                conversation: &t.conv,
                agent: &t.agent,
                account: &account,
                analysis: Some(&t.analysis),
                public_url: &services.settings.public_url,
            });
            match rendered(services, tenant, t, &a, vars).await? {
                Ok(Some(out)) => row.output = Some(out),
                Ok(None) => {
                    row.fired = false;
                    row.reason = "No follow-up time: the time field is empty and there is no fallback.".to_owned();
                }
                Err(e) => row.output_error = Some(e),
            }
        }
        calls.push(row);
    }
    Ok(TryReport {
        draft,
        version,
        analyzer: analyzer_name(services, tenant).await?,
        fired: calls.iter().filter(|c| c.fired).count(),
        calls,
    })
}

/// What `a` would send about the tried call: `Ok(None)` when a scheduled call has no time,
/// `Err` with a template's error.
async fn rendered(
    services: &Services,
    tenant: &Tenant,
    t: &Tried,
    a: &post_call_action::Model,
    mut vars: crate::templates::Variables,
) -> Result<std::result::Result<Option<Rendered>, String>> {
    let target = |method: &str| Some(format!("{method} {}", display_url(&a.url)));
    if a.kind == ActionKind::ScheduleCall {
        return Ok(Ok(follow_up_time(a, &t.conv, &t.analysed.output, &t.agent.timezone, Utc::now()).map(
            |(due, source)| Rendered {
                kind: "callback".into(),
                title: target("POST"),
                body: format!("A callback request due at {} ({source}).", due.to_rfc3339()),
            },
        )));
    }
    let analysis = crate::actions::analysis_variable(Some(&t.analysis));
    let out = match a.format {
        WebhookFormat::Request => {
            vars.set("analysis", analysis);
            let template = a.body_template.clone().unwrap_or_default();
            render_json(&template, &vars).map(|body| Rendered {
                kind: "json".into(),
                title: target(a.method.as_str()),
                body: serde_json::to_string_pretty(&body).unwrap_or_default(),
            })
        }
        WebhookFormat::Slack | WebhookFormat::Teams => {
            let markup = if a.format == WebhookFormat::Slack { MessageFormat::Slack } else { MessageFormat::Teams };
            render_message(a.message_template.as_deref().unwrap_or_default(), &vars, markup).map(|text| Rendered {
                kind: "message".into(),
                title: target("POST"),
                body: text,
            })
        }
        WebhookFormat::Standard => {
            let conversation = crate::jobs::deliver_webhook::conversation_json(
                &services.db, tenant, &t.conv, a.include_transcript, &services.settings.public_url,
            )
            .await
            .map_err(job_error)?;
            let mut analysis: Json = analysis;
            analysis["analyzer"] = json!(t.analysis.analyzer);
            let body = json!({
                "type": WebhookEvent::ConversationAnalyzed,
                "data": {"conversation": conversation, "analysis": analysis},
            });
            Ok(Rendered {
                kind: "json".into(),
                title: target("POST"),
                body: serde_json::to_string_pretty(&body).unwrap_or_default(),
            })
        }
    };
    Ok(out.map(Some).map_err(|e| e.message))
}
