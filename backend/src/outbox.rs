//! Emails as the dashboard sees them: the outbox and every email's delivery state.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entities::email;
use crate::error::Result;
use crate::jobs::{SendEmail, queue};
use crate::templates::RenderedEmail;
use crate::tenancy::{Tenant, scope, secure_find};

/// An email rendered up front (a test-send, an invitation), to queue with [`queue_rendered`].
pub struct Prepared<'a> {
    pub to: Vec<String>,
    /// The conversation it is about, if any.
    pub conversation_id: Option<Uuid>,
    /// The templates it came from (kept for the outbox view).
    pub subject_template: &'a str,
    pub body_template: &'a str,
    pub rendered: RenderedEmail,
}

/// Stores a rendered email with no notification run and enqueues its `SendEmail` job, in
/// `db` (pass a transaction to commit both with other writes). Returns the email's id; the
/// caller wakes the job runner after committing.
pub async fn queue_rendered<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    public_url: &str,
    email: Prepared<'_>,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let job_id = queue::enqueue(db, tenant, &SendEmail { email_id: id, conversation_id: email.conversation_id }).await?;
    email::Entity::insert(email::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        conversation_id: Set(email.conversation_id),
        notification_run_id: Set(None),
        recipients: Set(serde_json::json!(email.to)),
        subject_template: Set(email.subject_template.to_owned()),
        body_template: Set(email.body_template.to_owned()),
        subject: Set(Some(email.rendered.subject)),
        text_body: Set(Some(email.rendered.text)),
        html_body: Set(Some(email.rendered.html)),
        state: Set(state::PENDING.to_owned()),
        attempts: Set(0),
        last_error: Set(None),
        message_id: Set(message_id(id, public_url)),
        sent_at: Set(None),
        job_id: Set(Some(job_id)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Email delivery states as stored.
pub mod state {
    /// Created; its `SendEmail` job has not run yet.
    pub const PENDING: &str = "pending";
    /// An attempt failed transiently; another is scheduled.
    pub const RETRYING: &str = "retrying";
    /// Accepted by the SMTP server.
    pub const SENT: &str = "sent";
    /// Rendered and kept in the built-in outbox (no SMTP configured).
    pub const OUTBOX: &str = "outbox";
    /// Failed permanently or ran out of attempts.
    pub const DEAD: &str = "dead";
}

/// The Message-ID (without angle brackets) of email `id`: `<id>@<public host>`, stable
/// across retries so a recipient can recognise a resend.
pub fn message_id(id: Uuid, public_url: &str) -> String {
    let host = public_url
        .split("://")
        .nth(1)
        .unwrap_or(public_url)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("aftercall.local");
    format!("{id}@{host}")
}

/// One page of the tenant's emails, newest first; `before` is the last id of the previous
/// page (keyset pagination). Returns at most `limit` rows.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<email::Model>> {
    let mut q = scope::<email::Entity>(tenant);
    if let Some(before) = before {
        q = q.filter(email::Column::Id.lt(before));
    }
    Ok(q.order_by_desc(email::Column::Id).limit(limit).all(db).await?)
}

/// The tenant's email `id`.
pub async fn get<C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid) -> Result<email::Model> {
    secure_find::<email::Entity, _>(db, tenant, id).await
}

/// The emails of the given notification runs.
pub async fn for_runs<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    run_ids: &[Uuid],
) -> Result<Vec<email::Model>> {
    Ok(scope::<email::Entity>(tenant)
        .filter(email::Column::NotificationRunId.is_in(run_ids.iter().copied()))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_ids_use_the_public_host() {
        let id = uuid::Uuid::nil();
        assert_eq!(super::message_id(id, "https://calls.example.com/x"), format!("{id}@calls.example.com"));
        assert_eq!(super::message_id(id, "http://127.0.0.1:3000"), format!("{id}@127.0.0.1"));
    }
}
