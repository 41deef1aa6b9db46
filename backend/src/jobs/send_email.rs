//! `SendEmail`: renders an email's subject and Markdown body with the conversation's
//! variables (unless already rendered), stores the rendered message, and sends it through SMTP — or, with no SMTP
//! configured, leaves it in the outbox. Delivery state is recorded on the email row.

use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};

use super::{Job, JobError};
use crate::Services;
use crate::delivery::outbox::EmailState;
use crate::delivery::transport::{OutgoingEmail, SendFailure};
use crate::entities::email;
use crate::queue::{ClaimedJob, SendEmail};
use crate::templates;
use crate::tenancy::secure_find;

#[async_trait]
impl Job for SendEmail {
    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
        let db = &services.db;
        let tenant = job.tenant;
        let row = secure_find::<email::Entity, _>(db, &tenant, self.email_id).await?;
        if matches!(row.state, EmailState::Sent | EmailState::Outbox) {
            return Ok(());
        }
        // Rendered once (at the first attempt, or up front for a test-send): retries send the
        // same text.
        let stored = match (&row.subject, &row.text_body, &row.html_body) {
            (Some(subject), Some(text), Some(html)) => {
                Some(templates::RenderedEmail { subject: subject.clone(), text: text.clone(), html: html.clone() })
            }
            _ => None,
        };
        let rendered = match stored {
            Some(r) => Ok(r),
            None => render(services, &row).await,
        };
        let rendered = match rendered {
            Ok(r) => r,
            Err(JobError::Permanent(e)) => {
                mark(services, &row, EmailState::Dead, Some(e.clone()), None).await?;
                return Err(JobError::Permanent(e));
            }
            Err(other) => return Err(other),
        };
        let mut active: email::ActiveModel = row.clone().into();
        active.subject = Set(Some(rendered.subject.clone()));
        active.text_body = Set(Some(rendered.text.clone()));
        active.html_body = Set(Some(rendered.html.clone()));
        active.attempts = Set(row.attempts + 1);
        active.updated_at = Set(Utc::now());
        if services.mailer.is_outbox() {
            // Nothing leaves: the rendered email, its state and the job's end in one commit.
            active.state = Set(EmailState::Outbox);
            let work = crate::db::Work::begin(services).await?;
            active.update(work.db()).await?;
            job.complete_in(work.db()).await?;
            work.commit().await?;
            crate::telemetry::delivery("email", "outbox");
            return Ok(());
        }
        let row = {
            let _turn = services.writes.enter().await;
            active.update(db).await?
        };
        // An account email is sent from its sealed copy (the stored text has its link hidden).
        let rendered = match &row.sealed_body {
            None => rendered,
            Some(sealed) => {
                let plain = services
                    .secrets
                    .open(&crate::delivery::outbox::sealed_aad(row.id), sealed)
                    .map_err(|e| JobError::Permanent(e.to_string()))?;
                let body: crate::delivery::outbox::SealedBody =
                    serde_json::from_str(&plain).map_err(|e| JobError::Permanent(format!("sealed body: {e}")))?;
                templates::RenderedEmail { subject: rendered.subject, text: body.text, html: body.html }
            }
        };

        let recipients: Vec<String> = row.recipients.0.clone();
        let outgoing = OutgoingEmail {
            from: services.settings.email_from.clone(),
            to: recipients,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            message_id: row.message_id.clone(),
        };
        let started = std::time::Instant::now();
        let result = services.mailer.send(&outgoing).await;
        let attempt = crate::delivery::Attempt {
            number: row.attempts,
            request: format!(
                "MAIL FROM:<{}>\nRCPT TO:{}\nMessage-ID: <{}>\nSubject: {}",
                outgoing.from.email,
                outgoing.to.iter().map(|t| format!("<{t}>")).collect::<Vec<_>>().join(", "),
                outgoing.message_id,
                outgoing.subject
            ),
            duration: started.elapsed(),
            ..crate::delivery::Attempt::from_smtp(&result)
        };
        // The attempt's log entry and its outcome in one commit.
        let work = crate::db::Work::begin(services).await?;
        crate::delivery::record_email_attempt(work.db(), &tenant, row.id, attempt).await?;
        let outcome = match result {
            Ok(_) => {
                set_state(work.db(), &row, EmailState::Sent, None, Some(Utc::now())).await?;
                job.complete_in(work.db()).await?;
                Ok(())
            }
            Err(SendFailure::Permanent(e)) => {
                set_state(work.db(), &row, EmailState::Dead, Some(e.clone()), None).await?;
                Err(JobError::Permanent(format!("SMTP: {e}")))
            }
            Err(SendFailure::Transient(e)) => {
                let next = if job.is_last_attempt() { EmailState::Dead } else { EmailState::Retrying };
                set_state(work.db(), &row, next, Some(e.clone()), None).await?;
                Err(JobError::Retry(format!("SMTP: {e}")))
            }
        };
        work.commit().await?;
        outcome
    }
}

async fn render(services: &Services, row: &email::Model) -> Result<templates::RenderedEmail, JobError> {
    let db = &services.db;
    let tenant = crate::tenancy::Tenant::new(row.account_id);
    let conversation_id =
        row.conversation_id.ok_or_else(|| JobError::Permanent("the email has no conversation".into()))?;
    let vars = templates::conversation_variables(db, &tenant, conversation_id, &services.settings.public_url).await?;
    templates::render_email(&row.subject_template, &row.body_template, &vars)
        .map_err(|e| JobError::Permanent(format!("template: {e}")))
}

async fn set_state<C: sea_orm::ConnectionTrait>(
    db: &C,
    row: &email::Model,
    new_state: EmailState,
    error: Option<String>,
    sent_at: Option<chrono::DateTime<Utc>>,
) -> Result<(), sea_orm::DbErr> {
    let mut active: email::ActiveModel = row.clone().into();
    active.state = Set(new_state);
    if new_state == EmailState::Sent {
        // Delivered: the link has reached its recipient, and is kept nowhere else.
        active.sealed_body = Set(None);
    }
    if error.is_some() {
        active.last_error = Set(error);
    }
    if sent_at.is_some() {
        active.sent_at = Set(sent_at);
    }
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(())
}

async fn mark(
    services: &Services,
    row: &email::Model,
    new_state: EmailState,
    error: Option<String>,
    sent_at: Option<chrono::DateTime<Utc>>,
) -> Result<(), JobError> {
    let _turn = services.writes.enter().await;
    set_state(&services.db, row, new_state, error, sent_at).await?;
    Ok(())
}
