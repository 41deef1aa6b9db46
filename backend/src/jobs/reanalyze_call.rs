//! `ReanalyzeCall`: re-runs the analysis of a conversation from the dashboard. It replaces
//! the stored analysis (summary, fields, verdicts, goal, routes) and never sends, alerts or
//! creates anything: the notification runs keep recording what was delivered.

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::analyze_call::{build_request, notifications_for_agent, run_analyzer};
use super::{Job, JobError};
use crate::Services;
use crate::entities::{agent, analysis, conversation};
use crate::queue::{ClaimedJob, ReanalyzeCall};
use crate::tenancy::secure_find;

#[async_trait]
impl Job for ReanalyzeCall {
    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
        let db = &services.db;
        let tenant = job.tenant;
        let conv = secure_find::<conversation::Entity, _>(db, &tenant, self.conversation_id).await?;
        let agent = secure_find::<agent::Entity, _>(db, &tenant, conv.agent_id).await?;
        let rules = notifications_for_agent(db, &tenant, agent.id).await?;
        let actions = crate::actions::enabled_for_agent(db, &services.secrets, &tenant, agent.id).await?;
        let request = build_request(db, &tenant, &conv, &agent, &rules, &actions).await?;
        let analysed = run_analyzer(services, &tenant, &request).await?;
        let output = &analysed.output;
        let now = Utc::now();
        let txn = crate::db::begin_write(db).await?;
        let existing = analysis::Entity::find().filter(analysis::Column::ConversationId.eq(conv.id)).one(&txn).await?;
        let Some(existing) = existing else {
            // Not analysed yet: its AnalyzeCall will do the whole job, deliveries included.
            txn.rollback().await?;
            return Ok(());
        };
        let mut active: analysis::ActiveModel = existing.into();
        active.status = Set(analysed.status);
        active.analyzer = Set(analysed.analyzer.to_owned());
        active.summary = Set((!output.summary.is_empty()).then(|| output.summary.clone()));
        active.result = Set(output.clone());
        active.error = Set(analysed.error.clone());
        active.latency_ms = Set(analysed.latency_ms);
        active.prompt_tokens = Set(analysed.usage.map(|u| u.prompt_tokens));
        active.completion_tokens = Set(analysed.usage.map(|u| u.completion_tokens));
        active.goal_result = Set(output.goal.as_ref().map(|g| g.result));
        active.reanalysed_at = Set(Some(now));
        active.update(&txn).await?;
        job.complete_in(&txn).await?;
        txn.commit().await?;
        Ok(())
    }
}
