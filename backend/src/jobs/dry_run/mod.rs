//! *Try on recent calls*: what a notification's or an action's current draft would do with
//! the agent's latest conversations — the `AnalyzeCall` job's own steps (build the request,
//! run the account's analyzer, decide, plan) without any of its effects. Per call: would it
//! fire (or run), why, the chosen route, and the rendered email, message or request body.
//! Nothing is sent or stored: no analysis, run, email, alert, task, delivery or audit entry.
//!
//! The draft is tried when there is one (what the editor shows), else the published
//! settings; a disabled notification or action is tried all the same.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::Serialize;
use uuid::Uuid;

use super::analyze_call::{Analysed, build_request, run_analyzer};
use crate::Services;
use crate::columns::AnalysisStatus;
use crate::entities::{agent, analysis, conversation, notification, post_call_action};
use crate::error::{Error, Result};
use crate::tenancy::{Actor, Permission, Tenant, secure_find};
use crate::types::EndReason;

mod action;
mod notification_try;
pub use action::action;
pub use notification_try::notification;

/// Conversations tried when the request names no number.
pub const DEFAULT_CALLS: u64 = 20;
/// Most conversations one try runs on.
pub const MAX_CALLS: u64 = 100;
/// Conversations analysed at once (each is one analyzer call).
const CONCURRENCY: usize = 4;

/// What would have come out: an email (`title` = subject, `body` = the text part), a Slack
/// or Teams message, a JSON request body (pretty-printed), or a callback time.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Rendered {
    /// `email`, `message`, `json` or `callback`.
    pub kind: String,
    /// The email's subject; the request's method and URL host.
    pub title: Option<String>,
    pub body: String,
}

/// One recent conversation, tried.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TriedCall {
    pub conversation_id: Uuid,
    pub call_id: String,
    /// When the call started (else when it was received).
    pub at: DateTime<Utc>,
    /// The caller's number, else the customer's name, else the call id.
    pub who: String,
    pub end_reason: EndReason,
    /// How the analyzer answered: `completed`, `skipped` (under 2 turns) or `failed`.
    pub analysis: AnalysisStatus,
    /// The analyzer's error, when it failed.
    pub analysis_error: Option<String>,
    /// Whether the notification would fire / the action would run.
    pub fired: bool,
    /// It would not fire because the analyzer cannot judge its trigger question.
    pub unknown: bool,
    /// Why (the analyzer's reason, or the condition that stopped it).
    pub reason: String,
    /// The structured condition that stopped it, if one did.
    pub stopped_by: Option<String>,
    /// Dynamic recipients: the route the analyzer chose (`route 1: <when>`, or `otherwise`)
    /// and its reason.
    pub route: Option<String>,
    /// Who would be emailed (notifications that fire).
    pub recipients: Vec<String>,
    /// What else would happen: team alerts, a task.
    pub also: Vec<String>,
    /// The rendered output, when it would fire.
    pub output: Option<Rendered>,
    /// Why the output could not be rendered (the template's error).
    pub output_error: Option<String>,
}

/// The result of one try.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TryReport {
    /// Whether the unpublished draft was tried (else the published settings).
    pub draft: bool,
    /// The published version (0 = never published).
    pub version: i32,
    /// The analyzer that answered (`builtin`, `openai`).
    pub analyzer: String,
    /// How many of the calls it would fire on.
    pub fired: usize,
    /// Newest first.
    pub calls: Vec<TriedCall>,
}

/// `limit` checked: 1 to [`MAX_CALLS`], [`DEFAULT_CALLS`] when absent.
///
/// Errors: [`Error::Invalid`] on `limit`.
pub fn limit_of(limit: Option<u64>) -> Result<u64> {
    match limit {
        None => Ok(DEFAULT_CALLS),
        Some(n) if (1..=MAX_CALLS).contains(&n) => Ok(n),
        Some(_) => Err(Error::invalid("limit", format!("must be 1 to {MAX_CALLS} calls"))),
    }
}

/// A conversation analysed for a try: the analysis as the job would store it (not stored).
pub(crate) struct Tried {
    pub(crate) conv: conversation::Model,
    pub(crate) agent: agent::Model,
    pub(crate) analysed: Analysed,
    pub(crate) analysis: analysis::Model,
}

/// Analyses each conversation as `AnalyzeCall` would for just `rules` and `actions`, a few
/// at a time; newest first, as given.
pub(crate) async fn analyse_all(
    services: &Services,
    tenant: &Tenant,
    convs: Vec<conversation::Model>,
    rules: &[notification::Model],
    actions: &[post_call_action::Model],
) -> Result<Vec<Tried>> {
    let db = &services.db;
    let results: Vec<Result<Tried>> = futures::stream::iter(convs)
        .map(|conv| async move {
            let agent = secure_find::<agent::Entity, _>(db, tenant, conv.agent_id).await?;
            let request = build_request(db, tenant, &conv, &agent, rules, actions).await.map_err(job_error)?;
            let analysed = run_analyzer(services, tenant, &request).await.map_err(job_error)?;
            let analysis = analysed.record(tenant, conv.id, Uuid::nil(), Utc::now());
            Ok(Tried { conv, agent, analysed, analysis })
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect()
}

fn job_error(e: super::JobError) -> Error {
    Error::internal("trying on a recent call", e)
}

/// The row of a tried call, before the decision is filled in.
pub(crate) fn call_row(t: &Tried) -> TriedCall {
    let c = &t.conv;
    TriedCall {
        conversation_id: c.id,
        call_id: c.call_id.clone(),
        at: c.started_at.unwrap_or(c.received_at),
        who: c.from_number.clone().or_else(|| c.customer_name.clone()).unwrap_or_else(|| c.call_id.clone()),
        end_reason: c.end_reason,
        analysis: t.analysed.status,
        analysis_error: t.analysed.error.clone(),
        fired: false,
        unknown: false,
        reason: String::new(),
        stopped_by: None,
        route: None,
        recipients: Vec::new(),
        also: Vec::new(),
        output: None,
        output_error: None,
    }
}

/// The analyzer that answers for the tenant, by name.
pub(crate) async fn analyzer_name(services: &Services, tenant: &Tenant) -> Result<String> {
    Ok(crate::analyzers::for_tenant(services, tenant).await?.name().to_owned())
}

/// Checks the actor may try (configure permission).
pub(crate) fn require(actor: &Actor) -> Result<()> {
    actor.require(Permission::Configure)
}
