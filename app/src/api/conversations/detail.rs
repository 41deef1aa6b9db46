//! One conversation as the dashboard shows it: the backend read model formatted (times in the
//! agent time zone, durations, labels), and re-analysis.

#[allow(unused_imports)]
use super::*;

/// One transcript turn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TurnView {
    /// `agent` or `user`.
    pub role: String,
    pub text: String,
    /// `MM:SS` into the call, when the platform sent timings.
    pub at: Option<String>,
}

/// One trigger verdict of the analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerdictView {
    pub notification: String,
    pub question: String,
    pub fired: bool,
    /// The analyzer could not tell (never fires): shown as "unknown", not as "no".
    pub unknown: bool,
    pub reason: String,
}

/// An extracted field value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldValueView {
    pub name: String,
    /// `string`, `number`, `boolean` or `enum`.
    pub kind: String,
    /// The value as text; empty when not found.
    pub value: String,
    pub evidence: Option<String>,
}

/// The route chosen for one notification's dynamic recipients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteView {
    pub notification: String,
    /// The chosen condition, or "Otherwise".
    pub chosen: String,
    /// Who that route emails.
    pub to: Vec<String>,
    pub reason: String,
}

/// The analysis of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisView {
    /// `completed`, `skipped` or `failed`.
    pub status: String,
    /// e.g. "Built-in (offline)".
    pub analyzer: String,
    pub summary: Option<String>,
    pub verdicts: Vec<VerdictView>,
    pub fields: Vec<FieldValueView>,
    /// `(success|failure|unknown, reason)` when the agent has a goal.
    pub goal: Option<(String, String)>,
    pub routes: Vec<RouteView>,
    pub error: Option<String>,
    pub latency_ms: i64,
    pub tokens: Option<String>,
    pub when: String,
    /// When it was last re-run.
    pub reanalysed: Option<String>,
}

/// The email of a notification run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunEmail {
    pub id: String,
    pub state: String,
    pub to: Vec<String>,
    pub subject: Option<String>,
    pub error: Option<String>,
}

/// The task of a notification run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunTask {
    pub title: String,
    pub priority: String,
    pub status: String,
}

/// One notification run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    pub notification_id: Option<String>,
    pub notification: String,
    pub fired: bool,
    /// Not fired because the analyzer could not judge its trigger question.
    pub unknown: bool,
    pub reason: String,
    /// The notification version the run used.
    pub version: Option<i32>,
    /// The structured condition that stopped it.
    pub stopped_by: Option<String>,
    pub emails: Vec<RunEmail>,
    /// Names of the members alerted.
    pub alerted: Vec<String>,
    pub tasks: Vec<RunTask>,
}

/// The voice platform's own analysis of a call, shown beside ours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformAnalysisView {
    /// The platform's name, e.g. `Retell`.
    pub platform: String,
    pub summary: Option<String>,
    /// `yes` or `no`, when the platform judged it.
    pub successful: Option<String>,
    pub sentiment: Option<String>,
    /// The platform's extracted data: name and value as JSON text.
    pub data: Vec<(String, String)>,
}

/// Everything about one conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub id: String,
    pub call_id: String,
    pub agent_id: String,
    pub agent_name: String,
    pub timezone: String,
    pub when: String,
    pub duration: String,
    pub end_reason: String,
    pub end_reason_raw: Option<String>,
    pub direction: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    /// Pretty-printed JSON, empty when there are none.
    pub dynamic_variables: String,
    pub transcript: Vec<TurnView>,
    pub analysis: Option<AnalysisView>,
    pub platform_analysis: Option<PlatformAnalysisView>,
    pub runs: Vec<RunView>,
}

/// One conversation with its analysis and runs.
#[server(endpoint = "get_conversation", output = crate::api::Json)]
pub async fn get_conversation(id: String) -> Result<ConversationView, AppError> {
    use crate::api::fmt;
    use crate::auth::{member, parse_id, services};
    use backend::calls::event::Speaker;
    let member = member().await?;
    let services = services()?;
    let v = backend::conversations::view(&services.db, &member.into(), parse_id(&id, "Conversation")?).await?;
    let c = &v.conversation;
    let tz = v.agent_timezone.clone();
    let transcript = v
        .transcript
        .0
        .into_iter()
        .map(|t| TurnView {
            role: match t.role {
                Speaker::Agent => "agent".to_owned(),
                Speaker::User => "user".to_owned(),
            },
            text: t.text,
            at: t.start_s.map(backend::templates::format_duration),
        })
        .collect();
    // The notifications whose trigger the analyzer could not judge: their runs did not fire
    // because the answer is unknown, not because it was no.
    let unknown: Vec<String> = v
        .analysis
        .as_ref()
        .map(|a| a.verdicts.iter().filter(|x| x.verdict.unknown).map(|x| x.verdict.key.clone()).collect())
        .unwrap_or_default();
    let analysis = v.analysis.map(|a| AnalysisView {
        status: a.status.to_string(),
        analyzer: analyzer_label(&a.analyzer),
        summary: a.summary,
        verdicts: a
            .verdicts
            .into_iter()
            .map(|v| VerdictView {
                notification: v.notification.unwrap_or_else(|| "(deleted notification)".into()),
                question: v.question.unwrap_or_default(),
                fired: v.verdict.fired,
                unknown: v.verdict.unknown,
                reason: v.verdict.reason,
            })
            .collect(),
        fields: a
            .fields
            .into_iter()
            .map(|f| FieldValueView {
                name: f.value.name,
                kind: f.kind.map(|k| k.to_string()).unwrap_or_else(|| "string".to_owned()),
                value: match f.value.value {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                },
                evidence: f.value.evidence,
            })
            .collect(),
        goal: a.goal.map(|g| (g.result.as_str().to_owned(), g.reason)),
        routes: a
            .routes
            .into_iter()
            .filter_map(|r| {
                Some(RouteView {
                    notification: r.notification?,
                    chosen: r.chosen.unwrap_or_else(|| "Otherwise".to_owned()),
                    to: r.to,
                    reason: r.choice.reason,
                })
            })
            .collect(),
        reanalysed: a.reanalysed_at.map(|t| fmt::time_in(t, &tz)),
        error: a.error,
        latency_ms: a.latency_ms,
        tokens: match (a.prompt_tokens, a.completion_tokens) {
            (Some(p), Some(c)) => Some(format!("{p} prompt + {c} completion")),
            _ => None,
        },
        when: fmt::time_in(a.created_at, &tz),
    });
    let runs = v
        .notification_runs
        .into_iter()
        .map(|r| RunView {
            unknown: !r.fired
                && r.stopped_by.is_none()
                && r.notification_id.is_some_and(|id| unknown.contains(&id.to_string())),
            notification_id: r.notification_id.map(|id| id.to_string()),
            notification: r.notification_name,
            fired: r.fired,
            reason: r.reason,
            version: r.notification_version,
            stopped_by: r.stopped_by,
            emails: r
                .emails
                .into_iter()
                .map(|e| RunEmail {
                    id: e.id.to_string(),
                    state: e.state.to_string(),
                    to: e.to,
                    subject: e.subject,
                    error: e.error,
                })
                .collect(),
            alerted: r.alerted,
            tasks: r
                .tasks
                .into_iter()
                .map(|t| RunTask { title: t.title, priority: t.priority.to_string(), status: t.status.to_string() })
                .collect(),
        })
        .collect();
    let dynamic = if c.dynamic_variables.is_empty() {
        String::new()
    } else {
        serde_json::to_string_pretty(&c.dynamic_variables).unwrap_or_default()
    };
    Ok(ConversationView {
        id: c.id.to_string(),
        call_id: c.call_id.clone(),
        agent_id: v.agent_uuid.to_string(),
        agent_name: c.agent_name.clone(),
        timezone: tz.clone(),
        when: fmt::time_in(c.started_at.unwrap_or(c.received_at), &tz),
        duration: c.duration_s.map(backend::templates::format_duration).unwrap_or_default(),
        end_reason: c.end_reason.to_string(),
        end_reason_raw: c.end_reason_raw.clone().filter(|r| r != c.end_reason.as_str()),
        direction: c.direction.map(|d| d.to_string()),
        status: c.status.clone(),
        channel: c.channel.clone(),
        from_number: c.from_number.clone(),
        to_number: c.to_number.clone(),
        customer_name: c.customer.name.clone(),
        customer_email: c.customer.email.clone(),
        dynamic_variables: dynamic,
        transcript,
        analysis,
        platform_analysis: v.platform_analysis.map(|p| PlatformAnalysisView {
            platform: p.platform.label().to_owned(),
            summary: p.summary,
            successful: p.successful.map(|s| if s { "yes" } else { "no" }.to_owned()),
            sentiment: p.sentiment,
            data: p
                .data
                .into_iter()
                .map(|(name, value)| match value {
                    serde_json::Value::String(s) => (name, s),
                    other => (name, other.to_string()),
                })
                .collect(),
        }),
        runs,
    })
}

/// Queues a re-analysis of a conversation: it replaces the analysis and never sends
/// anything a second time.
#[server(endpoint = "reanalyze_conversation", output = crate::api::Json)]
pub async fn reanalyze_conversation(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::conversations::request_reanalysis(&services, &member.tenant, parse_id(&id, "Conversation")?).await?;
    Ok(())
}
