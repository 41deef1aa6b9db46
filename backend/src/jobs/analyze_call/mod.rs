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
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{Job, JobError};
use crate::Services;
use crate::analysis::{AnalysisOutput, AnalysisRequest, CallFacts, RouteQuestion, TriggerQuestion, Usage, fields};
use crate::calls::event::Turn;
use crate::columns::AnalysisStatus;
use crate::entities::{agent, analysis, conversation, notification, notification_run};
use crate::identity::accounts;
use crate::notifications::team_alert_of;
use crate::queue::{AnalyzeCall, ClaimedJob};
use crate::tenancy::{Tenant, secure_find};
use crate::types::TeamAlert;

mod analyse;
pub use analyse::*;
mod decide;
pub(crate) use decide::*;

/// Calls with fewer turns than this are not analysed (SPEC section 4).
pub const MIN_TURNS: usize = 2;

#[async_trait]
impl Job for AnalyzeCall {
    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
        let db = &services.db;
        let tenant = job.tenant;
        // Handed over by ingest: the conversation and its agent as ingest just wrote and
        // read them (first attempt only; a claim from the table reads both).
        let warm = job.warm::<crate::calls::WarmCall>().filter(|w| w.conversation.id == self.conversation_id);
        let (conv, warm_agent) = match warm {
            Some(warm) => (warm.conversation.clone(), Some(warm.agent.clone())),
            None => (secure_find::<conversation::Entity, _>(db, &tenant, self.conversation_id).await?, None),
        };
        // An attempt's analysis commits together with the job's completion, so a first
        // attempt cannot find one and skips the read. A retry still looks, so the analyzer
        // (an LLM costs money) never runs for a conversation already analysed; the insert
        // below refuses a second analysis in any case.
        if job.attempts > 1 {
            let already = analysis::Entity::find().filter(analysis::Column::ConversationId.eq(conv.id)).one(db).await?;
            if already.is_some() {
                return Ok(());
            }
        }
        let agent = match warm_agent {
            Some(agent) => agent,
            None => secure_find::<agent::Entity, _>(db, &tenant, conv.agent_id).await?,
        };
        let rules = notifications_for_agent(db, &tenant, agent.id).await?;
        let actions = crate::actions::enabled_for_agent(db, &services.secrets, &tenant, agent.id).await?;
        let request = build_request(db, &tenant, &conv, &agent, &rules, &actions).await?;
        let analysed = run_analyzer(services, &tenant, &request).await?;
        // Who a notification can email or alert; an agent without notifications (webhooks
        // only, say) needs neither read.
        let (members, push_subscriptions) = if rules.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let members = accounts::members(db, &tenant).await?;
            let member_ids: Vec<Uuid> = members.iter().map(|m| m.user_id).collect();
            let push = crate::delivery::push::subscriptions_of_users(db, &tenant, &member_ids).await?;
            (members, push)
        };
        let output = &analysed.output;

        let now = Utc::now();
        let stored = analysed.record(&tenant, conv.id, Uuid::now_v7(), now);
        // The variables the emails render with (SPEC section 5), from what is in hand: the
        // emails are stored rendered, and their `SendEmail` jobs read nothing else.
        let variables = if rules.is_empty() {
            None
        } else {
            let account = accounts::get(db, &tenant).await?;
            Some(crate::templates::variables(&crate::templates::VariableSources {
                conversation: &conv,
                agent: &agent,
                account: &account,
                analysis: Some(&stored),
                public_url: &services.settings.public_url,
            }))
        };

        let mut work = crate::db::Work::begin(services).await?;
        let inserted = analysis::Entity::insert(analysis::ActiveModel::from(stored.clone()))
            .on_conflict_do_nothing_on([analysis::Column::ConversationId])
            .exec_without_returning(work.db())
            .await?;
        if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            work.rollback().await?;
            return Ok(());
        }

        let mut runs = Vec::with_capacity(rules.len());
        for rule in &rules {
            let decision = decide(&conv, rule, analysed.status, output);
            let run_id = Uuid::now_v7();
            let run = notification_run::Model {
                id: run_id,
                account_id: tenant.account_id(),
                conversation_id: conv.id,
                notification_id: Some(rule.id),
                notification_name: rule.name.clone(),
                fired: decision.fired,
                reason: decision.reason.clone(),
                created_at: now,
                notification_version: Some(rule.version),
                stopped_by: decision.stopped_by.clone(),
            };
            notification_run::Entity::insert(notification_run::ActiveModel::from(run.clone()))
                .exec_without_returning(work.db())
                .await?;
            runs.push(run);
            if !decision.fired {
                continue;
            }
            // The effects, each made by the module that owns it, in this unit of work.
            let plan = follow_up(&conv, &agent, rule, run_id, &decision, output, &members);
            for to in plan.emails {
                // A template that does not render is stored unrendered: its job renders it
                // again and records the error on the email, as for any send.
                let rendered = variables
                    .as_ref()
                    .and_then(|vars| crate::templates::render_email(&rule.email_subject, &rule.email_body, vars).ok());
                let email = crate::delivery::outbox::RunEmail {
                    conversation_id: conv.id,
                    notification_run_id: run_id,
                    to,
                    subject_template: &rule.email_subject,
                    body_template: &rule.email_body,
                    rendered,
                };
                crate::delivery::outbox::queue_run_email(&mut work, &tenant, email, &services.settings.public_url)
                    .await?;
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
        let written = crate::actions::AnalysisRows { agent: &agent, analysis: &stored, runs: &runs };
        // The deliveries are queued claimed by this runner, which runs them right after this
        // job: no claim statement and no wake-up between a call's analysis and its webhooks.
        let lease = services.settings.jobs.lease;
        let planned =
            crate::actions::plan(work.db(), &tenant, &services.settings, &actions, &conv, &written, output, lease)
                .await?;
        job.complete_in(work.db()).await?;
        if planned.queued > planned.claimed.len() {
            work.wake_runner();
        }
        work.commit().await?;
        job.hand_over(planned.claimed);
        Ok(())
    }
}
