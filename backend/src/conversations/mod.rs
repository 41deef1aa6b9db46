//! Reading conversations: the keyset-paginated list and one conversation with its
//! analysis, notification runs and the follow-up work they created.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
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

mod filter;
pub use filter::*;
mod export;
pub use export::*;

/// A row of the conversations list.
#[derive(Clone, Debug)]
pub struct ConversationRow {
    /// The conversation without what a list never shows: its `transcript` is empty and its
    /// `platform_analysis` is `None` here (read them with [`get`]), so a page of a large
    /// account reads a few kilobytes, not every transcript.
    pub conversation: conversation::Model,
    pub agent_name: String,
    /// Notification runs that fired.
    pub fired: i64,
    /// Whether the analysis has been stored.
    pub analysed: bool,
}

/// One page of the tenant's conversations matching `filter`, newest first (UUIDv7 order =
/// order of receipt); at most `limit` rows.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    filter: &ConversationFilter,
    limit: u64,
) -> Result<Vec<ConversationRow>> {
    let backend = db.get_database_backend();
    let page_of = |scope: TextScope| {
        let mut q = filtered_with(backend, tenant, filter, scope);
        if let Some(before) = filter.before {
            q = q.filter(conversation::Column::Id.lt(before));
        }
        list_columns(q, backend)
            .order_by_desc(conversation::Column::Id)
            .limit(limit)
            .into_model::<conversation::Model>()
    };
    // A text search first looks at its newest matches only (a page of them, plus room for
    // the other filters), and reads every match only when that leaves the page short.
    let searching = filter.text.as_deref().is_some_and(|t| !t.trim().is_empty());
    let mut page = if searching {
        page_of(TextScope::Newest(Ord::max(limit.saturating_mul(4), 200))).all(db).await?
    } else {
        Vec::new()
    };
    if !searching || (page.len() as u64) < limit {
        page = page_of(TextScope::All).all(db).await?;
    }
    let ids: Vec<Uuid> = page.iter().map(|c| c.id).collect();
    let agent_ids: Vec<Uuid> = page.iter().map(|c| c.agent_id).collect();
    let agents = scope::<agent::Entity>(tenant).filter(agent::Column::Id.is_in(agent_ids)).all(db).await?;
    // Only the ids: which of the page's conversations have fired runs and an analysis.
    let fired: Vec<Uuid> = scope::<notification_run::Entity>(tenant)
        .select_only()
        .column(notification_run::Column::ConversationId)
        .filter(notification_run::Column::ConversationId.is_in(ids.clone()))
        .filter(notification_run::Column::Fired.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let analysed: Vec<Uuid> = scope::<analysis::Entity>(tenant)
        .select_only()
        .column(analysis::Column::ConversationId)
        .filter(analysis::Column::ConversationId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(page
        .into_iter()
        .map(|c| ConversationRow {
            agent_name: agents.iter().find(|a| a.id == c.agent_id).map(|a| a.name.clone()).unwrap_or_default(),
            fired: fired.iter().filter(|r| **r == c.id).count() as i64,
            analysed: analysed.contains(&c.id),
            conversation: c,
        })
        .collect())
}

/// `q` reading every column of a conversation but the transcript (an empty list instead)
/// and the platform's analysis (null): the two that hold most of a row's bytes.
fn list_columns(q: Select<conversation::Entity>, backend: sea_orm::DbBackend) -> Select<conversation::Entity> {
    use sea_orm::Iterable;
    let (empty, null) = match backend {
        sea_orm::DbBackend::Postgres => ("'[]'::jsonb", "NULL::jsonb"),
        _ => ("'[]'", "NULL"),
    };
    let shown = conversation::Column::iter()
        .filter(|c| !matches!(c, conversation::Column::Transcript | conversation::Column::PlatformAnalysis));
    q.select_only()
        .columns(shown)
        .expr_as(Expr::cust(empty), "transcript")
        .expr_as(Expr::cust(null), "platform_analysis")
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
