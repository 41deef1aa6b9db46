//! `AnalyzeCall`: asks the account's analyzer about a new conversation, stores the analysis
//! and one notification run per enabled notification, and for each run that fires creates
//! its follow-up work — an email (with its `SendEmail` job) per recipient list, alerts for
//! the chosen members, a task, the post-call actions — all in one unit of work with
//! marking the job done.
//!
//! Three steps: **analyse** (build the request, run the analyzer, store the analysis),
//! **decide** (`decide` whether each notification fires, then `follow_up`: which emails,
//! alerts and task a fired run makes — pure functions of the notification, the call and the
//! analysis), and **effects**, each made by the module that owns it
//! (`outbox::queue_run_email`, `alerts::create`, `tasks::create_for_run`, `actions::plan`).

use std::time::Instant;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{Job, JobError};
use crate::Services;
use crate::accounts;
use crate::analysis::{AnalysisOutput, AnalysisRequest, CallFacts, RouteQuestion, TriggerQuestion, Usage, fields};
use crate::calls::event::Turn;
use crate::columns::AnalysisStatus;
use crate::entities::{agent, analysis, conversation, notification, notification_run};
use crate::notifications::team_alert_of;
use crate::queue::{self, AnalyzeCall, ClaimedJob};
use crate::tenancy::{Tenant, secure_find};
use crate::types::TeamAlert;

/// Calls with fewer turns than this are not analysed (SPEC section 4).
pub const MIN_TURNS: usize = 2;

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

struct Decision {
    fired: bool,
    reason: String,
    /// The structured condition that stopped the run.
    stopped_by: Option<String>,
}

/// Fired = every structured condition holds and the trigger fires. A failing condition is
/// reported first (it is a plain fact of the call), else the trigger's verdict.
fn decide(
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

fn judge(n: &notification::Model, status: AnalysisStatus, output: &AnalysisOutput) -> (bool, String) {
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
/// is written: one email per non-empty recipient list (the fixed addresses, and the routed
/// ones, only ever taken from the admin's configuration by the analyzer's route index), an
/// alert per chosen member, and a task when the notification makes one.
struct FollowUp {
    emails: Vec<Vec<String>>,
    alerted: Vec<Uuid>,
    alert_body: String,
    task: Option<crate::tasks::NewTask>,
}

fn follow_up(
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

#[async_trait]
impl Job for AnalyzeCall {
    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
        let db = &services.db;
        let tenant = job.tenant;
        let conv = secure_find::<conversation::Entity, _>(db, &tenant, self.conversation_id).await?;
        let already = analysis::Entity::find().filter(analysis::Column::ConversationId.eq(conv.id)).one(db).await?;
        if already.is_some() {
            // A previous attempt committed; nothing may run twice.
            return Ok(());
        }
        let agent = secure_find::<agent::Entity, _>(db, &tenant, conv.agent_id).await?;
        let rules = notifications_for_agent(db, &tenant, agent.id).await?;
        let actions = crate::actions::enabled_for_agent(db, &services.secrets, &tenant, agent.id).await?;
        let request = build_request(db, &tenant, &conv, &agent, &rules, &actions).await?;
        let analysed = run_analyzer(services, &tenant, &request).await?;
        let members = accounts::members(db, &tenant).await?;
        let member_ids: Vec<Uuid> = members.iter().map(|m| m.user_id).collect();
        let push_subscriptions = crate::push::subscriptions_of_users(db, &tenant, &member_ids).await?;
        let output = &analysed.output;

        let mut work = crate::db::Work::begin(services).await?;
        let now = Utc::now();
        let inserted = analysis::Entity::insert(analysis::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(tenant.account_id()),
            conversation_id: Set(conv.id),
            status: Set(analysed.status),
            analyzer: Set(analysed.analyzer.to_owned()),
            summary: Set((!output.summary.is_empty()).then(|| output.summary.clone())),
            result: Set(output.clone()),
            error: Set(analysed.error.clone()),
            latency_ms: Set(analysed.latency_ms),
            prompt_tokens: Set(analysed.usage.map(|u| u.prompt_tokens)),
            completion_tokens: Set(analysed.usage.map(|u| u.completion_tokens)),
            created_at: Set(now),
            goal_result: Set(output.goal.as_ref().map(|g| g.result)),
            reanalysed_at: Set(None),
        })
        .on_conflict_do_nothing_on([analysis::Column::ConversationId])
        .exec_without_returning(work.db())
        .await?;
        if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            work.rollback().await?;
            return Ok(());
        }

        for rule in &rules {
            let decision = decide(&conv, rule, analysed.status, output);
            let run_id = Uuid::now_v7();
            notification_run::Entity::insert(notification_run::ActiveModel {
                id: Set(run_id),
                account_id: Set(tenant.account_id()),
                conversation_id: Set(conv.id),
                notification_id: Set(Some(rule.id)),
                notification_name: Set(rule.name.clone()),
                fired: Set(decision.fired),
                reason: Set(decision.reason.clone()),
                created_at: Set(now),
                notification_version: Set(Some(rule.version)),
                stopped_by: Set(decision.stopped_by.clone()),
            })
            .exec_without_returning(work.db())
            .await?;
            if !decision.fired {
                continue;
            }
            // The effects, each made by the module that owns it, in this unit of work.
            let plan = follow_up(&conv, &agent, rule, run_id, &decision, output, &members);
            for to in plan.emails {
                let email = crate::outbox::RunEmail {
                    conversation_id: conv.id,
                    notification_run_id: run_id,
                    to,
                    subject_template: &rule.email_subject,
                    body_template: &rule.email_body,
                };
                crate::outbox::queue_run_email(&mut work, &tenant, email, &services.settings.public_url).await?;
            }
            for user_id in plan.alerted {
                let new = crate::alerts::NewAlert {
                    user_id,
                    conversation_id: Some(conv.id),
                    notification_run_id: Some(run_id),
                    title: rule.name.clone(),
                    body: plan.alert_body.clone(),
                    link: format!("/conversations/{}", conv.id),
                };
                crate::alerts::create(&mut work, &tenant, new, &push_subscriptions).await?;
            }
            if let Some(task) = plan.task {
                crate::tasks::create_for_run(work.db(), &tenant, task).await?;
            }
        }
        let planned =
            crate::actions::plan(work.db(), &tenant, &services.settings, &actions, &conv, &agent.timezone, output)
                .await?;
        queue::complete(work.db(), job.id).await?;
        if planned > 0 {
            work.wake_runner();
        }
        work.commit().await?;
        Ok(())
    }
}
