//! Reading the model answer into an analysis, and classifying failures (retryable or not).

#[allow(unused_imports)]
use super::*;

/// Maps the model's JSON back onto the request's keys.
///
/// Errors: a message when the content is not a JSON object.
pub fn parse_answer(content: &str, request: &AnalysisRequest) -> Result<AnalysisOutput, String> {
    let trimmed = content.trim().trim_start_matches("```json").trim_start_matches("```").trim_end_matches("```");
    let answer: Json = serde_json::from_str(trimmed.trim()).map_err(|e| format!("the answer is not JSON: {e}"))?;
    let obj = answer.as_object().ok_or("the answer is not a JSON object")?;
    let verdicts = request
        .triggers
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let v = obj.get("triggers")?.get(trigger_key(i))?;
            Some(Verdict {
                key: t.key.clone(),
                fired: v.get("fired")?.as_bool()?,
                unknown: false,
                reason: text(v.get("reason")),
            })
        })
        .collect();
    let fields = request
        .fields
        .iter()
        .filter_map(|f| {
            let v = obj.get("fields")?.get(&f.name)?;
            Some(FieldValue {
                name: f.name.clone(),
                value: v.get("value").cloned().unwrap_or(Json::Null),
                evidence: v.get("evidence").and_then(Json::as_str).map(str::to_owned),
            })
        })
        .collect();
    let goal = obj.get("goal").and_then(|g| {
        Some(GoalVerdict { result: GoalResult::parse(g.get("result")?.as_str()?)?, reason: text(g.get("reason")) })
    });
    let routes = request
        .routes
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let r = obj.get("routes")?.get(route_key(i))?;
            let n = r.get("route")?.as_u64()? as usize;
            Some(RouteChoice { key: q.key.clone(), route: n.checked_sub(1), reason: text(r.get("reason")) })
        })
        .collect();
    Ok(AnalysisOutput { summary: text(obj.get("summary")), verdicts, fields, goal, routes })
}

pub(crate) enum Failure {
    Retry(String),
    Stop(String),
}

/// The message of an OpenAI-style error body `{"error": {"message"}}`, else its first
/// characters.
pub(crate) fn error_message(body: &[u8]) -> String {
    let parsed: Option<Json> = serde_json::from_slice(body).ok();
    parsed
        .as_ref()
        .and_then(|v| v.get("error"))
        .and_then(|e| {
            e.get("message").and_then(Json::as_str).map(str::to_owned).or_else(|| e.as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(300).collect())
}

/// 408, 429 and 5xx are worth retrying; any other status is not.
pub(crate) fn classify_status(status: u16, body: &[u8]) -> Failure {
    let what = format!("provider answered {status}: {}", error_message(body));
    if status == 408 || status == 429 || status >= 500 { Failure::Retry(what) } else { Failure::Stop(what) }
}
