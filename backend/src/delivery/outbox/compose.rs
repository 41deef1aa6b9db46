//! Storing emails to send: account emails (sealed body, links hidden in the listed copy), rendered and run emails, each with its SendEmail job.

#[allow(unused_imports)]
use super::*;

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
pub(crate) struct Row<'a> {
    pub(crate) conversation_id: Option<Uuid>,
    pub(crate) notification_run_id: Option<Uuid>,
    pub(crate) to: Vec<String>,
    pub(crate) subject_template: &'a str,
    pub(crate) body_template: &'a str,
    pub(crate) rendered: Option<RenderedEmail>,
    pub(crate) kind: EmailKind,
    pub(crate) sealed_body: Option<String>,
}

/// Stores `row` as email `id` with its `SendEmail` job, in `db`.
pub(crate) async fn insert<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    public_url: &str,
    id: Uuid,
    row: Row<'_>,
) -> Result<()> {
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
    /// The email rendered up front, when its templates rendered; `None` = rendered when
    /// its job runs.
    pub rendered: Option<RenderedEmail>,
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
        rendered: email.rendered,
        kind: EmailKind::Notification,
        sealed_body: None,
    };
    insert(work.db(), tenant, public_url, id, row).await?;
    work.wake_runner();
    Ok(id)
}
