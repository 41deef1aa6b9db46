//! Planning an analysed call's actions: the fields they need, when a follow-up call is due, the
//! deliveries and scheduled calls to queue.

#[allow(unused_imports)]
use super::*;

/// What the description of an implied follow-up time field tells the analyzer.
pub const TIME_FIELD_DESCRIPTION: &str =
    "When to call the customer back: date and time (ISO 8601), as agreed in the call";

/// The extracted fields the agent's enabled actions need, so the analyzer extracts them
/// even without a defined field: condition fields and `dyn_*` variables of Slack/Teams
/// messages as text, follow-up time fields as a date and time ([`TIME_FIELD_DESCRIPTION`]).
pub fn needed_fields(actions: &[post_call_action::Model]) -> Vec<crate::analysis::FieldSpec> {
    use crate::analysis::{FieldSpec, FieldType};
    let mut specs: Vec<FieldSpec> = Vec::new();
    let mut add = |spec: FieldSpec| {
        if !specs.iter().any(|s| s.name == spec.name) {
            specs.push(spec);
        }
    };
    for a in actions.iter().filter(|a| a.enabled) {
        if let Some(t) = &a.time_field {
            add(FieldSpec::new(t, FieldType::String, TIME_FIELD_DESCRIPTION, vec![]));
        }
        for name in condition_of(a).iter().flat_map(Condition::field_names) {
            add(FieldSpec::implied(&name));
        }
        if let Some(t) = &a.message_template {
            for v in crate::templates::dyn_variables(t) {
                add(FieldSpec::implied(v.trim_start_matches("dyn_")));
            }
        }
    }
    specs
}

/// The enabled, published actions of the agent (version 1 or later), oldest first, decrypted.
pub async fn enabled_for_agent<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    tenant: &Tenant,
    agent_id: Uuid,
) -> Result<Vec<post_call_action::Model>> {
    let rows = scope::<post_call_action::Entity>(tenant)
        .filter(post_call_action::Column::AgentId.eq(agent_id))
        .filter(post_call_action::Column::Enabled.eq(true))
        .filter(post_call_action::Column::Version.gt(0))
        .order_by_asc(post_call_action::Column::CreatedAt)
        .all(db)
        .await?;
    open_all(secrets, rows)
}

/// When a `schedule_call` action calls back: the time in its field — RFC 3339, a local
/// date-time (`2026-11-24T15:00`) or a date (09:00) in the agent's time zone — or the
/// fallback delay after the call ended; a time already past means now. `None` when
/// neither gives a time. Returns the time and where it came from.
pub fn follow_up_time(
    action: &post_call_action::Model,
    conv: &conversation::Model,
    output: &AnalysisOutput,
    timezone: &str,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    let tz: Tz = timezone.parse().unwrap_or(Tz::UTC);
    let from_field = action.time_field.as_ref().and_then(|name| {
        let value = output.fields.iter().find(|f| f.name == *name)?.value.as_str()?.trim().to_owned();
        let at = DateTime::parse_from_rfc3339(&value).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
            ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(&value, f).ok())
                .or_else(|| NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(9, 0, 0)))
                .and_then(|naive| tz.from_local_datetime(&naive).earliest())
                .map(|t| t.with_timezone(&Utc))
        })?;
        Some((at, format!("field {name} = {value}")))
    });
    let found = from_field.or_else(|| {
        action.fallback_delay_minutes.map(|m| {
            let base = conv.ended_at.unwrap_or(conv.received_at).max(conv.received_at);
            (base + chrono::Duration::minutes(m.into()), format!("fallback {m} min after the call"))
        })
    })?;
    Some((found.0.max(now), found.1))
}

/// What the analysis that plans the actions has just written: a Standard Webhooks
/// delivery's body is built from it at once, so the delivery reads none of it back.
pub(crate) struct AnalysisRows<'a> {
    pub agent: &'a agent::Model,
    pub analysis: &'a analysis::Model,
    pub runs: &'a [notification_run::Model],
}

/// Plans the agent's enabled actions for a just-analysed conversation in `txn` (the
/// analysis transaction, so they happen exactly once): each whose condition holds
/// queues a webhook delivery (a Standard Webhooks one with its body, built from
/// `written`), or a scheduled call with its `RequestCallback` job due at its time.
/// The deliveries' jobs are queued claimed for `lease` (the running analysis's, whose
/// runner runs them next; [`queue_delivery`]). Returns what was planned.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn plan<C: ConnectionTrait>(
    txn: &C,
    tenant: &Tenant,
    settings: &crate::Settings,
    actions: &[post_call_action::Model],
    conv: &conversation::Model,
    written: &AnalysisRows<'_>,
    output: &AnalysisOutput,
    lease: std::time::Duration,
) -> Result<Planned> {
    let timezone = written.agent.timezone.as_str();
    let now = Utc::now();
    let mut planned = Planned::default();
    for action in actions.iter().filter(|a| a.enabled) {
        if let Some(c) = condition_of(action)
            && !c.holds(conv, output)
        {
            continue;
        }
        match action.kind {
            ActionKind::Webhook => {
                let body = (action.format == WebhookFormat::Standard).then(|| {
                    analyzed_payload(
                        conv, written.agent, written.analysis, written.runs, action.include_transcript,
                        &settings.public_url,
                    )
                });
                let queued = queue_delivery(
                    txn,
                    tenant,
                    settings,
                    action,
                    Some(conv.id),
                    WebhookEvent::ConversationAnalyzed,
                    false,
                    body,
                    Some(lease),
                )
                .await?;
                planned.queued += 1;
                planned.claimed.extend(queued.claimed);
            }
            ActionKind::ScheduleCall => {
                let Some((due, source)) = follow_up_time(action, conv, output, timezone, now) else {
                    tracing::info!(action = %action.id, conversation = %conv.id, "no follow-up time: the field is empty and there is no fallback");
                    continue;
                };
                let id = Uuid::now_v7();
                let job_id = queue::enqueue_with(
                    txn,
                    tenant,
                    &RequestCallback { scheduled_call_id: id, conversation_id: conv.id },
                    due,
                    5,
                )
                .await?;
                scheduled_call::Entity::insert(scheduled_call::ActiveModel {
                    id: Set(id),
                    account_id: Set(tenant.account_id()),
                    conversation_id: Set(conv.id),
                    action_id: Set(Some(action.id)),
                    due_at: Set(due),
                    state: Set(ScheduledCallState::Scheduled),
                    source: Set(source),
                    job_id: Set(Some(job_id)),
                    webhook_delivery_id: Set(None),
                    cancelled_by: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                planned.queued += 1;
            }
        }
    }
    Ok(planned)
}

/// What [`plan`] queued: how many deliveries and scheduled calls, and the deliveries'
/// jobs queued claimed, for the caller to hand to its runner after committing.
#[derive(Debug, Default)]
pub(crate) struct Planned {
    pub queued: usize,
    pub claimed: Vec<queue::ClaimedJob>,
}
