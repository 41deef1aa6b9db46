//! `GET /conversations/export.csv?agent=&from=&to=&end_reason=&fired=&q=`: the signed-in
//! member's filtered conversations as CSV (RFC 4180, UTF-8), one row per conversation with
//! its call facts, analysis and one `field:<name>` column per extracted field, up to
//! `MAX_EXPORT_ROWS` rows.
//!
//! The answer is streamed: the field names are gathered first (reading only the
//! analyses, page by page), then the rows are written one keyset page at a time, so the
//! server holds one page in memory however large the export.
//!
//! Cells that a spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`,
//! tab, CR or LF — are prefixed with `'` (OWASP CSV injection advice: transcripts are
//! untrusted input), except a plain number such as `-3.5` or an E.164 phone number
//! `+14155550141`, which a spreadsheet reads as the number it is.

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::AppState;
use super::live::session_member;
use backend::Tenant;
use backend::analysis::AnalysisOutput;
use backend::conversations::{ConversationFilter, ExportRow, FilterParams, MAX_EXPORT_ROWS};

/// Whether `value` is a plain decimal number (optional sign, digits, optional fraction).
fn is_plain_number(value: &str) -> bool {
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Neutralises a cell a spreadsheet would evaluate.
fn cell(value: &str) -> String {
    let risky = match value.chars().next() {
        Some('=' | '@' | '\t' | '\r' | '\n') => true,
        Some('+' | '-') => !is_plain_number(value),
        _ => false,
    };
    if risky { format!("'{value}") } else { value.to_owned() }
}

fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

const COLUMNS: &[&str] = &[
    "conversation_id", "call_id", "agent", "started_at", "received_at", "duration_s", "end_reason", "direction",
    "status", "from_number", "to_number", "customer_name", "customer_email", "notifications_fired", "analysis_status",
    "summary", "goal_result",
];

fn record(r: &ExportRow, field_names: &[String]) -> Vec<String> {
    let c = &r.row.conversation;
    let output: Option<&AnalysisOutput> = r.analysis.as_ref().map(|a| &a.result);
    let mut record: Vec<String> = vec![
        c.id.to_string(),
        c.call_id.clone(),
        r.row.agent_name.clone(),
        c.started_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        c.received_at.to_rfc3339(),
        c.duration_s.map(|d| d.to_string()).unwrap_or_default(),
        c.end_reason.to_string(),
        c.direction.map(|d| d.to_string()).unwrap_or_default(),
        c.status.clone().unwrap_or_default(),
        c.from_number.clone().unwrap_or_default(),
        c.to_number.clone().unwrap_or_default(),
        c.customer_name.clone().unwrap_or_default(),
        c.customer_email.clone().unwrap_or_default(),
        r.row.fired.to_string(),
        r.analysis.as_ref().map(|a| a.status.to_string()).unwrap_or_default(),
        r.analysis.as_ref().and_then(|a| a.summary.clone()).unwrap_or_default(),
        r.analysis.as_ref().and_then(|a| a.goal_result).map(|g| g.to_string()).unwrap_or_default(),
    ];
    for name in field_names {
        let value = output
            .as_ref()
            .and_then(|o| o.fields.iter().find(|f| &f.name == name))
            .map(|f| json_text(&f.value))
            .unwrap_or_default();
        record.push(value);
    }
    record.iter().map(|v| cell(v)).collect()
}

/// CSV bytes of `records` (the csv crate quotes as RFC 4180 says).
fn csv_bytes(records: impl IntoIterator<Item = Vec<String>>) -> Result<Bytes, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for r in records {
        writer.write_record(&r)?;
    }
    writer.into_inner().map(Bytes::from).map_err(|e| csv::Error::from(e.into_error()))
}

struct Cursor {
    db: sea_orm::DatabaseConnection,
    tenant: Tenant,
    filter: ConversationFilter,
    fields: std::sync::Arc<Vec<String>>,
    written: usize,
    done: bool,
}

/// The next page of rows as CSV, or `None` once every row (or the limit) was written.
async fn next_page(mut cur: Cursor) -> Option<(Result<Bytes, std::io::Error>, Cursor)> {
    if cur.done {
        return None;
    }
    let page = match backend::conversations::export_page(&cur.db, &cur.tenant, &cur.filter).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %backend::error::report(&e), "export page failed");
            cur.done = true;
            return Some((Err(std::io::Error::other("export failed")), cur));
        }
    };
    let room = MAX_EXPORT_ROWS - cur.written;
    let full = page.len() as u64 == backend::conversations::EXPORT_PAGE;
    cur.filter.before = page.last().map(|r| r.row.conversation.id);
    let rows: Vec<Vec<String>> = page.iter().take(room).map(|r| record(r, &cur.fields)).collect();
    cur.written += rows.len();
    cur.done = !full || cur.written >= MAX_EXPORT_ROWS;
    if rows.is_empty() {
        return None;
    }
    Some((csv_bytes(rows).map_err(std::io::Error::other), cur))
}

/// The CSV, or 401 signed out, 404 for another account's agent, 422 for a bad filter.
pub async fn conversations_csv(
    State(state): State<AppState>,
    session: Session,
    Query(params): Query<FilterParams>,
) -> Response {
    let member = match session_member(&state, &session).await {
        Ok(m) => m,
        Err(status) => return (status, "sign in to export conversations").into_response(),
    };
    let db = state.services.db.clone();
    let filter = match params.resolve(&db, &member.tenant).await {
        Ok(f) => f,
        Err(backend::Error::NotFound(what)) => {
            return (StatusCode::NOT_FOUND, format!("{what} not found")).into_response();
        }
        Err(e @ backend::Error::Invalid { .. }) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response();
        }
        Err(e) => {
            tracing::error!(error = %backend::error::report(&e), "export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let fields = match backend::conversations::export_field_names(&db, &member.tenant, &filter).await {
        Ok(f) => f,
        Err(e) => {
            tracing::error!(error = %backend::error::report(&e), "export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut header_row: Vec<String> = COLUMNS.iter().map(|s| (*s).to_owned()).collect();
    header_row.extend(fields.iter().map(|n| format!("field:{n}")));
    let Ok(head) = csv_bytes([header_row]) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let cursor =
        Cursor { db, tenant: member.tenant, filter, fields: std::sync::Arc::new(fields), written: 0, done: false };
    // Fused: a body may be polled once more after it ended (the compression layer does),
    // and an unfused `unfold` panics then.
    let rows = futures::StreamExt::fuse(futures::stream::unfold(cursor, next_page));
    let body = futures::StreamExt::chain(futures::stream::once(async move { Ok::<_, std::io::Error>(head) }), rows);
    let name = format!("conversations-{}.csv", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised_but_numbers_kept() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-cmd"), "'-cmd");
        assert_eq!(cell("+1+cmd|' /C calc'!A0"), "'+1+cmd|' /C calc'!A0");
        assert_eq!(cell("-1+1"), "'-1+1");
        assert_eq!(cell("+1-2"), "'+1-2");
        assert_eq!(cell("-2.5e3"), "'-2.5e3");
        assert_eq!(cell("\ncmd"), "'\ncmd");
        assert_eq!(cell("+14155550141"), "+14155550141");
        assert_eq!(cell("-3.5"), "-3.5");
        assert_eq!(cell("-"), "'-");
        assert_eq!(cell("plain"), "plain");
    }
}
