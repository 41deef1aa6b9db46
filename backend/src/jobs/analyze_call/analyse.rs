//! Analyse: the request for the analyzer (facts, transcript, triggers, fields, routes of the notifications that apply) and one call to it.

#[allow(unused_imports)]
use super::*;

/// The enabled, published notifications that apply to an agent: its own and the
/// account-wide ones, in their configured order. Never-published drafts (version 0) do not run.
pub async fn notifications_for_agent<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    agent_id: Uuid,
) -> Result<Vec<notification::Model>, sea_orm::DbErr> {
    crate::tenancy::scope::<notification::Entity>(tenant)
        .filter(notification::Column::Enabled.eq(true))
        .filter(notification::Column::Version.gt(0))
        .filter(
            Condition::any()
                .add(notification::Column::AgentId.eq(agent_id))
                .add(notification::Column::AgentId.is_null()),
        )
        .order_by_asc(notification::Column::Position)
        .order_by_asc(notification::Column::CreatedAt)
        .all(db)
        .await
}

/// An analysis ready to store.
pub(crate) struct Analysed {
    pub status: AnalysisStatus,
    pub analyzer: &'static str,
    pub output: AnalysisOutput,
    pub usage: Option<Usage>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

impl Analysed {
    /// The `analyses` row of this answer for `conversation_id`: stored under `id` by
    /// `AnalyzeCall`, shown unsaved (`Uuid::nil()`) by a dry run.
    pub(crate) fn record(
        &self,
        tenant: &Tenant,
        conversation_id: Uuid,
        id: Uuid,
        at: chrono::DateTime<Utc>,
    ) -> analysis::Model {
        let output = &self.output;
        analysis::Model {
            id,
            account_id: tenant.account_id(),
            conversation_id,
            status: self.status,
            analyzer: self.analyzer.to_owned(),
            summary: (!output.summary.is_empty()).then(|| output.summary.clone()),
            result: output.clone(),
            error: self.error.clone(),
            latency_ms: self.latency_ms,
            prompt_tokens: self.usage.map(|u| u.prompt_tokens),
            completion_tokens: self.usage.map(|u| u.completion_tokens),
            created_at: at,
            goal_result: output.goal.as_ref().map(|g| g.result),
            reanalysed_at: None,
        }
    }
}

/// What the analyzer is asked about `conv` given the agent, the notifications and the
/// enabled post-call actions that apply: the triggers of non-always notifications, the
/// agent's fields plus the `dyn_*` names their templates use and the fields the actions
/// need, the goal, and the routes of dynamic recipient lists.
pub(crate) async fn build_request<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    conv: &conversation::Model,
    agent: &agent::Model,
    rules: &[notification::Model],
    actions: &[crate::entities::post_call_action::Model],
) -> Result<AnalysisRequest, JobError> {
    let transcript: Vec<Turn> = conv.transcript.0.clone();
    let triggers = rules
        .iter()
        .filter(|n| !n.trigger_always)
        .filter_map(|n| {
            n.trigger_condition.as_ref().map(|q| TriggerQuestion { key: n.id.to_string(), question: q.clone() })
        })
        .collect();
    let routes = rules
        .iter()
        .filter_map(|n| {
            let r = &n.recipients;
            r.is_dynamic().then(|| RouteQuestion {
                key: n.id.to_string(),
                conditions: r.routes.iter().map(|route| route.when.clone()).collect(),
            })
        })
        .collect();
    let agent_fields = fields::list(db, tenant, agent.id).await?;
    let mut specs = fields::specs_for(&agent_fields, rules);
    for spec in crate::actions::needed_fields(actions) {
        if !specs.iter().any(|s| s.name == spec.name) {
            specs.push(spec);
        }
    }
    Ok(AnalysisRequest {
        transcript,
        started_at: conv.started_at,
        timezone: agent.timezone.clone(),
        agent_name: agent.name.clone(),
        triggers,
        fields: specs,
        goal: agent.goal.clone(),
        routes,
        call: CallFacts {
            end_reason: conv.end_reason.as_str().to_owned(),
            end_reason_raw: conv.end_reason_raw.clone().filter(|r| !r.eq_ignore_ascii_case(conv.end_reason.as_str())),
            duration_s: conv.duration_s,
            phone_country: CallFacts::phone_country_of(&[conv.to_number.as_deref(), conv.from_number.as_deref()]),
        },
    })
}

/// Runs the tenant's analyzer on `request` (or skips calls under [`MIN_TURNS`]). A provider
/// failure — after the provider's own retries — is an analysis with status `failed` and
/// the error, so always-send notifications still fire.
pub(crate) async fn run_analyzer(
    services: &Services,
    tenant: &Tenant,
    request: &AnalysisRequest,
) -> Result<Analysed, JobError> {
    let analyzer = crate::analyzers::for_tenant(services, tenant).await?;
    let started = Instant::now();
    let (status, output, usage, error) = if request.transcript.len() < MIN_TURNS {
        (AnalysisStatus::Skipped, AnalysisOutput::default(), None, None)
    } else {
        match analyzer.analyze(request).await {
            Ok((output, usage)) => (AnalysisStatus::Completed, output, usage, None),
            Err(e) => (AnalysisStatus::Failed, AnalysisOutput::default(), None, Some(e.to_string())),
        }
    };
    let output = if status == AnalysisStatus::Completed { output.sanitize(request) } else { output };
    Ok(Analysed {
        status,
        analyzer: analyzer.name(),
        output,
        usage,
        error,
        latency_ms: started.elapsed().as_millis() as i64,
    })
}
