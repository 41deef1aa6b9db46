//! Reading conversations: the keyset-paginated list and one conversation with its
//! analysis, notification runs and the follow-up work they created.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::entities::{agent, alert, analysis, conversation, email, notification_run, task};
use crate::error::Result;
use crate::tenancy::{Tenant, scope, secure_find};

mod view;
pub use view::{
    AnalysisView, ConversationSummary, ConversationView, Customer, FieldValueView, RouteView, RunEmail, RunTask,
    RunView, VerdictView, view,
};

/// A row of the conversations list.
#[derive(Clone, Debug)]
pub struct ConversationRow {
    pub conversation: conversation::Model,
    pub agent_name: String,
    /// Notification runs that fired.
    pub fired: i64,
    /// Whether the analysis has been stored.
    pub analysed: bool,
}

/// Filters of the conversations list and its CSV export; all optional, all must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConversationFilter {
    pub agent_id: Option<Uuid>,
    /// Calls that started (or, without a start time, were received) at or after this.
    pub from: Option<DateTime<Utc>>,
    /// … and before this.
    pub to: Option<DateTime<Utc>>,
    /// One of the documented end reasons.
    pub end_reason: Option<String>,
    /// `Some(true)`: at least one notification fired; `Some(false)`: none fired.
    pub fired: Option<bool>,
    /// Case-insensitive text in the transcript, the caller's number or name, or the call id.
    pub text: Option<String>,
    /// Keyset: the last id of the previous page.
    pub before: Option<Uuid>,
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn like(pattern: &str) -> LikeExpr {
    LikeExpr::new(pattern).escape('\\')
}

fn filtered(tenant: &Tenant, filter: &ConversationFilter) -> Select<conversation::Entity> {
    let mut q = scope::<conversation::Entity>(tenant);
    if let Some(agent) = filter.agent_id {
        q = q.filter(conversation::Column::AgentId.eq(agent));
    }
    let in_range = |col: conversation::Column| {
        let mut c = Condition::all();
        if let Some(from) = filter.from {
            c = c.add(col.gte(from));
        }
        if let Some(to) = filter.to {
            c = c.add(col.lt(to));
        }
        c
    };
    if filter.from.is_some() || filter.to.is_some() {
        q = q.filter(
            Condition::any().add(in_range(conversation::Column::StartedAt)).add(
                Condition::all()
                    .add(conversation::Column::StartedAt.is_null())
                    .add(in_range(conversation::Column::ReceivedAt)),
            ),
        );
    }
    if let Some(reason) = &filter.end_reason {
        q = q.filter(conversation::Column::EndReason.eq(reason.clone()));
    }
    if let Some(fired) = filter.fired {
        let with_fired = Query::select()
            .column(notification_run::Column::ConversationId)
            .from(notification_run::Entity)
            .and_where(notification_run::Column::AccountId.eq(tenant.account_id()))
            .and_where(notification_run::Column::Fired.eq(true))
            .to_owned();
        let col = Expr::col((conversation::Entity, conversation::Column::Id));
        q = q.filter(if fired { col.in_subquery(with_fired) } else { col.not_in_subquery(with_fired) });
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = like_pattern(text);
        q = q.filter(
            Condition::any()
                // The transcript is JSON (text on SQLite, json on PostgreSQL): searched as text.
                .add(
                    Func::lower(Expr::col((conversation::Entity, conversation::Column::Transcript)).cast_as("TEXT"))
                        .like(like(&pattern)),
                )
                .add(Func::lower(Expr::col((conversation::Entity, conversation::Column::CallId))).like(like(&pattern)))
                .add(
                    Func::lower(Expr::col((conversation::Entity, conversation::Column::CustomerName)))
                        .like(like(&pattern)),
                )
                .add(Expr::col((conversation::Entity, conversation::Column::FromNumber)).like(like(&pattern))),
        );
    }
    q
}

/// One page of the tenant's conversations matching `filter`, newest first (UUIDv7 order =
/// order of receipt); at most `limit` rows.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    filter: &ConversationFilter,
    limit: u64,
) -> Result<Vec<ConversationRow>> {
    let mut q = filtered(tenant, filter);
    if let Some(before) = filter.before {
        q = q.filter(conversation::Column::Id.lt(before));
    }
    let page = q.order_by_desc(conversation::Column::Id).limit(limit).all(db).await?;
    let ids: Vec<Uuid> = page.iter().map(|c| c.id).collect();
    let agent_ids: Vec<Uuid> = page.iter().map(|c| c.agent_id).collect();
    let agents = scope::<agent::Entity>(tenant).filter(agent::Column::Id.is_in(agent_ids)).all(db).await?;
    let runs = scope::<notification_run::Entity>(tenant)
        .filter(notification_run::Column::ConversationId.is_in(ids.clone()))
        .filter(notification_run::Column::Fired.eq(true))
        .all(db)
        .await?;
    let analysed: Vec<Uuid> = scope::<analysis::Entity>(tenant)
        .filter(analysis::Column::ConversationId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.conversation_id)
        .collect();
    Ok(page
        .into_iter()
        .map(|c| ConversationRow {
            agent_name: agents.iter().find(|a| a.id == c.agent_id).map(|a| a.name.clone()).unwrap_or_default(),
            fired: runs.iter().filter(|r| r.conversation_id == c.id).count() as i64,
            analysed: analysed.contains(&c.id),
            conversation: c,
        })
        .collect())
}

/// A notification run with what it created.
#[derive(Clone, Debug)]
pub struct RunDetail {
    pub run: notification_run::Model,
    pub emails: Vec<email::Model>,
    pub alerts: Vec<alert::Model>,
    pub tasks: Vec<task::Model>,
}

/// Everything about one conversation.
#[derive(Clone, Debug)]
pub struct ConversationDetail {
    pub conversation: conversation::Model,
    pub agent: agent::Model,
    pub analysis: Option<analysis::Model>,
    pub runs: Vec<RunDetail>,
}

/// The tenant's conversation `id` with its analysis and runs.
///
/// Errors: [`crate::Error::NotFound`] for an unknown or another tenant's id.
pub async fn get<C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid) -> Result<ConversationDetail> {
    let conversation = secure_find::<conversation::Entity, _>(db, tenant, id).await?;
    let agent = secure_find::<agent::Entity, _>(db, tenant, conversation.agent_id).await?;
    let analysis = scope::<analysis::Entity>(tenant).filter(analysis::Column::ConversationId.eq(id)).one(db).await?;
    let runs = scope::<notification_run::Entity>(tenant)
        .filter(notification_run::Column::ConversationId.eq(id))
        .order_by_asc(notification_run::Column::Id)
        .all(db)
        .await?;
    let emails = scope::<email::Entity>(tenant).filter(email::Column::ConversationId.eq(id)).all(db).await?;
    let alerts = scope::<alert::Entity>(tenant).filter(alert::Column::ConversationId.eq(id)).all(db).await?;
    let tasks = scope::<task::Entity>(tenant).filter(task::Column::ConversationId.eq(id)).all(db).await?;
    let runs = runs
        .into_iter()
        .map(|run| RunDetail {
            emails: emails.iter().filter(|e| e.notification_run_id == Some(run.id)).cloned().collect(),
            alerts: alerts.iter().filter(|a| a.notification_run_id == Some(run.id)).cloned().collect(),
            tasks: tasks.iter().filter(|t| t.notification_run_id == Some(run.id)).cloned().collect(),
            run,
        })
        .collect();
    Ok(ConversationDetail { conversation, agent, analysis, runs })
}

/// Queues a re-analysis of conversation `id` (any member may ask). It replaces the
/// analysis and never delivers anything again.
///
/// Errors: [`crate::Error::NotFound`] for another tenant's conversation.
pub async fn request_reanalysis(services: &crate::Services, tenant: &Tenant, id: Uuid) -> Result<()> {
    let conv = secure_find::<conversation::Entity, _>(&services.db, tenant, id).await?;
    let mut work = crate::db::Work::begin(services).await?;
    crate::queue::enqueue(work.db(), tenant, &crate::queue::ReanalyzeCall { conversation_id: conv.id }).await?;
    work.wake_runner();
    work.commit().await?;
    Ok(())
}

/// How many conversations the tenant has.
pub async fn count<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    Ok(scope::<conversation::Entity>(tenant).count(db).await?)
}

/// Most rows one CSV export returns.
pub const MAX_EXPORT_ROWS: usize = 50_000;

/// A conversation with its analysis, for exports.
#[derive(Clone, Debug)]
pub struct ExportRow {
    pub row: ConversationRow,
    pub analysis: Option<analysis::Model>,
}

/// Rows of one export page.
pub const EXPORT_PAGE: u64 = 500;

/// One keyset page of an export: the conversations matching `filter` older than
/// `filter.before`, newest first, at most [`EXPORT_PAGE`], with their analyses. An export
/// streams page after page (memory stays one page however large the account), stopping
/// after [`MAX_EXPORT_ROWS`].
pub async fn export_page<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    filter: &ConversationFilter,
) -> Result<Vec<ExportRow>> {
    let rows = list(db, tenant, filter, EXPORT_PAGE).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.conversation.id).collect();
    let mut analyses: std::collections::HashMap<Uuid, analysis::Model> = scope::<analysis::Entity>(tenant)
        .filter(analysis::Column::ConversationId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.conversation_id, a))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let analysis = analyses.remove(&row.conversation.id);
            ExportRow { row, analysis }
        })
        .collect())
}

/// The names of every field extracted for the conversations an export of `filter` holds,
/// in first-seen order (the CSV's `field:<name>` columns), read page by page through the
/// analyses only.
pub async fn export_field_names<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    filter: &ConversationFilter,
) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    let mut page = ConversationFilter { before: None, ..filter.clone() };
    let mut seen = 0usize;
    loop {
        let mut q = filtered(tenant, &page);
        if let Some(before) = page.before {
            q = q.filter(conversation::Column::Id.lt(before));
        }
        let ids: Vec<Uuid> = q
            .select_only()
            .column(conversation::Column::Id)
            .order_by_desc(conversation::Column::Id)
            .limit(EXPORT_PAGE)
            .into_tuple::<Uuid>()
            .all(db)
            .await?;
        let Some(last) = ids.last().copied() else { break };
        seen += ids.len();
        let full = ids.len() as u64 == EXPORT_PAGE;
        let results: Vec<(Uuid, crate::analysis::AnalysisOutput)> = scope::<analysis::Entity>(tenant)
            .select_only()
            .column(analysis::Column::Id)
            .column(analysis::Column::Result)
            .filter(analysis::Column::ConversationId.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        for (_, output) in results {
            for f in output.fields {
                if !names.contains(&f.name) {
                    names.push(f.name);
                }
            }
        }
        if !full || seen >= MAX_EXPORT_ROWS {
            break;
        }
        page.before = Some(last);
    }
    Ok(names)
}

/// Filters as they arrive in a query string (dashboard, CSV export and REST alike); every
/// value optional, empty = not filtered.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    /// The agent's id or external id.
    #[serde(default)]
    pub agent: Option<String>,
    /// `YYYY-MM-DD` (UTC day start) or an RFC 3339 time; inclusive.
    #[serde(default)]
    pub from: Option<String>,
    /// `YYYY-MM-DD` (the whole day is included) or an RFC 3339 time; exclusive.
    #[serde(default)]
    pub to: Option<String>,
    /// One of the end reasons (`customer_hangup`, `voicemail`, …).
    #[serde(default)]
    pub end_reason: Option<String>,
    /// Whether any notification fired: `yes` / `true` or `no` / `false`.
    #[serde(default)]
    pub fired: Option<String>,
    /// Text searched in transcripts, numbers, names and call ids.
    #[serde(default)]
    pub q: Option<String>,
}

fn parse_time(value: &str, field: &str, end_of_day: bool) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| crate::Error::invalid(field, format!("`{value}` is not a date (YYYY-MM-DD) or RFC 3339 time")))?;
    let date = if end_of_day { date.succ_opt().unwrap_or(date) } else { date };
    Ok(date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default())
}

impl FilterParams {
    /// Resolves the parameters for the tenant.
    ///
    /// Errors: [`crate::Error::Invalid`] naming `from`, `to`, `end_reason` or `fired`;
    /// [`crate::Error::NotFound`] for an agent that is not the tenant's.
    pub async fn resolve<C: ConnectionTrait>(&self, db: &C, tenant: &Tenant) -> Result<ConversationFilter> {
        let present = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let agent_id = match present(&self.agent) {
            None => None,
            Some(a) => match Uuid::parse_str(&a) {
                Ok(id) => Some(crate::agents::get(db, tenant, id).await?.id),
                Err(_) => Some(
                    crate::agents::find_by_external_id(db, tenant, &a)
                        .await?
                        .ok_or(crate::Error::NotFound("agent"))?
                        .id,
                ),
            },
        };
        let from = present(&self.from).map(|v| parse_time(&v, "from", false)).transpose()?;
        let to = present(&self.to).map(|v| parse_time(&v, "to", true)).transpose()?;
        let end_reason = match present(&self.end_reason) {
            None => None,
            Some(r) => {
                let lower = r.to_ascii_lowercase();
                if !crate::types::EndReason::ALL.iter().any(|e| e.as_str() == lower) {
                    return Err(crate::Error::invalid("end_reason", format!("`{r}` is not a documented end reason")));
                }
                Some(lower)
            }
        };
        let fired = match present(&self.fired).map(|f| f.to_ascii_lowercase()).as_deref() {
            None => None,
            Some("yes" | "true" | "1") => Some(true),
            Some("no" | "false" | "0") => Some(false),
            Some(other) => return Err(crate::Error::invalid("fired", format!("`{other}` is not yes or no"))),
        };
        let text = present(&self.q);
        if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(crate::Error::invalid("q", "must be at most 200 characters"));
        }
        Ok(ConversationFilter { agent_id, from, to, end_reason, fired, text, before: None })
    }
}
