//! Server functions and the wire types (DTOs) they return. Each server function
//! authenticates, makes one backend call, and maps the result to a DTO; ids travel as
//! strings and times are formatted on the server (in the agent's time zone where there
//! is one, so server and browser render the same text).

pub mod actions;
pub mod agents;
pub mod alerts;
pub mod conditions;
pub mod conversations;
pub mod deliveries;
pub mod home;
pub mod integrations;
pub mod notifications;
pub mod outbox;
pub mod profile;
pub mod push;
pub mod settings;
pub mod tasks;
pub mod team;
pub mod tries;

/// A page of a keyset-paginated list.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor for the next (older) page, when there may be one.
    pub next: Option<String>,
}

/// Rows per page of the dashboard's lists.
pub const PAGE_SIZE: u64 = 25;

#[cfg(feature = "ssr")]
pub(crate) mod fmt {
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    /// `2026-11-20 09:18 CET` in the time zone `tz` (UTC when unknown).
    pub fn time_in(t: DateTime<Utc>, tz: &str) -> String {
        let tz: Tz = tz.parse().unwrap_or(Tz::UTC);
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
    }

    /// `2026-11-20 09:18 UTC`.
    pub fn time(t: DateTime<Utc>) -> String {
        time_in(t, "UTC")
    }

    /// The cursor of the next page: the last id, when the page was full.
    pub fn next_cursor(len: usize, limit: u64, last: Option<uuid::Uuid>) -> Option<String> {
        ((len as u64) == limit).then(|| last.map(|id| id.to_string())).flatten()
    }
}
