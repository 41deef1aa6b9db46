//! `AnalyzeCall`: asks the analyzer about a new conversation, stores the analysis and one
//! notification run per enabled notification, and for each run that fires creates its
//! follow-up work — an email (with its `SendEmail` job) per recipient list, alerts for the
//! chosen members, a task — all in one transaction with marking the job done.

use std::time::Instant;

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ClaimedJob, Job, JobError, SendEmail, queue};
use crate::Services;
use crate::accounts;
use crate::analysis::{AnalysisOutput, AnalysisRequest, AnalyzerError, TriggerQuestion};
use crate::calls::event::Turn;
use crate::entities::{agent, alert, analysis, conversation, email, notification, notification_run, task};
use crate::notifications::{Recipients, team_alert_of};
use crate::tenancy::{Tenant, secure_find};
use crate::types::TeamAlert;

/// Analyse conversation `conversation_id` and act on its notifications.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnalyzeCall {
    pub conversation_id: Uuid,
}

/// Calls with fewer turns than this are not analysed (SPEC section 4).
pub const MIN_TURNS: usize = 2;

/// The enabled notifications that apply to an agent: its own and the account-wide ones,
/// in their configured order.
pub async fn notifications_for_agent<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    agent_id: Uuid,
) -> Result<Vec<notification::Model>, sea_orm::DbErr> {
    crate::tenancy::scope::<notification::Entity>(tenant)
        .filter(notification::Column::Enabled.eq(true))
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

struct Decision {
    fired: bool,
    reason: String,
}

fn decide(n: &notification::Model, status: &str, output: &AnalysisOutput) -> Decision {
    if n.trigger_always {
        return Decision { fired: true, reason: "Always send.".to_owned() };
    }
    match status {
        "skipped" => Decision {
            fired: false,
            reason: "Not judged: the call has fewer than 2 turns.".to_owned(),
        },
        "failed" => Decision {
            fired: false,
            reason: "Not judged: the analysis failed.".to_owned(),
        },
        _ => match output.verdict(&n.id.to_string()) {
            Some(v) => Decision { fired: v.fired, reason: v.reason.clone() },
            None => Decision {
                fired: false,
                reason: "The analyzer gave no verdict for this trigger.".to_owned(),
            },
        },
    }
}

#[async_trait]
impl Job for AnalyzeCall {
    const KIND: &'static str = "AnalyzeCall";
    const MAX_ATTEMPTS: i32 = 5;

    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
        let db = &services.db;
        let tenant = job.tenant;
        let conv = secure_find::<conversation::Entity, _>(db, &tenant, self.conversation_id).await?;
        let already = analysis::Entity::find()
            .filter(analysis::Column::ConversationId.eq(conv.id))
            .one(db)
            .await?;
        if already.is_some() {
            // A previous attempt committed; nothing may run twice.
            return Ok(());
        }
        let agent = secure_find::<agent::Entity, _>(db, &tenant, conv.agent_id).await?;
        let rules = notifications_for_agent(db, &tenant, agent.id).await?;
        let transcript: Vec<Turn> = serde_json::from_value(conv.transcript.clone())
            .map_err(|e| JobError::Permanent(format!("stored transcript unreadable: {e}")))?;

        let triggers: Vec<TriggerQuestion> = rules
            .iter()
            .filter(|n| !n.trigger_always)
            .filter_map(|n| {
                n.trigger_condition.as_ref().map(|q| TriggerQuestion { key: n.id.to_string(), question: q.clone() })
            })
            .collect();
        let analyzer = services.analyzer.clone();
        let started = Instant::now();
        let (status, output, usage, error) = if transcript.len() < MIN_TURNS {
            ("skipped", AnalysisOutput::default(), None, None)
        } else {
            let request = AnalysisRequest {
                transcript,
                started_at: conv.started_at,
                timezone: agent.timezone.clone(),
                agent_name: agent.name.clone(),
                triggers,
            };
            match analyzer.analyze(&request).await {
                Ok((output, usage)) => ("completed", output, usage, None),
                Err(AnalyzerError::Transient(e)) if !job.is_last_attempt() => {
                    return Err(JobError::Retry(format!("analyzer: {e}")));
                }
                Err(e) => ("failed", AnalysisOutput::default(), None, Some(e.to_string())),
            }
        };
        let latency_ms = started.elapsed().as_millis() as i64;
        let members = accounts::members(db, &tenant).await?;

        let txn = crate::db::begin_write(db).await?;
        let now = Utc::now();
        let inserted = analysis::Entity::insert(analysis::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(tenant.account_id()),
            conversation_id: Set(conv.id),
            status: Set(status.to_owned()),
            analyzer: Set(analyzer.name().to_owned()),
            summary: Set((!output.summary.is_empty()).then(|| output.summary.clone())),
            result: Set(serde_json::to_value(&output).unwrap_or_default()),
            error: Set(error),
            latency_ms: Set(latency_ms),
            prompt_tokens: Set(usage.map(|u| u.prompt_tokens)),
            completion_tokens: Set(usage.map(|u| u.completion_tokens)),
            created_at: Set(now),
        })
        .on_conflict_do_nothing_on([analysis::Column::ConversationId])
        .exec_without_returning(&txn)
        .await?;
        if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            txn.rollback().await?;
            return Ok(());
        }

        let mut emails = 0;
        for rule in &rules {
            let decision = decide(rule, status, &output);
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
            })
            .exec_without_returning(&txn)
            .await?;
            if !decision.fired {
                continue;
            }
            let recipients = Recipients::from_json(&rule.recipients);
            if !recipients.fixed.is_empty() {
                let email_id = Uuid::now_v7();
                email::Entity::insert(email::ActiveModel {
                    id: Set(email_id),
                    account_id: Set(tenant.account_id()),
                    conversation_id: Set(Some(conv.id)),
                    notification_run_id: Set(Some(run_id)),
                    recipients: Set(serde_json::json!(recipients.fixed)),
                    subject_template: Set(rule.email_subject.clone()),
                    body_template: Set(rule.email_body.clone()),
                    subject: Set(None),
                    text_body: Set(None),
                    html_body: Set(None),
                    state: Set(crate::outbox::state::PENDING.to_owned()),
                    attempts: Set(0),
                    last_error: Set(None),
                    message_id: Set(crate::outbox::message_id(email_id, &services.settings.public_url)),
                    sent_at: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(&txn)
                .await?;
                queue::enqueue(&txn, &tenant, &SendEmail { email_id }).await?;
                emails += 1;
            }
            let who = conv.from_number.clone().unwrap_or_else(|| conv.call_id.clone());
            let alerted: Vec<Uuid> = match team_alert_of(rule) {
                TeamAlert::Off => Vec::new(),
                TeamAlert::All => members.iter().map(|m| m.user_id).collect(),
                TeamAlert::Selected(ids) => {
                    members.iter().map(|m| m.user_id).filter(|id| ids.contains(id)).collect()
                }
            };
            for user_id in alerted {
                alert::Entity::insert(alert::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    account_id: Set(tenant.account_id()),
                    user_id: Set(user_id),
                    conversation_id: Set(Some(conv.id)),
                    notification_run_id: Set(Some(run_id)),
                    title: Set(rule.name.clone()),
                    body: Set(format!("{} · {}: {}", agent.name, who, decision.reason)),
                    link: Set(format!("/conversations/{}", conv.id)),
                    read_at: Set(None),
                    created_at: Set(now),
                })
                .exec_without_returning(&txn)
                .await?;
            }
            if let Some(priority) = &rule.task_priority {
                let mut description = decision.reason.clone();
                if !output.summary.is_empty() {
                    description.push_str("\n\n");
                    description.push_str(&output.summary);
                }
                task::Entity::insert(task::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    account_id: Set(tenant.account_id()),
                    conversation_id: Set(Some(conv.id)),
                    notification_run_id: Set(Some(run_id)),
                    title: Set(format!("{}: {}", rule.name, who)),
                    description: Set(description),
                    priority: Set(priority.clone()),
                    status: Set("open".to_owned()),
                    assignee_user_id: Set(None),
                    due_at: Set(None),
                    created_at: Set(now),
                    completed_at: Set(None),
                })
                .exec_without_returning(&txn)
                .await?;
            }
        }
        queue::complete(&txn, job.id).await?;
        txn.commit().await?;
        if emails > 0 {
            services.jobs_wakeup.notify_one();
        }
        Ok(())
    }
}
