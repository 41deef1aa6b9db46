//! Parsed domain values: what the edges turn raw strings into (parse, don't validate).
//! Each `parse` names what is wrong in its error message; callers add the field path.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Longest accepted external id (a voice platform's `call_id` / `agent_id`), in characters.
pub const MAX_ID_LEN: usize = 200;

/// A syntactically valid email address (RFC 5321 as lettre checks it), trimmed, at most
/// 254 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses `value`; the error says why it is not an address.
    pub fn parse(value: &str) -> Result<Self, String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        if trimmed.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        lettre::Address::from_str(trimmed)
            .map(|_| Self(trimmed.to_owned()))
            .map_err(|_| format!("`{trimmed}` is not a valid email address"))
    }

    /// The address, lower-cased: the form user emails are stored and compared in.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }

    /// The address as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form: `+`, a non-zero country digit, 7 to 15 digits in all.
///
/// Parsing accepts the usual separators (spaces, `-`, `.`, `(`, `)`) and a leading `00`
/// international prefix, and rejects anything else: a number without a country code cannot
/// be made E.164 without guessing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct E164(String);

impl E164 {
    /// Parses `value` into `+<digits>`.
    pub fn parse(value: &str) -> Result<Self, String> {
        let cleaned: String =
            value.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')).collect();
        let digits = if let Some(rest) = cleaned.strip_prefix('+') {
            rest
        } else if let Some(rest) = cleaned.strip_prefix("00") {
            rest
        } else {
            return Err(format!("`{value}` is not an E.164 number (it needs a leading + and a country code)"));
        };
        let valid =
            (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0');
        if valid {
            Ok(Self(format!("+{digits}")))
        } else {
            Err(format!("`{value}` is not an E.164 number (+ then 7 to 15 digits)"))
        }
    }

    /// `+14155550141`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

/// Task priority.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    /// All priorities, lowest first.
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Medium, Priority::High, Priority::Urgent];

    /// `low`, `medium`, `high` or `urgent` (case-insensitive).
    pub fn parse(value: &str) -> Result<Self, String> {
        let lower = value.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == lower)
            .ok_or_else(|| format!("`{value}` is not a priority (low, medium, high or urgent)"))
    }

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

impl std::str::FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

crate::stored_enum! { impl Priority in "tasks|notifications"."priority"; }

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

/// Who gets an in-app alert when a notification fires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TeamAlert {
    /// No alert.
    Off,
    /// Every member of the account.
    All,
    /// The listed users (who must be members).
    Selected(Vec<uuid::Uuid>),
}

impl TeamAlert {
    /// The stored mode name.
    pub fn mode(&self) -> crate::columns::TeamAlertMode {
        use crate::columns::TeamAlertMode;
        match self {
            TeamAlert::Off => TeamAlertMode::Off,
            TeamAlert::All => TeamAlertMode::All,
            TeamAlert::Selected(_) => TeamAlertMode::Selected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        for r in EndReason::ALL {
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::json!(r.as_str()));
            assert_eq!(r.as_str().parse::<EndReason>(), Ok(r));
        }
        for p in Priority::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), serde_json::json!(p.as_str()));
            assert_eq!(p.as_str().parse::<Priority>(), Ok(p));
        }
        for d in [Direction::Inbound, Direction::Outbound] {
            assert_eq!(serde_json::to_value(d).unwrap(), serde_json::json!(d.as_str()));
        }
    }

    #[test]
    fn phone_numbers_are_normalised_to_e164() {
        assert_eq!(E164::parse("+1 (415) 555-0141").unwrap().as_str(), "+14155550141");
        assert_eq!(E164::parse("0049 30 1234567").unwrap().as_str(), "+49301234567");
        assert!(E164::parse("(977) 625-2661").is_err(), "no country code");
        assert!(E164::parse("+0123456789").is_err(), "country code cannot start with 0");
        assert!(E164::parse("+1234").is_err(), "too short");
        assert!(E164::parse("+1234567890123456").is_err(), "too long");
        assert!(E164::parse("+1415555O141").is_err(), "letter O");
    }

    #[test]
    fn end_reasons_are_case_insensitive_and_unknown_values_map_to_unknown() {
        assert_eq!(EndReason::from_input("CUSTOMER_HANGUP"), EndReason::CustomerHangup);
        assert_eq!(EndReason::from_input("ccaas_transfer"), EndReason::CcaasTransfer);
        assert_eq!(EndReason::from_input("disconnected"), EndReason::Unknown);
    }

    #[test]
    fn email_addresses_are_checked() {
        assert!(EmailAddress::parse(" ops@example.com ").is_ok());
        assert_eq!(EmailAddress::parse("Ops@Example.com").unwrap().normalized(), "ops@example.com");
        assert!(EmailAddress::parse("not an address").is_err());
        assert!(EmailAddress::parse("").is_err());
    }
}
