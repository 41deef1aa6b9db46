//! How a call ended and which way it went: the end reason (SPEC section 3) and the direction.

#[allow(unused_imports)]
use super::*;

/// Why a call ended: the closed, documented set of SPEC section 3.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    CustomerHangup,
    AgentHangup,
    BlindTransfer,
    /// Escalated to a contact centre.
    CcaasTransfer,
    Voicemail,
    NoAnswer,
    Busy,
    MaxDuration,
    Inactivity,
    Error,
    Unknown,
}

impl EndReason {
    /// Every end reason, in documentation order.
    pub const ALL: [EndReason; 11] = [
        EndReason::CustomerHangup,
        EndReason::AgentHangup,
        EndReason::BlindTransfer,
        EndReason::CcaasTransfer,
        EndReason::Voicemail,
        EndReason::NoAnswer,
        EndReason::Busy,
        EndReason::MaxDuration,
        EndReason::Inactivity,
        EndReason::Error,
        EndReason::Unknown,
    ];

    /// Case-insensitive; values outside the set map to [`EndReason::Unknown`] (the caller
    /// keeps the raw value).
    pub fn from_input(value: &str) -> Self {
        let lower = value.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|r| r.as_str() == lower).unwrap_or(EndReason::Unknown)
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::CustomerHangup => "customer_hangup",
            EndReason::AgentHangup => "agent_hangup",
            EndReason::BlindTransfer => "blind_transfer",
            EndReason::CcaasTransfer => "ccaas_transfer",
            EndReason::Voicemail => "voicemail",
            EndReason::NoAnswer => "no_answer",
            EndReason::Busy => "busy",
            EndReason::MaxDuration => "max_duration",
            EndReason::Inactivity => "inactivity",
            EndReason::Error => "error",
            EndReason::Unknown => "unknown",
        }
    }
}

/// Call direction.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    /// Case-insensitive `inbound` / `outbound`.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "inbound" => Ok(Direction::Inbound),
            "outbound" => Ok(Direction::Outbound),
            _ => Err(format!("`{value}` is not a direction (inbound or outbound)")),
        }
    }

    /// `inbound` / `outbound`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

impl std::str::FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

crate::stored_enum! { impl Direction in "conversations"."direction"; }

impl std::str::FromStr for EndReason {
    type Err = String;
    /// Exactly a stored name (input goes through [`EndReason::from_input`] instead).
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("`{s}` is not an end reason"))
    }
}

crate::stored_enum! { impl EndReason in "conversations"."end_reason"; }
