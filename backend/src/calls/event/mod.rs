//! The call-ended event of SPEC section 3: the raw JSON shape integrators POST and the
//! validated [`CallEnded`] domain type it becomes.
//!
//! Two stages, two kinds of error: serde reports type errors in [`RawCallEvent`] (the HTTP
//! edge answers 400 with the field path), and [`RawCallEvent::validate`] reports semantic
//! errors with the field path (422).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::types::{Direction, E164, EmailAddress, EndReason};

pub use crate::types::MAX_ID_LEN;

mod raw;
pub use raw::*;
mod parse;
/// Longest accepted call, in seconds (7 days).
pub const MAX_DURATION_S: f64 = 7.0 * 24.0 * 3600.0;

/// Who spoke a turn.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    /// The voice agent (input aliases: `assistant`, `bot`, `ai`).
    Agent,
    /// The caller (input aliases: `customer`, `caller`, `human`).
    User,
}

impl Speaker {
    fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "agent" | "assistant" | "bot" | "ai" => Some(Speaker::Agent),
            "user" | "customer" | "caller" | "human" => Some(Speaker::User),
            _ => None,
        }
    }
}

/// One validated turn; times are seconds from the start of the call.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub role: Speaker,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_s: Option<f64>,
}

/// A validated call-ended event.
#[derive(Clone, Debug, PartialEq)]
pub struct CallEnded {
    /// The integrator's unique id of the call (trimmed, 1-200 characters).
    pub call_id: String,
    /// The agent's `external_id` (trimmed, 1-200 characters).
    pub agent_id: String,
    pub status: Option<String>,
    pub direction: Option<Direction>,
    pub channel: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Seconds; computed from the times when absent.
    pub duration_s: Option<f64>,
    pub end_reason: EndReason,
    /// The end reason exactly as sent, when sent.
    pub end_reason_raw: Option<String>,
    pub from_number: Option<E164>,
    pub to_number: Option<E164>,
    pub customer_name: Option<String>,
    pub customer_email: Option<EmailAddress>,
    pub dynamic_variables: Map<String, Value>,
    pub transcript: Vec<Turn>,
    /// The voice platform's own analysis, from a native intake (never from `POST
    /// /api/v1/calls`).
    pub platform_analysis: Option<crate::columns::PlatformAnalysis>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(json: serde_json::Value) -> RawCallEvent {
        serde_json::from_value(json).unwrap()
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::Invalid { field, .. } => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn only_call_id_agent_id_and_transcript_are_required() {
        let call = raw(serde_json::json!({"call_id": " c1 ", "agent_id": "a", "transcript": []})).validate().unwrap();
        assert_eq!(call.call_id, "c1");
        assert_eq!(call.end_reason, EndReason::Unknown);
        assert!(call.transcript.is_empty());
        let err = raw(serde_json::json!({"agent_id": "a", "transcript": []})).validate();
        assert_eq!(field_of(err.unwrap_err()), "call_id");
        let err = raw(serde_json::json!({"call_id": "c", "agent_id": "a"})).validate();
        assert_eq!(field_of(err.unwrap_err()), "transcript");
    }

    #[test]
    fn bad_fields_are_named_by_path() {
        let cases = [
            (
                serde_json::json!({"transcript": [{"role": "agent", "text": "hi"}, {"role": "robot", "text": "x"}]}),
                "transcript[1].role",
            ),
            (serde_json::json!({"transcript": [], "direction": "sideways"}), "direction"),
            (serde_json::json!({"transcript": [], "started_at": "yesterday"}), "started_at"),
            (
                serde_json::json!({"transcript": [], "started_at": "2026-11-20T09:20:00Z", "ended_at": "2026-11-20T09:18:00Z"}),
                "ended_at",
            ),
            (serde_json::json!({"transcript": [], "from_number": "555-0100"}), "from_number"),
            (serde_json::json!({"transcript": [], "customer": {"email": "nope"}}), "customer.email"),
            (serde_json::json!({"transcript": [], "duration_s": -1.0}), "duration_s"),
        ];
        for (mut json, expected) in cases {
            json["call_id"] = "c".into();
            json["agent_id"] = "a".into();
            assert_eq!(field_of(raw(json).validate().unwrap_err()), expected);
        }
    }

    #[test]
    fn unknown_end_reasons_are_kept_verbatim_and_map_to_unknown() {
        let call =
            raw(serde_json::json!({"call_id": "c", "agent_id": "a", "transcript": [], "end_reason": "disconnected"}))
                .validate()
                .unwrap();
        assert_eq!(call.end_reason, EndReason::Unknown);
        assert_eq!(call.end_reason_raw.as_deref(), Some("disconnected"));
    }

    #[test]
    fn duration_is_computed_from_the_times_when_absent() {
        let call = raw(serde_json::json!({"call_id": "c", "agent_id": "a", "transcript": [],
            "started_at": "2026-11-20T09:18:51Z", "ended_at": "2026-11-20T09:20:21.800Z"}))
        .validate()
        .unwrap();
        assert_eq!(call.duration_s, Some(90.8));
    }
}
