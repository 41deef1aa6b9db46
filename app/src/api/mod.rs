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

/// The encoding of every server function's response: JSON (`application/json`), read as
/// text with `serde_json::from_str`.
///
/// Why not server_fn's own `Json`: it decodes bytes (`serde_json::from_slice`), while the
/// resources the server serialises into the page are decoded from text (`from_str`), and
/// the browser bundle then held two copies of every response type's decoder, one per
/// reader. With this one they share one. Invalid UTF-8 is a deserialization error, like
/// invalid JSON. Used as `output = crate::api::Json` on each `#[server]`.
pub struct JsonText;

impl leptos::server_fn::ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl leptos::server_fn::FormatType for JsonText {
    const FORMAT_TYPE: leptos::server_fn::Format = leptos::server_fn::Format::Text;
}

impl<T: serde::Serialize> leptos::server_fn::Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<leptos::server_fn::Bytes, Self::Error> {
        serde_json::to_vec(output).map(leptos::server_fn::Bytes::from)
    }
}

impl<T: serde::de::DeserializeOwned> leptos::server_fn::Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: leptos::server_fn::Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

/// Server functions answer with [`JsonText`] in the body of a `POST` response.
pub type Json = leptos::server_fn::codec::Post<JsonText>;

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
