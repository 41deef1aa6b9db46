//! What a webhook carries: the Standard Webhooks envelope, or a Slack / Teams message, with the
//! conversation and its analysis.

#[allow(unused_imports)]
use super::*;

/// The JSON body of a delivery. `standard`: `{type, timestamp, data}` with the conversation
/// (transcript when the action includes it), its analysis and notification runs, and for
/// callback requests the scheduled call. `slack`: `{text}`; `teams`: a MessageCard — both
/// with the action's template rendered with the conversation's variables.
pub(crate) async fn build_payload(
    services: &Services,
    tenant: &Tenant,
    row: &webhook_delivery::Model,
    action: &post_call_action::Model,
) -> Result<Json, JobError> {
    let db = &services.db;
    let public_url = &services.settings.public_url;
    if row.format == WebhookFormat::Request {
        return request_body(services, tenant, row, action).await;
    }
    if row.format != WebhookFormat::Standard {
        let text = match row.conversation_id {
            Some(conv_id) => {
                let vars = crate::templates::conversation_variables(db, tenant, conv_id, public_url).await?;
                let template = action.message_template.clone().unwrap_or_default();
                let markup = if row.format == WebhookFormat::Slack {
                    crate::templates::MessageFormat::Slack
                } else {
                    crate::templates::MessageFormat::Teams
                };
                crate::templates::render_message(&template, &vars, markup)
                    .map_err(|e| JobError::Permanent(format!("template: {e}")))?
            }
            None => format!("Test message from Aftercall for “{}”.", action.name),
        };
        return Ok(if row.format == WebhookFormat::Slack {
            json!({ "text": text })
        } else {
            json!({
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": action.name,
                "title": action.name,
                "text": text,
            })
        });
    }
    let mut data = serde_json::Map::new();
    if let Some(conv_id) = row.conversation_id {
        let conv = secure_find::<conversation::Entity, _>(db, tenant, conv_id).await?;
        data.insert(
            "conversation".into(),
            conversation_json(db, tenant, &conv, action.include_transcript, public_url).await?,
        );
        data.insert("analysis".into(), analysis_json(db, tenant, conv.id).await?);
    } else {
        data.insert("message".into(), json!(format!("Test message from Aftercall for “{}”.", action.name)));
    }
    if row.event_type == WebhookEvent::CallbackRequested {
        let call = scope::<scheduled_call::Entity>(tenant)
            .filter(scheduled_call::Column::WebhookDeliveryId.eq(row.id))
            .one(db)
            .await?;
        if let Some(call) = call {
            let conv = data.get("conversation").cloned().unwrap_or(Json::Null);
            let inbound = conv["direction"].as_str() != Some("outbound");
            let phone = if inbound { conv["from_number"].clone() } else { conv["to_number"].clone() };
            data.insert(
                "callback".into(),
                json!({
                    "scheduled_call_id": call.id,
                    "due_at": call.due_at.to_rfc3339(),
                    "source": call.source,
                    "phone_number": phone,
                    "agent_id": conv["agent"]["external_id"],
                }),
            );
        }
    }
    Ok(json!({ "type": row.event_type, "timestamp": Utc::now().to_rfc3339(), "data": data }))
}

/// An HTTP request action's body: its template rendered as JSON with the conversation's
/// email variables and `analysis` (a test-send renders the agent's sample call).
async fn request_body(
    services: &Services,
    tenant: &Tenant,
    row: &webhook_delivery::Model,
    action: &post_call_action::Model,
) -> Result<Json, JobError> {
    let db = &services.db;
    let public_url = &services.settings.public_url;
    let template = action.body_template.clone().unwrap_or_default();
    let vars = match row.conversation_id {
        Some(conv_id) => {
            let (mut vars, analysis) =
                crate::templates::conversation_variables_with_analysis(db, tenant, conv_id, public_url).await?;
            vars.set("analysis", crate::actions::analysis_variable(analysis.as_ref()));
            vars
        }
        None => {
            let account = crate::identity::accounts::get(db, tenant).await?;
            let (mut vars, analysis) =
                crate::preview::sample_variables(db, tenant, &account, public_url, Some(action.agent_id), &[&template])
                    .await?;
            vars.set("analysis", crate::actions::analysis_variable(Some(&analysis)));
            vars
        }
    };
    crate::templates::render_json(&template, &vars)
        .map_err(|e| JobError::Permanent(format!("body template: {}", e.message)))
}

pub(crate) async fn conversation_json<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    conv: &conversation::Model,
    transcript: bool,
    public_url: &str,
) -> Result<Json, JobError> {
    let agent = secure_find::<agent::Entity, _>(db, tenant, conv.agent_id).await?;
    Ok(crate::actions::conversation_value(conv, &agent, transcript, public_url))
}

pub(crate) async fn analysis_json<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    conversation_id: Uuid,
) -> Result<Json, JobError> {
    let Some(a) =
        scope::<analysis::Entity>(tenant).filter(analysis::Column::ConversationId.eq(conversation_id)).one(db).await?
    else {
        return Ok(Json::Null);
    };
    let runs = scope::<notification_run::Entity>(tenant)
        .filter(notification_run::Column::ConversationId.eq(conversation_id))
        .all(db)
        .await?;
    Ok(crate::actions::analysis_value(&a, &runs))
}
