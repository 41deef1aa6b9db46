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
/// Longest accepted call, in seconds (7 days).
pub const MAX_DURATION_S: f64 = 7.0 * 24.0 * 3600.0;

/// The event as it arrives (the body of `POST /api/v1/calls`). Unknown top-level fields
/// are ignored (forward compatibility). Every field is optional in the JSON so that a
/// missing required one gets a 422 naming it rather than a parse error.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "call_id": "call_8d2f", "agent_id": "front-desk", "direction": "inbound",
    "started_at": "2026-03-02T09:14:00Z", "ended_at": "2026-03-02T09:16:05Z",
    "end_reason": "customer_hangup", "from_number": "+14155550100",
    "transcript": [{"role": "agent", "text": "Hello, how can I help?"}, {"role": "user", "text": "I need to book a cleaning."}]
}))]
pub struct RawCallEvent {
    /// Required: the platform's unique id of the call (1-200 characters); a repeated id is a
    /// duplicate (200, nothing stored again).
    pub call_id: Option<String>,
    /// Required: the agent's `external_id` (1-200 characters).
    pub agent_id: Option<String>,
    /// The platform's call status, e.g. `completed`.
    pub status: Option<String>,
    /// `inbound` or `outbound` (also `in`/`out`).
    pub direction: Option<String>,
    /// e.g. `phone`, `web`.
    pub channel: Option<String>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub started_at: Option<String>,
    /// RFC 3339, not before `started_at`.
    #[schema(format = DateTime)]
    pub ended_at: Option<String>,
    /// Seconds, 0 to 7 days; computed from the times when absent.
    pub duration_s: Option<f64>,
    /// The platform's end reason, kept as sent and mapped onto the closed set of
    /// [`EndReason`] (`customer_hangup`, `agent_hangup`, `blind_transfer`, `ccaas_transfer`,
    /// `voicemail`, `no_answer`, `busy`, `max_duration`, `inactivity`, `error`; anything
    /// else is `unknown`).
    pub end_reason: Option<String>,
    /// E.164, e.g. `+14155550100`.
    pub from_number: Option<String>,
    /// E.164.
    pub to_number: Option<String>,
    pub customer: Option<RawCustomer>,
    /// Any JSON object the platform passed to the call.
    pub dynamic_variables: Option<Map<String, Value>>,
    /// Required, at least one turn with text.
    pub transcript: Option<Vec<RawTurn>>,
}

/// `customer` as it arrives.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RawCustomer {
    pub name: Option<String>,
    /// An email address.
    #[schema(format = Email)]
    pub email: Option<String>,
}

/// One transcript turn as it arrives; extra fields (e.g. `asr_text`) are ignored.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RawTurn {
    /// `agent` (or `assistant`, `bot`, `ai`) or `user` (or `customer`, `caller`, `human`).
    pub role: Option<String>,
    pub text: Option<String>,
    /// Seconds from the start of the call.
    pub start_s: Option<f64>,
    /// Seconds from the start of the call.
    pub end_s: Option<f64>,
}

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
}

fn required_id(value: Option<String>, field: &str) -> Result<String, Error> {
    let value = value.ok_or_else(|| Error::invalid(field, "is required"))?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if trimmed.chars().count() > MAX_ID_LEN {
        return Err(Error::invalid(field, format!("must be at most {MAX_ID_LEN} characters")));
    }
    Ok(trimmed.to_owned())
}

fn short_text(value: Option<String>, field: &str, max: usize) -> Result<Option<String>, Error> {
    let Some(value) = value else { return Ok(None) };
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        return Err(Error::invalid(field, format!("must be at most {max} characters")));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

fn timestamp(value: Option<String>, field: &str) -> Result<Option<DateTime<Utc>>, Error> {
    let Some(value) = value else { return Ok(None) };
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| Error::invalid(field, format!("`{value}` is not an RFC 3339 date-time")))
}

fn seconds(value: Option<f64>, field: &str) -> Result<Option<f64>, Error> {
    match value {
        Some(s) if !s.is_finite() || s < 0.0 => Err(Error::invalid(field, "must be a non-negative number of seconds")),
        other => Ok(other),
    }
}

fn phone(value: Option<String>, field: &str) -> Result<Option<E164>, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => E164::parse(v).map(Some).map_err(|m| Error::invalid(field, m)),
    }
}

impl RawCallEvent {
    /// Validates into a [`CallEnded`].
    ///
    /// Errors: [`Error::Invalid`] with the path of the first bad field, e.g. `call_id`,
    /// `ended_at`, `transcript[3].role`, `customer.email`.
    pub fn validate(self) -> Result<CallEnded, Error> {
        let call_id = required_id(self.call_id, "call_id")?;
        let agent_id = required_id(self.agent_id, "agent_id")?;
        let raw_turns = self.transcript.ok_or_else(|| Error::invalid("transcript", "is required"))?;
        let mut transcript = Vec::with_capacity(raw_turns.len());
        for (i, turn) in raw_turns.into_iter().enumerate() {
            let role_field = format!("transcript[{i}].role");
            let role = turn.role.ok_or_else(|| Error::invalid(&role_field, "is required"))?;
            let role = Speaker::parse(&role)
                .ok_or_else(|| Error::invalid(&role_field, format!("`{role}` is not a role (agent or user)")))?;
            let text = turn.text.ok_or_else(|| Error::invalid(format!("transcript[{i}].text"), "is required"))?;
            let start_s = seconds(turn.start_s, &format!("transcript[{i}].start_s"))?;
            let end_s = seconds(turn.end_s, &format!("transcript[{i}].end_s"))?;
            if let (Some(s), Some(e)) = (start_s, end_s)
                && e < s
            {
                return Err(Error::invalid(format!("transcript[{i}].end_s"), "must not be before start_s"));
            }
            transcript.push(Turn { role, text, start_s, end_s });
        }

        let direction = match self.direction.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(Direction::parse(d).map_err(|m| Error::invalid("direction", m))?),
        };
        let started_at = timestamp(self.started_at, "started_at")?;
        let ended_at = timestamp(self.ended_at, "ended_at")?;
        if let (Some(s), Some(e)) = (started_at, ended_at)
            && e < s
        {
            return Err(Error::invalid("ended_at", "must not be before started_at"));
        }
        let mut duration_s = seconds(self.duration_s, "duration_s")?;
        if duration_s.is_some_and(|d| d > MAX_DURATION_S) {
            return Err(Error::invalid("duration_s", "must be at most 7 days"));
        }
        if duration_s.is_none()
            && let (Some(s), Some(e)) = (started_at, ended_at)
        {
            duration_s = Some((e - s).num_milliseconds() as f64 / 1000.0);
        }
        let end_reason_raw = short_text(self.end_reason, "end_reason", 64)?;
        let end_reason = end_reason_raw.as_deref().map(EndReason::from_input).unwrap_or(EndReason::Unknown);
        let customer = self.customer.unwrap_or_default();
        let customer_email = match customer.email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(e) => Some(EmailAddress::parse(e).map_err(|m| Error::invalid("customer.email", m))?),
        };

        Ok(CallEnded {
            call_id,
            agent_id,
            status: short_text(self.status, "status", 64)?,
            direction,
            channel: short_text(self.channel, "channel", 64)?,
            started_at,
            ended_at,
            duration_s,
            end_reason,
            end_reason_raw,
            from_number: phone(self.from_number, "from_number")?,
            to_number: phone(self.to_number, "to_number")?,
            customer_name: short_text(customer.name, "customer.name", 200)?,
            customer_email,
            dynamic_variables: self.dynamic_variables.unwrap_or_default(),
            transcript,
        })
    }
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
