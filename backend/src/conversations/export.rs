//! The CSV export: conversations page by page with their extracted fields, at most MAX_EXPORT_ROWS.

#[allow(unused_imports)]
use super::*;

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
        let mut q = filtered(db.get_database_backend(), tenant, &page);
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
