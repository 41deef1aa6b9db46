//! The post-call action read model: what both front doors show of an action (never its
//! secret). REST serialises it as it is; the dashboard formats it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{ActionKind, AuthView, Condition, HeaderView, HttpMethod, WebhookFormat};
use crate::entities::post_call_action;
use crate::tenancy::{Actor, Permission};

/// An action as both front doors show it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ActionView {
    pub id: Uuid,
    pub agent_id: Uuid,
    pub kind: ActionKind,
    pub name: String,
    pub enabled: bool,
    /// The URL; to members (who may not configure) with its path, query and credentials
    /// hidden (`https://host/…`), since URLs often carry tokens.
    pub url: String,
    pub format: WebhookFormat,
    /// The Slack or Teams message template.
    pub message_template: Option<String>,
    /// `request`: the method (`POST` for every other format).
    pub method: HttpMethod,
    /// `request`: the headers; secret values are never shown (null). Empty for members,
    /// who see no credentials.
    pub headers: Vec<HeaderView>,
    /// `request`: the auth kind (and Basic user name), never a token or password.
    pub auth: Option<AuthView>,
    /// `request`: the JSON body template.
    pub body_template: Option<String>,
    /// Whether requests carry Standard Webhooks signature headers.
    pub sign: bool,
    pub include_transcript: bool,
    /// Null = after every call.
    pub condition: Option<Condition>,
    /// The condition in words, e.g. `order_total > 100`.
    pub condition_text: Option<String>,
    /// `schedule_call`: the extraction field holding the callback time.
    pub time_field: Option<String>,
    /// `schedule_call`: minutes after the call when the time field is empty.
    pub fallback_delay_minutes: Option<i32>,
    /// First failure since the last success.
    pub failing_since: Option<DateTime<Utc>>,
    /// Why it was turned off automatically.
    pub disabled_reason: Option<String>,
    /// Whether a rotated-out secret still signs too (during the overlap).
    pub rotating: bool,
    /// The published version these settings are (1, 2, …); 0 = a dashboard draft never
    /// published, which does not run.
    pub version: i32,
    /// Whether the dashboard holds unpublished edits.
    pub has_draft: bool,
    pub created_at: DateTime<Utc>,
}

impl ActionView {
    /// The view of `a` (opened) for `actor`. Pass [`super::editable`]`(a)` for what the
    /// editor shows (the draft's settings, when there is one).
    pub fn new(a: post_call_action::Model, actor: &Actor) -> Self {
        let condition = super::condition_of(&a);
        let rotating = super::signing_secrets(&a, Utc::now()).len() > 1;
        let configures = actor.can(Permission::Configure);
        let url = if configures { a.url.clone() } else { super::display_url(&a.url) };
        let options =
            (a.format == WebhookFormat::Request && configures).then(|| super::request_options(&a).unwrap_or_default());
        Self {
            condition_text: condition.as_ref().map(Condition::describe),
            condition,
            rotating,
            version: a.version,
            has_draft: a.draft.is_some(),
            url,
            id: a.id,
            agent_id: a.agent_id,
            kind: a.kind,
            name: a.name,
            enabled: a.enabled,
            format: a.format,
            message_template: a.message_template,
            method: a.method,
            headers: options.as_ref().map(|o| o.header_views()).unwrap_or_default(),
            auth: options.as_ref().map(|o| o.auth_view()),
            body_template: a.body_template,
            sign: a.sign,
            include_transcript: a.include_transcript,
            time_field: a.time_field,
            fallback_delay_minutes: a.fallback_delay_minutes,
            failing_since: a.failing_since,
            disabled_reason: a.disabled_reason,
            created_at: a.created_at,
        }
    }
}
