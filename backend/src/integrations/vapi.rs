//! Vapi: the `end-of-call-report` server message, `{"message": {"type", "endedReason",
//! "call", "artifact", "analysis", …}}`, authenticated by the server credential attached to
//! the server URL: the secret sent as `X-Vapi-Secret` or as `Authorization: Bearer`, or an
//! HMAC credential signing the raw body into `X-Vapi-Signature` (hex HMAC-SHA256; with a
//! `X-Vapi-Timestamp` header configured, of `"<timestamp>.<body>"`, which must then be
//! within 5 minutes of now).
//!
//! Sources: docs.vapi.ai/server-url/end-of-call-report (the message),
//! docs.vapi.ai/server-url/server-authentication (credentials), the
//! `ServerMessageEndOfCallReport` schema of Vapi's API reference (fields, `endedReason`).

use serde_json::Value;

use super::Mapped;
use super::payload::{array, at, first_text, number, object, text, validate};
use super::signature::{SignatureError, hmac_sha256_matches, optional_header, secrets_equal, within_window};
use crate::calls::event::{RawCallEvent, RawCustomer, RawTurn};
use crate::columns::{Platform, PlatformAnalysis};
use crate::error::Error;

/// The shared-secret header.
pub const SECRET_HEADER: &str = "x-vapi-secret";
/// The HMAC credential's signature header.
pub const SIGNATURE_HEADER: &str = "x-vapi-signature";
/// The HMAC credential's optional timestamp header.
pub const TIMESTAMP_HEADER: &str = "x-vapi-timestamp";
/// How far a signed timestamp may be from now.
pub const WINDOW_S: i64 = 300;

/// Checks the request against the Vapi credential `secret`: an HMAC signature when one is
/// sent, else the secret itself (`X-Vapi-Secret` or a bearer token).
pub(crate) fn verify(
    headers: &http::HeaderMap,
    body: &[u8],
    secret: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), SignatureError> {
    if let Some(signature) = optional_header(headers, SIGNATURE_HEADER)? {
        let signature = signature.strip_prefix("sha256=").unwrap_or(signature);
        let timestamp = optional_header(headers, TIMESTAMP_HEADER)?;
        let matches = match timestamp {
            Some(t) => hmac_sha256_matches(secret.as_bytes(), &[t.as_bytes(), b".", body], signature),
            None => hmac_sha256_matches(secret.as_bytes(), &[body], signature),
        };
        if !matches {
            return Err(SignatureError::new(SIGNATURE_HEADER, "does not match the body and the Vapi credential"));
        }
        if let Some(t) = timestamp {
            let value: i64 =
                t.parse().map_err(|_| SignatureError::new(TIMESTAMP_HEADER, "must be Unix seconds or milliseconds"))?;
            // Seconds have 10 digits until 2286; milliseconds 13.
            let ms = if value < 100_000_000_000 { value.saturating_mul(1000) } else { value };
            within_window(TIMESTAMP_HEADER, ms, now, WINDOW_S)?;
        }
        return Ok(());
    }
    let bearer = optional_header(headers, "authorization")?
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let (name, sent) = match (optional_header(headers, SECRET_HEADER)?, bearer) {
        (Some(s), _) => (SECRET_HEADER, s),
        (None, Some(b)) => ("authorization", b),
        (None, None) => {
            return Err(SignatureError::new(
                SECRET_HEADER,
                "missing header x-vapi-secret (or Authorization: Bearer, or x-vapi-signature)",
            ));
        }
    };
    if secrets_equal(sent, secret) {
        Ok(())
    } else {
        Err(SignatureError::new(name, "does not match the Vapi credential"))
    }
}

const RENAMES: &[(&str, &str)] = &[
    ("call_id", "message.call.id"),
    ("agent_id", "message.assistant.id"),
    ("transcript", "message.artifact.messages"),
    ("from_number", "message.customer.number"),
    ("to_number", "message.phoneNumber.number"),
    ("started_at", "message.startedAt"),
    ("ended_at", "message.endedAt"),
    ("duration_s", "message.durationSeconds"),
    ("end_reason", "message.endedReason"),
    ("status", "message.call.status"),
    ("customer.name", "message.customer.name"),
];

/// Maps a Vapi server message; message types other than `end-of-call-report` are ignored.
///
/// Errors: [`Error::Invalid`] naming the Vapi field (e.g. `message.call.id`).
pub(crate) fn map(body: &Value) -> Result<Mapped, Error> {
    let message = at(body, "message").ok_or_else(|| Error::invalid("message", "is required"))?;
    let kind = text(message, "type").ok_or_else(|| Error::invalid("message.type", "is required"))?;
    if kind != "end-of-call-report" {
        return Ok(Mapped::Ignored(kind));
    }
    // Speech only: system prompts and tool calls are not turns of the conversation.
    let turns = match at(message, "artifact.messages") {
        Some(_) => array(message, "artifact.messages"),
        None => array(message, "messages"),
    };
    let transcript = turns
        .iter()
        .filter(|m| matches!(text(m, "role").as_deref(), Some("bot" | "assistant" | "user")))
        .filter(|m| text(m, "message").is_some_and(|t| !t.trim().is_empty()))
        .map(|m| {
            let start = number(m, "secondsFromStart");
            RawTurn {
                role: text(m, "role"),
                text: text(m, "message"),
                start_s: start,
                end_s: start.zip(number(m, "duration")).map(|(s, ms)| s + ms / 1000.0),
            }
        })
        .collect();
    let call_type = first_text(message, &["call.type"]);
    let direction = match call_type.as_deref() {
        Some("inboundPhoneCall") => Some("inbound".to_owned()),
        Some("outboundPhoneCall") => Some("outbound".to_owned()),
        _ => None,
    };
    let customer = first_text(message, &["customer.number", "call.customer.number"]);
    let ours = first_text(message, &["phoneNumber.number", "call.phoneNumber.number"]);
    let (from, to) = if direction.as_deref() == Some("outbound") { (ours, customer) } else { (customer, ours) };
    let reason = first_text(message, &["endedReason", "call.endedReason"]);
    let raw = RawCallEvent {
        call_id: text(message, "call.id"),
        agent_id: first_text(message, &["assistant.id", "call.assistantId", "assistant.name"]),
        status: text(message, "call.status"),
        direction,
        channel: call_type.map(|t| if t == "webCall" { "web".to_owned() } else { "phone".to_owned() }),
        started_at: first_text(message, &["startedAt", "call.startedAt"]),
        ended_at: first_text(message, &["endedAt", "call.endedAt"]),
        duration_s: number(message, "durationSeconds"),
        end_reason: reason.clone(),
        from_number: from,
        to_number: to,
        customer: Some(RawCustomer {
            name: first_text(message, &["customer.name", "call.customer.name"]),
            email: None,
        }),
        dynamic_variables: Some(object(message, "call.assistantOverrides.variableValues")),
        transcript: Some(transcript),
    };
    let mut ended = validate(raw, RENAMES)?;
    // Mapped from the whole value (validation keeps at most 64 characters of it).
    ended.end_reason = reason.as_deref().map(super::end_reasons::vapi).unwrap_or(crate::types::EndReason::Unknown);
    let analysis = PlatformAnalysis {
        platform: Platform::Vapi,
        summary: first_text(message, &["analysis.summary", "summary"]),
        successful: super::payload::boolean(message, "analysis.successEvaluation"),
        sentiment: None,
        data: object(message, "analysis.structuredData"),
    };
    ended.platform_analysis = (!analysis.is_empty()).then_some(analysis);
    Ok(Mapped::Call(Box::new(ended)))
}
