//! Retell AI: the `call_ended` and `call_analyzed` webhook events, `{"event", "call"}`, signed
//! with `X-Retell-Signature: v=<Unix ms>,d=<hex HMAC-SHA256 of the raw body followed by the
//! timestamp>` under the Retell API key that has the webhook badge.
//!
//! Sources: docs.retellai.com/features/webhook (events and payloads),
//! docs.retellai.com/features/secure-webhook (the signature), docs.retellai.com/api-references/get-call
//! (the call object).

use serde_json::Value;

use super::Mapped;
use super::payload::{array, at, boolean, number, object, text, unix_to_rfc3339, validate};
use super::signature::{Signed, TimestampedScheme};
use crate::calls::event::{RawCallEvent, RawTurn};
use crate::columns::{Platform, PlatformAnalysis};
use crate::error::Error;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-retell-signature";

/// How far the signed timestamp may be from now (5 minutes, as Retell's SDKs check).
pub const WINDOW_S: i64 = 300;

/// The signature scheme: `X-Retell-Signature`, checked against the body and the Retell API key.
pub(crate) const SCHEME: TimestampedScheme = TimestampedScheme {
    header: SIGNATURE_HEADER,
    timestamp: "v",
    digest: "d",
    millis: true,
    window_s: WINDOW_S,
    signed: Signed::BodyThenTimestamp,
    secret_name: "the Retell API key",
};

/// Where Retell puts what our validation names.
const RENAMES: &[(&str, &str)] = &[
    ("call_id", "call.call_id"),
    ("agent_id", "call.agent_id"),
    ("transcript", "call.transcript_object"),
    ("from_number", "call.from_number"),
    ("to_number", "call.to_number"),
    ("direction", "call.direction"),
    ("started_at", "call.start_timestamp"),
    ("ended_at", "call.end_timestamp"),
    ("duration_s", "call.duration_ms"),
    ("end_reason", "call.disconnection_reason"),
    ("status", "call.call_status"),
];

/// Maps a Retell webhook body; events other than `call_ended` and `call_analyzed` are
/// ignored.
///
/// Errors: [`Error::Invalid`] naming the Retell field (e.g. `call.call_id`).
pub(crate) fn map(body: &Value) -> Result<Mapped, Error> {
    let event = text(body, "event").ok_or_else(|| Error::invalid("event", "is required"))?;
    if event != "call_ended" && event != "call_analyzed" {
        return Ok(Mapped::Ignored(event));
    }
    let call = at(body, "call").ok_or_else(|| Error::invalid("call", "is required"))?;
    let transcript = array(call, "transcript_object")
        .iter()
        .map(|turn| {
            let words = array(turn, "words");
            RawTurn {
                // The party a call was transferred to speaks for the business.
                role: text(turn, "role").map(|r| if r == "transfer_target" { "agent".into() } else { r }),
                text: text(turn, "content"),
                start_s: words.first().and_then(|w| number(w, "start")),
                end_s: words.last().and_then(|w| number(w, "end")),
            }
        })
        .collect();
    let mut variables = object(call, "retell_llm_dynamic_variables");
    let metadata = object(call, "metadata");
    if !metadata.is_empty() {
        variables.insert("metadata".into(), Value::Object(metadata));
    }
    let reason = text(call, "disconnection_reason");
    let raw = RawCallEvent {
        call_id: text(call, "call_id"),
        agent_id: text(call, "agent_id"),
        status: text(call, "call_status"),
        direction: text(call, "direction"),
        channel: text(call, "call_type").map(|t| t.trim_end_matches("_call").to_owned()),
        started_at: number(call, "start_timestamp").and_then(|ms| unix_to_rfc3339(ms, true)),
        ended_at: number(call, "end_timestamp").and_then(|ms| unix_to_rfc3339(ms, true)),
        duration_s: number(call, "duration_ms").map(|ms| ms / 1000.0),
        end_reason: reason.clone(),
        from_number: text(call, "from_number"),
        to_number: text(call, "to_number"),
        customer: None,
        dynamic_variables: Some(variables),
        transcript: Some(transcript),
    };
    let mut ended = validate(raw, RENAMES)?;
    // Mapped from the whole value (validation keeps at most 64 characters of it).
    ended.end_reason = reason.as_deref().map(super::end_reasons::retell).unwrap_or(crate::types::EndReason::Unknown);
    let analysis = PlatformAnalysis {
        platform: Platform::Retell,
        summary: text(call, "call_analysis.call_summary"),
        successful: boolean(call, "call_analysis.call_successful"),
        sentiment: text(call, "call_analysis.user_sentiment"),
        data: object(call, "call_analysis.custom_analysis_data"),
    };
    ended.platform_analysis = (!analysis.is_empty()).then_some(analysis);
    Ok(Mapped::Call(Box::new(ended)))
}
