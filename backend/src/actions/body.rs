//! The JSON of a webhook's body from rows in hand: the parts the delivery job assembles at
//! its first attempt, and the whole `conversation.analyzed` body the analysis builds when
//! it plans a Standard Webhooks delivery.

use chrono::Utc;
use serde_json::{Value as Json, json};

use super::WebhookEvent;
use crate::entities::{agent, analysis, conversation, notification_run};

/// A webhook's `conversation` object from rows in hand: the call's fields, its agent's
/// external id and name, its dashboard URL, and the transcript when `transcript`.
pub(crate) fn conversation_value(
    conv: &conversation::Model,
    agent: &agent::Model,
    transcript: bool,
    public_url: &str,
) -> Json {
    let mut value = json!({
        "id": conv.id,
        "call_id": conv.call_id,
        "agent": { "external_id": agent.external_id, "name": agent.name },
        "status": conv.status,
        "direction": conv.direction,
        "channel": conv.channel,
        "started_at": conv.started_at.map(|t| t.to_rfc3339()),
        "ended_at": conv.ended_at.map(|t| t.to_rfc3339()),
        "duration_s": conv.duration_s,
        "end_reason": conv.end_reason,
        "from_number": conv.from_number,
        "to_number": conv.to_number,
        "customer": { "name": conv.customer_name, "email": conv.customer_email },
        "dynamic_variables": conv.dynamic_variables,
        "url": format!("{public_url}/conversations/{}", conv.id),
    });
    if transcript {
        value["transcript"] = serde_json::to_value(&conv.transcript).unwrap_or_default();
    }
    value
}

/// A webhook's `analysis` object from rows in hand: the body templates' `analysis`, plus
/// who analysed and each notification's verdict (`name`, `fired`, `reason`).
pub(crate) fn analysis_value(a: &analysis::Model, runs: &[notification_run::Model]) -> Json {
    let mut value = crate::actions::analysis_variable(Some(a));
    value["analyzer"] = json!(a.analyzer);
    value["notifications"] =
        runs.iter().map(|r| json!({ "name": r.notification_name, "fired": r.fired, "reason": r.reason })).collect();
    value
}

/// The Standard Webhooks body of a `conversation.analyzed` delivery, built by the analysis
/// that plans it from the rows it just wrote (so the delivery reads nothing back): the
/// same JSON the delivery job builds at its first attempt for a delivery queued without one.
pub(crate) fn analyzed_payload(
    conv: &conversation::Model,
    agent: &agent::Model,
    analysis: &analysis::Model,
    runs: &[notification_run::Model],
    transcript: bool,
    public_url: &str,
) -> String {
    json!({
        "type": WebhookEvent::ConversationAnalyzed,
        "timestamp": Utc::now().to_rfc3339(),
        "data": {
            "conversation": conversation_value(conv, agent, transcript, public_url),
            "analysis": analysis_value(analysis, runs),
        },
    })
    .to_string()
}
