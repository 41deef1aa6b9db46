//! A digest's email: the period's figures and the calls that need attention, as Markdown
//! (values raw in the text part, escaped for the HTML part).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

use super::*;
use crate::columns::{GoalResult, TaskStatus};
use crate::entities::{analysis, conversation, notification_run, task};
use crate::templates::{RenderedEmail, escape_markdown, markdown_to_html};
use crate::tenancy::scope;
use crate::types::Priority;

/// What the outbox shows as the template of a digest (it has no admin template).
pub const DIGEST_TEMPLATE: &str = "(the built-in digest layout)";

/// Most calls listed under "need attention"; the rest are counted.
pub const MAX_LISTED: u64 = 50;

/// The period's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub calls: u64,
    /// Notification name → runs that fired.
    pub fired: BTreeMap<String, u64>,
    pub goals: BTreeMap<String, u64>,
    /// Open tasks (of the scope's calls) by priority, now.
    pub open_tasks: BTreeMap<Priority, u64>,
    /// The calls this notification fired on, newest first: (who, when, reason, conversation id).
    pub attention: Vec<(String, DateTime<Utc>, String, Uuid)>,
    /// How many fired in all (the list stops at [`MAX_LISTED`]).
    pub attention_total: u64,
}

/// Reads the figures of notification `n`'s digest for [`start`, `end`).
///
/// Errors: database errors.
pub async fn figures<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    n: &notification::Model,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Figures> {
    let calls: Vec<Uuid> = scope::<conversation::Entity>(tenant)
        .select_only()
        .column(conversation::Column::Id)
        .filter(conversation::Column::Id.in_subquery(ids(tenant, n.agent_id, Some((start, end)))))
        .into_tuple()
        .all(db)
        .await?;
    let runs: Vec<(String, Uuid)> = scope::<notification_run::Entity>(tenant)
        .select_only()
        .column(notification_run::Column::NotificationName)
        .column(notification_run::Column::ConversationId)
        .filter(notification_run::Column::Fired.eq(true))
        .filter(notification_run::Column::ConversationId.in_subquery(ids(tenant, n.agent_id, Some((start, end)))))
        .into_tuple()
        .all(db)
        .await?;
    let mut fired = BTreeMap::new();
    for (name, _) in &runs {
        *fired.entry(name.clone()).or_insert(0) += 1;
    }
    let goal_rows: Vec<Option<GoalResult>> = scope::<analysis::Entity>(tenant)
        .select_only()
        .column(analysis::Column::GoalResult)
        .filter(analysis::Column::ConversationId.in_subquery(ids(tenant, n.agent_id, Some((start, end)))))
        .into_tuple()
        .all(db)
        .await?;
    let mut goals = BTreeMap::new();
    for g in goal_rows.into_iter().flatten() {
        let key = match g {
            GoalResult::Success => "success",
            GoalResult::Failure => "failure",
            GoalResult::Unknown => "unknown",
        };
        *goals.entry(key.to_owned()).or_insert(0) += 1;
    }
    let mut tasks = scope::<task::Entity>(tenant).select_only().column(task::Column::Priority);
    tasks = tasks.filter(task::Column::Status.eq(TaskStatus::Open));
    if n.agent_id.is_some() {
        tasks = tasks.filter(task::Column::ConversationId.in_subquery(ids(tenant, n.agent_id, None)));
    }
    let mut open_tasks = BTreeMap::new();
    for p in tasks.into_tuple::<Priority>().all(db).await? {
        *open_tasks.entry(p).or_insert(0) += 1;
    }
    let mine: Vec<notification_run::Model> = scope::<notification_run::Entity>(tenant)
        .filter(notification_run::Column::NotificationId.eq(n.id))
        .filter(notification_run::Column::Fired.eq(true))
        .filter(notification_run::Column::ConversationId.in_subquery(ids(tenant, n.agent_id, Some((start, end)))))
        .order_by_desc(notification_run::Column::CreatedAt)
        .all(db)
        .await?;
    let attention_total = mine.len() as u64;
    let listed: Vec<_> = mine.into_iter().take(MAX_LISTED as usize).collect();
    let ids: Vec<Uuid> = listed.iter().map(|r| r.conversation_id).collect();
    let convs = scope::<conversation::Entity>(tenant).filter(conversation::Column::Id.is_in(ids)).all(db).await?;
    let attention = listed
        .into_iter()
        .filter_map(|r| {
            let c = convs.iter().find(|c| c.id == r.conversation_id)?;
            let who = c.from_number.clone().or_else(|| c.customer_name.clone()).unwrap_or_else(|| c.call_id.clone());
            Some((who, c.started_at.unwrap_or(c.received_at), r.reason, c.id))
        })
        .collect();
    Ok(Figures { calls: calls.len() as u64, fired, goals, open_tasks, attention, attention_total })
}

/// The ids of the tenant's conversations of `agent` (every agent when `None`), received in
/// [`start`, `end`) when a period is given: a subquery.
fn ids(
    tenant: &Tenant,
    agent: Option<Uuid>,
    period: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> sea_orm::sea_query::SelectStatement {
    let mut q = Query::select();
    q.column(conversation::Column::Id)
        .from(conversation::Entity)
        .and_where(conversation::Column::AccountId.eq(tenant.account_id()));
    if let Some(a) = agent {
        q.and_where(conversation::Column::AgentId.eq(a));
    }
    if let Some((start, end)) = period {
        q.and_where(conversation::Column::ReceivedAt.gte(start)).and_where(conversation::Column::ReceivedAt.lt(end));
    }
    q.to_owned()
}

/// The digest email of notification `n` for [`start`, `end`) in `tz`.
///
/// Errors: database errors.
#[allow(clippy::too_many_arguments)]
pub async fn compose<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    n: &notification::Model,
    d: &Digest,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    public_url: &str,
) -> Result<RenderedEmail> {
    let f = figures(db, tenant, n, start, end).await?;
    let local = |t: DateTime<Utc>, fmt: &str| t.with_timezone(&tz).format(fmt).to_string();
    let period = match every(d) {
        Every::Daily { .. } => format!("daily digest for {}", local(start, "%Y-%m-%d")),
        Every::Hourly { .. } => format!("hourly digest {}–{}", local(start, "%Y-%m-%d %H:%M"), local(end, "%H:%M")),
    };
    let subject: String = format!("{}: {period}", n.name).chars().take(250).collect();
    let text = body(&f, n, &period, tz, start, end, public_url, &|s| s.to_owned());
    let html = markdown_to_html(&body(&f, n, &period, tz, start, end, public_url, &escape_markdown));
    Ok(RenderedEmail { subject, text, html })
}

#[allow(clippy::too_many_arguments)]
fn body(
    f: &Figures,
    n: &notification::Model,
    period: &str,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    public_url: &str,
    esc: &dyn Fn(&str) -> String,
) -> String {
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string();
    let list = |m: &BTreeMap<String, u64>| {
        if m.is_empty() {
            "none".to_owned()
        } else {
            m.iter().map(|(k, v)| format!("{} {v}", esc(k))).collect::<Vec<_>>().join(", ")
        }
    };
    let tasks = if f.open_tasks.is_empty() {
        "none".to_owned()
    } else {
        f.open_tasks.iter().rev().map(|(p, v)| format!("{p} {v}")).collect::<Vec<_>>().join(", ")
    };
    let fired_total: u64 = f.fired.values().sum();
    let mut out = format!(
        "**{}** — {period}, {} to {}.\n\n\
         - Calls: {}\n\
         - Notifications fired: {fired_total} ({})\n\
         - Goal results: {}\n\
         - Open tasks: {tasks}\n\n\
         ### Calls that need attention ({})\n\n",
        esc(&n.name),
        local(start),
        local(end),
        f.calls,
        list(&f.fired),
        list(&f.goals),
        f.attention_total,
    );
    if f.attention.is_empty() {
        out.push_str("None in this period.\n");
    }
    for (who, at, reason, id) in &f.attention {
        out.push_str(&format!(
            "- [{} · {}]({public_url}/conversations/{id}) — {}\n",
            esc(who),
            local(*at),
            esc(reason)
        ));
    }
    if f.attention_total > f.attention.len() as u64 {
        out.push_str(&format!("- … and {} more.\n", f.attention_total - f.attention.len() as u64));
    }
    out.push_str(&format!("\n[Open the conversations]({public_url}/conversations)\n"));
    out
}
