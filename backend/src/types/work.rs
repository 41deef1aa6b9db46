//! What a fired notification asks of the team: the task priority and the team alert.

#[allow(unused_imports)]
use super::*;

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
