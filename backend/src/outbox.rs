//! Emails as the dashboard sees them: the outbox and every email's delivery state.
//!
//! **Account emails** (invitations, password resets, address confirmations) carry a
//! single-use link that only their recipient may read (a member who read an admin
//! invitation's link could accept it and become admin). They are rendered twice: the real
//! message is stored only encrypted ([`crate::secrets`]) in `sealed_body` and sent from
//! there, and every view — Outbox, Deliveries, the REST API — shows a copy with the link
//! replaced by [`REDACTED_LINK`]. They are listed to owners and admins only.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::email;
use crate::error::{Error, Result};
use crate::queue::{self, SendEmail};
use crate::secrets::SecretBox;
use crate::templates::{RenderedEmail, Variables};
use crate::tenancy::{Actor, Permission, Tenant, scope, secure_find};

pub use crate::columns::{EmailKind, EmailRecipients, EmailState};

/// What the stored copy of an account email shows instead of its link.
pub const REDACTED_LINK: &str = "(link hidden: only the recipient gets it)";

/// The real text and HTML of an account email, sealed in `sealed_body`.
#[derive(Serialize, Deserialize)]
pub struct SealedBody {
    pub text: String,
    pub html: String,
}

/// The associated data of an email's sealed body.
pub fn sealed_aad(id: Uuid) -> String {
    crate::secrets::aad("emails", "sealed_body", id)
}

/// An account email to queue with [`queue_account_email`]: templates whose variable `link`
/// is the secret.
pub struct AccountEmail<'a> {
    pub to: String,
    pub subject_template: &'a str,
    pub body_template: &'a str,
    /// The variables, `link` included.
    pub vars: Variables,
}

/// Renders an account email (once with its link, once with [`REDACTED_LINK`]), stores the
/// redacted copy with the real one sealed, and enqueues its `SendEmail` job, in `db`.
/// Returns the email's id; the caller wakes the runner after committing.
///
/// Errors: [`Error::Internal`] when a template does not render (they are constants).
pub async fn queue_account_email<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    public_url: &str,
    secrets: &SecretBox,
    email: AccountEmail<'_>,
) -> Result<Uuid> {
    let real = crate::templates::render_email(email.subject_template, email.body_template, &email.vars)?;
    let mut hidden_vars = email.vars.clone();
    hidden_vars.set("link", serde_json::Value::from(REDACTED_LINK));
    let shown = crate::templates::render_email(email.subject_template, email.body_template, &hidden_vars)?;
    let id = Uuid::now_v7();
    let sealed = serde_json::to_string(&SealedBody { text: real.text, html: real.html })
        .map_err(|e| Error::internal("serialising a sealed email body", e))?;
    let row = Row {
        conversation_id: None,
        notification_run_id: None,
        to: vec![email.to],
        subject_template: email.subject_template,
        body_template: email.body_template,
        rendered: Some(shown),
        kind: EmailKind::Account,
        sealed_body: Some(secrets.seal(&sealed_aad(id), &sealed)),
    };
    insert(db, tenant, public_url, id, row).await?;
    Ok(id)
}

/// An email rendered up front (a test-send), to queue with [`queue_rendered`].
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
    let row = Row {
        conversation_id: email.conversation_id,
        notification_run_id: None,
        to: email.to,
        subject_template: email.subject_template,
        body_template: email.body_template,
        rendered: Some(email.rendered),
        kind: EmailKind::Test,
        sealed_body: None,
    };
    insert(db, tenant, public_url, id, row).await?;
    Ok(id)
}

/// An email row to store: rendered up front (test-sends, account emails) or when its job
/// runs (`rendered` `None`: notification emails).
struct Row<'a> {
    conversation_id: Option<Uuid>,
    notification_run_id: Option<Uuid>,
    to: Vec<String>,
    subject_template: &'a str,
    body_template: &'a str,
    rendered: Option<RenderedEmail>,
    kind: EmailKind,
    sealed_body: Option<String>,
}

/// Stores `row` as email `id` with its `SendEmail` job, in `db`.
async fn insert<C: ConnectionTrait>(db: &C, tenant: &Tenant, public_url: &str, id: Uuid, row: Row<'_>) -> Result<()> {
    let now = Utc::now();
    let job_id = queue::enqueue(db, tenant, &SendEmail { email_id: id, conversation_id: row.conversation_id }).await?;
    let (subject, text, html) = match row.rendered {
        Some(r) => (Some(r.subject), Some(r.text), Some(r.html)),
        None => (None, None, None),
    };
    email::Entity::insert(email::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        conversation_id: Set(row.conversation_id),
        notification_run_id: Set(row.notification_run_id),
        recipients: Set(EmailRecipients(row.to)),
        subject_template: Set(row.subject_template.to_owned()),
        body_template: Set(row.body_template.to_owned()),
        subject: Set(subject),
        text_body: Set(text),
        html_body: Set(html),
        state: Set(EmailState::Pending),
        attempts: Set(0),
        last_error: Set(None),
        message_id: Set(message_id(id, public_url)),
        sent_at: Set(None),
        job_id: Set(Some(job_id)),
        created_at: Set(now),
        updated_at: Set(now),
        kind: Set(row.kind),
        sealed_body: Set(row.sealed_body),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
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

/// A fired notification run's email to one recipient list, rendered when its job runs.
pub(crate) struct RunEmail<'a> {
    pub conversation_id: Uuid,
    pub notification_run_id: Uuid,
    pub to: Vec<String>,
    pub subject_template: &'a str,
    pub body_template: &'a str,
}

/// Stores `email` with its `SendEmail` job in the unit of work, which wakes the
/// dispatcher at commit. Returns the email's id.
pub(crate) async fn queue_run_email(
    work: &mut crate::db::Work,
    tenant: &Tenant,
    email: RunEmail<'_>,
    public_url: &str,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let row = Row {
        conversation_id: Some(email.conversation_id),
        notification_run_id: Some(email.notification_run_id),
        to: email.to,
        subject_template: email.subject_template,
        body_template: email.body_template,
        rendered: None,
        kind: EmailKind::Notification,
        sealed_body: None,
    };
    insert(work.db(), tenant, public_url, id, row).await?;
    work.wake_runner();
    Ok(id)
}

/// One page of the emails `actor` may see, newest first; `before` is the last id of the
/// previous page (keyset pagination). Returns at most `limit` rows. Account emails are
/// listed only to those who may see sensitive data (owners, admins, API keys).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<email::Model>> {
    let mut q = visible(scope::<email::Entity>(actor.tenant()), actor);
    if let Some(before) = before {
        q = q.filter(email::Column::Id.lt(before));
    }
    Ok(q.order_by_desc(email::Column::Id).limit(limit).all(db).await?)
}

/// Narrows an email query to what `actor` may see (see [`list`]).
pub fn visible(q: sea_orm::Select<email::Entity>, actor: &Actor) -> sea_orm::Select<email::Entity> {
    if actor.can(Permission::SeeSensitive) { q } else { q.filter(email::Column::Kind.ne(EmailKind::Account)) }
}

/// The actor's account's email `id`, if `actor` may see it.
///
/// Errors: [`Error::NotFound`] for another account's email, and for a member asking for an
/// account email.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<email::Model> {
    let row = secure_find::<email::Entity, _>(db, actor.tenant(), id).await?;
    if visible_to(&row, actor) { Ok(row) } else { Err(Error::NotFound("email")) }
}

/// Whether `actor` may see `row` (see [`list`]).
pub fn visible_to(row: &email::Model, actor: &Actor) -> bool {
    row.kind != EmailKind::Account || actor.can(Permission::SeeSensitive)
}

/// The emails of the given notification runs.
pub async fn for_runs<C: ConnectionTrait>(db: &C, tenant: &Tenant, run_ids: &[Uuid]) -> Result<Vec<email::Model>> {
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
