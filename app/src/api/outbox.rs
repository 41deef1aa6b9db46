//! The outbox: every email with its delivery state and rendered content. Account emails
//! (invitations, password resets) are listed to owners and admins only, with their links
//! hidden.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Page;
use crate::error::AppError;

/// An email.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmailItem {
    pub id: String,
    pub to: Vec<String>,
    pub subject: Option<String>,
    /// `pending`, `retrying`, `sent`, `outbox` or `dead`.
    pub state: String,
    pub attempts: i32,
    pub error: Option<String>,
    pub created: String,
    pub sent: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub conversation_id: Option<String>,
    pub message_id: String,
}

/// One page of emails, newest first.
#[server(endpoint = "list_emails", output = crate::api::Json)]
pub async fn list_emails(before: Option<String>) -> Result<Page<EmailItem>, AppError> {
    use crate::auth::{member, parse_cursor, services};
    let member = member().await?;
    let services = services()?;
    let before = parse_cursor(before.as_deref())?;
    let rows = backend::delivery::outbox::list(&services.db, &member.into(), before, super::PAGE_SIZE).await?;
    let next = super::fmt::next_cursor(rows.len(), super::PAGE_SIZE, rows.last().map(|e| e.id));
    let items = rows
        .into_iter()
        .map(|e| EmailItem {
            id: e.id.to_string(),
            to: e.recipients.0,
            subject: e.subject,
            state: e.state.to_string(),
            attempts: e.attempts,
            error: e.last_error,
            created: super::fmt::time(e.created_at),
            sent: e.sent_at.map(super::fmt::time),
            text: e.text_body,
            html: e.html_body,
            conversation_id: e.conversation_id.map(|c| c.to_string()),
            message_id: e.message_id,
        })
        .collect();
    Ok(Page { items, next })
}
