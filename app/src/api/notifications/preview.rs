//! Live preview and test-send of the email being edited.

#[allow(unused_imports)]
use super::*;

/// A rendered preview; `error` carries a template error (with its position) instead.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PreviewView {
    pub subject: String,
    /// Sanitised HTML: values escaped, raw HTML in the template shown as text.
    pub html: String,
    pub error: Option<String>,
}

#[cfg(feature = "ssr")]
pub(crate) fn preview_source(source: &str) -> Result<backend::preview::PreviewSource, AppError> {
    use backend::preview::PreviewSource;
    match source.trim() {
        "" | "sample" => Ok(PreviewSource::Sample),
        id => Ok(PreviewSource::Conversation(crate::auth::parse_id(id, "Conversation")?)),
    }
}

/// Renders `subject` and `body` against conversation `source` (or `sample`) for the editor.
#[server(endpoint = "preview_notification", output = crate::api::Json)]
pub async fn preview_notification(
    agent_id: String,
    source: String,
    subject: String,
    body: String,
) -> Result<PreviewView, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    render_preview(&services()?, &member, &agent_id, &source, &subject, &body).await
}

/// The preview of `subject` and `body` for agent `agent_id` (empty = any agent) with call
/// `source` (`sample` or a conversation id). A template error comes back as
/// [`PreviewView::error`], with its position; a member who may not configure gets
/// `Forbidden`. Shared by [`preview_notification`] and the editor's first preview, which
/// [`notification_editor`](super::notification_editor) renders with the form.
#[cfg(feature = "ssr")]
pub(crate) async fn render_preview(
    services: &backend::Services,
    member: &backend::Member,
    agent_id: &str,
    source: &str,
    subject: &str,
    body: &str,
) -> Result<PreviewView, AppError> {
    let agent = backend_uuid(agent_id);
    match backend::preview::preview(services, member, agent, preview_source(source)?, subject, body).await {
        Ok(r) => Ok(PreviewView { subject: r.subject, html: r.html, error: None }),
        Err(backend::Error::Invalid { field, message }) => {
            Ok(PreviewView { error: Some(format!("{field}: {message}")), ..Default::default() })
        }
        Err(e) => Err(e.into()),
    }
}

/// Renders like the preview and sends it to the signed-in admin (SMTP or the outbox); no
/// notification run is created. Returns what happened, for display.
#[server(endpoint = "test_send_notification", output = crate::api::Json)]
pub async fn test_send_notification(
    agent_id: String,
    source: String,
    subject: String,
    body: String,
) -> Result<String, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let (_, to) = backend::preview::test_send(
        &services,
        &member,
        backend_uuid(&agent_id),
        preview_source(&source)?,
        &subject,
        &body,
    )
    .await?;
    Ok(if services.mailer.is_outbox() {
        format!("Test email for {to} stored in the outbox (no SMTP server is configured).")
    } else {
        format!("Test email sent to {to}.")
    })
}
