//! ElevenLabs Agents: the `post_call_transcription` webhook, `{"type", "event_timestamp",
//! "data"}`, signed with `ElevenLabs-Signature: t=<Unix s>,v0=<hex HMAC-SHA256 of
//! "<t>.<raw body>">` under the webhook's shared secret.
//!
//! Source: elevenlabs.io/docs/eleven-agents/workflows/post-call-webhooks (payload, signature,
//! the 30-minute tolerance its SDKs apply).

use serde_json::{Map, Value};

use super::Mapped;
use super::payload::{array, at, boolean, first_text, number, object, text, unix_to_rfc3339, validate};
use super::signature::{Signed, TimestampedScheme};
use crate::calls::event::{RawCallEvent, RawTurn};
use crate::columns::{Platform, PlatformAnalysis};
use crate::error::Error;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "elevenlabs-signature";

/// How far the signed timestamp may be from now (30 minutes, ElevenLabs' documented
/// tolerance).
pub const WINDOW_S: i64 = 1800;

/// The signature scheme: `ElevenLabs-Signature`, checked against the body and the webhook secret.
pub(crate) const SCHEME: TimestampedScheme = TimestampedScheme {
    header: SIGNATURE_HEADER,
    timestamp: "t",
    digest: "v0",
    millis: false,
    window_s: WINDOW_S,
    signed: Signed::TimestampDotBody,
    secret_name: "the webhook secret",
};

const RENAMES: &[(&str, &str)] = &[
    ("call_id", "data.conversation_id"),
    ("agent_id", "data.agent_id"),
    ("transcript", "data.transcript"),
    ("from_number", "data.metadata.phone_call"),
    ("to_number", "data.metadata.phone_call"),
    ("direction", "data.metadata.phone_call.direction"),
    ("started_at", "data.metadata.start_time_unix_secs"),
    ("duration_s", "data.metadata.call_duration_secs"),
    ("end_reason", "data.metadata.termination_reason"),
    ("status", "data.status"),
];

/// Maps an ElevenLabs webhook body; types other than `post_call_transcription` (audio,
/// call initiation failures) are ignored.
///
/// Errors: [`Error::Invalid`] naming the ElevenLabs field (e.g. `data.conversation_id`).
pub(crate) fn map(body: &Value) -> Result<Mapped, Error> {
    let kind = text(body, "type").ok_or_else(|| Error::invalid("type", "is required"))?;
    if kind != "post_call_transcription" {
        return Ok(Mapped::Ignored(kind));
    }
    let data = at(body, "data").ok_or_else(|| Error::invalid("data", "is required"))?;
    // Tool calls and their results are turns without a message: not speech.
    let transcript = array(data, "transcript")
        .iter()
        .filter(|t| text(t, "message").is_some_and(|m| !m.trim().is_empty()))
        .map(|t| RawTurn {
            role: text(t, "role"),
            text: text(t, "message"),
            start_s: number(t, "time_in_call_secs"),
            end_s: None,
        })
        .collect();
    let started = number(data, "metadata.start_time_unix_secs");
    let duration = number(data, "metadata.call_duration_secs");
    let phone = at(data, "metadata.phone_call");
    let direction = phone.and_then(|p| text(p, "direction"));
    let (ours, theirs) = (phone.and_then(|p| text(p, "agent_number")), phone.and_then(|p| text(p, "external_number")));
    let (from, to) = if direction.as_deref() == Some("outbound") { (ours, theirs) } else { (theirs, ours) };
    let reason = text(data, "metadata.termination_reason");
    let raw = RawCallEvent {
        call_id: text(data, "conversation_id"),
        agent_id: text(data, "agent_id"),
        status: text(data, "status"),
        direction,
        channel: Some(if phone.is_some() { "phone" } else { "web" }.into()),
        started_at: started.and_then(|s| unix_to_rfc3339(s, false)),
        ended_at: started.zip(duration).and_then(|(s, d)| unix_to_rfc3339(s + d, false)),
        duration_s: duration,
        end_reason: reason.clone(),
        from_number: from,
        to_number: to,
        customer: None,
        dynamic_variables: Some(object(data, "conversation_initiation_client_data.dynamic_variables")),
        transcript: Some(transcript),
    };
    let mut ended = validate(raw, RENAMES)?;
    // Mapped from the whole value (validation keeps at most 64 characters of it).
    ended.end_reason =
        reason.as_deref().map(super::end_reasons::elevenlabs).unwrap_or(crate::types::EndReason::Unknown);
    // Each data collection result is `{"data_collection_id", "value", "rationale"}`: keep the value.
    let data_results: Map<String, Value> = object(data, "analysis.data_collection_results")
        .into_iter()
        .map(|(name, result)| (name, at(&result, "value").cloned().unwrap_or(Value::Null)))
        .collect();
    let analysis = PlatformAnalysis {
        platform: Platform::ElevenLabs,
        summary: first_text(data, &["analysis.transcript_summary", "analysis.call_summary_title"]),
        successful: boolean(data, "analysis.call_successful"),
        sentiment: None,
        data: data_results,
    };
    ended.platform_analysis = (!analysis.is_empty()).then_some(analysis);
    Ok(Mapped::Call(Box::new(ended)))
}
