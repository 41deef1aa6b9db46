//! Conversations: the list and one conversation with its analysis and notification runs.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Page;
use crate::error::AppError;

mod detail;
pub use detail::*;

/// A row of the conversations list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationItem {
    pub id: String,
    pub call_id: String,
    pub agent_name: String,
    /// Start (or receipt) time in the agent's time zone.
    pub when: String,
    /// `MM:SS`, or empty.
    pub duration: String,
    pub end_reason: String,
    /// The caller's number or name, when known.
    pub customer: String,
    pub turns: i32,
    /// Notification runs that fired.
    pub fired: i64,
    pub analysed: bool,
}

/// The analyzer's label in the UI.
pub fn analyzer_label(name: &str) -> String {
    match name {
        "builtin" => "Built-in (offline)".to_owned(),
        "openai" => "OpenAI-compatible".to_owned(),
        other => other.to_owned(),
    }
}

/// The conversation list's filters as in its query string (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConversationFilters {
    /// Agent id.
    pub agent: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    pub end_reason: Option<String>,
    /// `yes` or `no`.
    pub fired: Option<String>,
    /// Text in the transcript, number, name or call id.
    pub q: Option<String>,
}

impl ConversationFilters {
    /// The filters as a query string (`agent=…&q=…`), without a leading `?`.
    pub fn query(&self) -> String {
        let pairs = [
            ("agent", &self.agent),
            ("from", &self.from),
            ("to", &self.to),
            ("end_reason", &self.end_reason),
            ("fired", &self.fired),
            ("q", &self.q),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| {
                v.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", crate::auth::encode(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// What the conversation filters offer: agents `(id, name)` and end reasons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterOptions {
    pub agents: Vec<(String, String)>,
    pub end_reasons: Vec<String>,
}

/// The choices of the conversation filters.
#[server(endpoint = "conversation_filter_options", output = crate::api::Json)]
pub async fn conversation_filter_options() -> Result<FilterOptions, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let agents = backend::agents::list(&services.db, &member.tenant).await?;
    Ok(FilterOptions {
        agents: agents.into_iter().map(|a| (a.id.to_string(), a.name)).collect(),
        end_reasons: backend::types::EndReason::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
    })
}

/// One page of conversations matching `filters`, newest first; `before` is the previous
/// page's cursor.
#[server(endpoint = "list_conversations", output = crate::api::Json)]
pub async fn list_conversations(
    before: Option<String>,
    #[server(flatten)] filters: ConversationFilters,
) -> Result<Page<ConversationItem>, AppError> {
    use crate::api::fmt;
    use crate::auth::{member, parse_cursor, services};
    let member = member().await?;
    let services = services()?;
    let before = parse_cursor(before.as_deref())?;
    let params = backend::conversations::FilterParams {
        agent: filters.agent,
        from: filters.from,
        to: filters.to,
        end_reason: filters.end_reason,
        fired: filters.fired,
        q: filters.q,
    };
    let mut filter = params.resolve(&services.db, &member.tenant).await?;
    filter.before = before;
    let rows = backend::conversations::list(&services.db, &member.tenant, &filter, super::PAGE_SIZE).await?;
    let agents = backend::agents::list(&services.db, &member.tenant).await?;
    let next = fmt::next_cursor(rows.len(), super::PAGE_SIZE, rows.last().map(|r| r.conversation.id));
    let items = rows
        .into_iter()
        .map(|r| {
            let c = r.conversation;
            let tz = agents.iter().find(|a| a.id == c.agent_id).map(|a| a.timezone.as_str()).unwrap_or("UTC");
            ConversationItem {
                id: c.id.to_string(),
                call_id: c.call_id,
                agent_name: r.agent_name,
                when: fmt::time_in(c.started_at.unwrap_or(c.received_at), tz),
                duration: c.duration_s.map(backend::templates::format_duration).unwrap_or_default(),
                end_reason: c.end_reason.to_string(),
                customer: c.customer_name.or(c.from_number).unwrap_or_default(),
                turns: c.turn_count,
                fired: r.fired,
                analysed: r.analysed,
            }
        })
        .collect();
    Ok(Page { items, next })
}
