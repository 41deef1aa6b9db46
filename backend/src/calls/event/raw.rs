//! The call-ended event as it arrives: every field optional, so that validation can name what is missing.

#[allow(unused_imports)]
use super::*;

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
