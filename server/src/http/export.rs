//! `GET /conversations/export.csv?agent=&from=&to=&end_reason=&fired=&q=`: the signed-in
//! member's filtered conversations as CSV (RFC 4180, UTF-8), one row per conversation with
//! its call facts, analysis and one `field:<name>` column per extracted field.
//!
//! Cells that a spreadsheet would run as a formula (`=`, `@`, `+`/`-` not followed by a
//! digit, tab, CR) are prefixed with `'` (OWASP CSV injection advice): transcripts are
//! untrusted input.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::AppState;
use super::live::session_member;
use backend::analysis::AnalysisOutput;
use backend::conversations::FilterParams;

/// Neutralises a cell a spreadsheet would evaluate.
fn cell(value: &str) -> String {
    let mut chars = value.chars();
    let risky = match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.next().is_some_and(|c| c.is_ascii_digit()),
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
    let db = &state.services.db;
    let filter = match params.resolve(db, &member.tenant).await {
        Ok(f) => f,
        Err(backend::Error::NotFound(what)) => return (StatusCode::NOT_FOUND, format!("{what} not found")).into_response(),
        Err(e @ backend::Error::Invalid { .. }) => return (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let rows = match backend::conversations::export(db, &member.tenant, &filter).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let outputs: Vec<Option<AnalysisOutput>> = rows
        .iter()
        .map(|r| r.analysis.as_ref().and_then(|a| serde_json::from_value(a.result.clone()).ok()))
        .collect();
    let mut field_names: Vec<String> = Vec::new();
    for output in outputs.iter().flatten() {
        for f in &output.fields {
            if !field_names.contains(&f.name) {
                field_names.push(f.name.clone());
            }
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header_row: Vec<String> = [
        "conversation_id", "call_id", "agent", "started_at", "received_at", "duration_s", "end_reason", "direction",
        "status", "from_number", "to_number", "customer_name", "customer_email", "notifications_fired",
        "analysis_status", "summary", "goal_result",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    header_row.extend(field_names.iter().map(|n| format!("field:{n}")));
    if writer.write_record(&header_row).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    for (r, output) in rows.iter().zip(&outputs) {
        let c = &r.row.conversation;
        let mut record: Vec<String> = vec![
            c.id.to_string(),
            c.call_id.clone(),
            r.row.agent_name.clone(),
            c.started_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            c.received_at.to_rfc3339(),
            c.duration_s.map(|d| d.to_string()).unwrap_or_default(),
            c.end_reason.clone(),
            c.direction.clone().unwrap_or_default(),
            c.status.clone().unwrap_or_default(),
            c.from_number.clone().unwrap_or_default(),
            c.to_number.clone().unwrap_or_default(),
            c.customer_name.clone().unwrap_or_default(),
            c.customer_email.clone().unwrap_or_default(),
            r.row.fired.to_string(),
            r.analysis.as_ref().map(|a| a.status.clone()).unwrap_or_default(),
            r.analysis.as_ref().and_then(|a| a.summary.clone()).unwrap_or_default(),
            r.analysis.as_ref().and_then(|a| a.goal_result.clone()).unwrap_or_default(),
        ];
        for name in &field_names {
            let value = output
                .as_ref()
                .and_then(|o| o.fields.iter().find(|f| &f.name == name))
                .map(|f| json_text(&f.value))
                .unwrap_or_default();
            record.push(value);
        }
        let record: Vec<String> = record.iter().map(|v| cell(v)).collect();
        if writer.write_record(&record).is_err() {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    let Ok(body) = writer.into_inner() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let name = format!("conversations-{}.csv", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
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
        assert_eq!(cell("+14155550141"), "+14155550141");
        assert_eq!(cell("-3.5"), "-3.5");
        assert_eq!(cell("plain"), "plain");
    }
}
