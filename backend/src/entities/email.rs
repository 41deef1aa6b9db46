//! `emails`: one email per fired notification and recipient list: the outbox and its
//! delivery state.

use sea_orm::entity::prelude::*;

use crate::columns::{EmailKind, EmailRecipients, EmailState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "emails")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub notification_run_id: Option<Uuid>,
    pub recipients: EmailRecipients,
    /// The subject template as of the run (minijinja).
    pub subject_template: String,
    /// The Markdown body template as of the run (minijinja).
    pub body_template: String,
    /// Rendered by `SendEmail`.
    pub subject: Option<String>,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
    pub state: EmailState,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// Stable across retries: `<email id>@<host>`.
    pub message_id: String,
    pub sent_at: Option<DateTimeUtc>,
    /// The `SendEmail` job (replay puts it back to pending).
    pub job_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub kind: EmailKind,
    /// Account emails: the real text and HTML (with their single-use link) as
    /// `{"text", "html"}`, encrypted with the installation key; `text_body` and
    /// `html_body` hold the redacted copy every view shows. Cleared once sent.
    pub sealed_body: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
