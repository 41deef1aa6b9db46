//! Drafts and published versions of actions (as notifications have them, SPEC section 2):
//! the action's columns hold the live settings and their `version` (0 = never published,
//! so it does not run); dashboard edits wait in `draft` until published; every
//! publication is kept in `post_call_action_versions`; each delivery records the version
//! it used. Drafts and versions are sealed: they hold the URL and credentials.

use serde::{Deserialize, Serialize};

pub use crate::notifications::Save;

#[allow(unused_imports)]
use super::*;
use crate::entities::post_call_action_version;

/// An action's validated settings: what a draft or a published version holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionSettings {
    pub kind: ActionKind,
    pub name: String,
    pub url: String,
    pub format: WebhookFormat,
    pub message_template: Option<String>,
    pub method: HttpMethod,
    /// `request`: headers and auth, secrets in clear (sealed with the settings).
    pub options: Option<RequestOptions>,
    pub body_template: Option<String>,
    pub sign: bool,
    pub include_transcript: bool,
    pub condition: Option<Condition>,
    pub time_field: Option<String>,
    pub fallback_delay_minutes: Option<i32>,
    pub enabled: bool,
}

impl ActionSettings {
    /// The settings an opened action's columns hold.
    ///
    /// Errors: [`Error::Internal`] when its stored headers do not read.
    pub fn of(a: &post_call_action::Model) -> Result<Self> {
        let options = (a.format == WebhookFormat::Request).then(|| request_options(a)).transpose()?;
        Ok(Self {
            kind: a.kind,
            name: a.name.clone(),
            url: a.url.clone(),
            format: a.format,
            message_template: a.message_template.clone(),
            method: a.method,
            options,
            body_template: a.body_template.clone(),
            sign: a.sign,
            include_transcript: a.include_transcript,
            condition: a.condition.clone(),
            time_field: a.time_field.clone(),
            fallback_delay_minutes: a.fallback_delay_minutes,
            enabled: a.enabled,
        })
    }

    /// `a` (opened) with these settings in its columns, in clear: what the editor shows and
    /// *Try on recent calls* runs.
    pub fn overlay(&self, mut a: post_call_action::Model) -> post_call_action::Model {
        a.kind = self.kind;
        a.name = self.name.clone();
        a.url = self.url.clone();
        a.format = self.format;
        a.message_template = self.message_template.clone();
        a.method = self.method;
        a.request = self.options.as_ref().map(|o| serde_json::to_string(o).unwrap_or_default());
        a.body_template = self.body_template.clone();
        a.sign = self.sign;
        a.include_transcript = self.include_transcript;
        a.condition = self.condition.clone();
        a.time_field = self.time_field.clone();
        a.fallback_delay_minutes = self.fallback_delay_minutes;
        a.enabled = self.enabled;
        a
    }

    /// Writes these settings into the live columns of action `id` (URL and options sealed).
    pub(crate) fn apply(&self, secrets: &SecretBox, id: Uuid, active: &mut post_call_action::ActiveModel) {
        active.kind = Set(self.kind);
        active.name = Set(self.name.clone());
        active.url = Set(secrets.seal(&aad(id, "url"), &self.url));
        active.format = Set(self.format);
        active.message_template = Set(self.message_template.clone());
        active.method = Set(self.method);
        active.request = Set(seal_options(secrets, id, self.options.as_ref()));
        active.body_template = Set(self.body_template.clone());
        active.sign = Set(self.sign);
        active.include_transcript = Set(self.include_transcript);
        active.condition = Set(self.condition.clone());
        active.time_field = Set(self.time_field.clone());
        active.fallback_delay_minutes = Set(self.fallback_delay_minutes);
        active.enabled = Set(self.enabled);
    }

    pub(crate) fn seal(&self, secrets: &SecretBox, aad: &str) -> String {
        secrets.seal(aad, &serde_json::to_string(self).unwrap_or_default())
    }

    fn open(secrets: &SecretBox, aad: &str, sealed: &str) -> Result<Self> {
        let json = secrets.open(aad, sealed)?;
        serde_json::from_str(&json).map_err(|e| Error::internal("reading stored action settings", e))
    }
}

fn version_aad(id: Uuid) -> String {
    crate::secrets::aad("post_call_action_versions", "settings", id)
}

/// The draft's associated data (the draft column of action `id`).
pub(crate) fn draft_aad(id: Uuid) -> String {
    aad(id, "draft")
}

/// The unpublished draft of an opened action, if there is one.
///
/// Errors: [`Error::Internal`] when it does not read.
pub fn draft_of(a: &post_call_action::Model) -> Result<Option<ActionSettings>> {
    a.draft
        .as_deref()
        .map(|json| serde_json::from_str(json).map_err(|e| Error::internal("reading an action's draft", e)))
        .transpose()
}

/// What the editor shows of an opened action: its draft when there is one, else its
/// published settings, in the action's columns.
///
/// Errors: as [`draft_of`].
pub fn editable(a: post_call_action::Model) -> Result<post_call_action::Model> {
    Ok(match draft_of(&a)? {
        Some(draft) => draft.overlay(a),
        None => a,
    })
}

/// Publishes `settings` into `active` as the next version after `current`, and keeps the
/// version; in the caller's transaction, which records it in the audit log.
pub(crate) async fn publish_into<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    actor: &Actor,
    id: Uuid,
    mut active: post_call_action::ActiveModel,
    current: i32,
    settings: &ActionSettings,
) -> Result<post_call_action::Model> {
    let next = current + 1;
    settings.apply(secrets, id, &mut active);
    active.version = Set(next);
    active.draft = Set(None);
    active.updated_at = Set(Utc::now());
    let saved = if active.id.is_set() { active.insert(db).await? } else { active.update(db).await? };
    let version_id = Uuid::now_v7();
    post_call_action_version::ActiveModel {
        id: Set(version_id),
        account_id: Set(actor.tenant().account_id()),
        action_id: Set(id),
        version: Set(next),
        settings: Set(settings.seal(secrets, &version_aad(version_id))),
        created_by: Set(actor.user_id()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(saved)
}

/// Records the publication of `saved` (its new version) in the audit log.
pub(crate) async fn audit_published<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    saved: &post_call_action::Model,
) -> Result<()> {
    let detail = format!("{}, version {}", describe(saved), saved.version);
    audit::record(db, actor, audit::action::ACTION_PUBLISHED, "action", Some(saved.id.to_string()), detail).await
}

/// Publishes the stored draft of action `id` as its next version. Needs the configure
/// permission.
///
/// Errors: [`Error::Invalid`] on `draft` when there is none; [`Error::Forbidden`],
/// [`Error::NotFound`]; the URL is checked again against the outbound policy.
pub async fn publish_draft(services: &Services, actor: &Actor, id: Uuid) -> Result<post_call_action::Model> {
    actor.require(Permission::Configure)?;
    let row = get(&services.db, &services.secrets, actor.tenant(), id).await?;
    let draft = draft_of(&row)?.ok_or_else(|| Error::invalid("draft", "there is no draft to publish"))?;
    services.outbound.check_url(&draft.url, "url").await?;
    let txn = crate::db::begin_write(&services.db).await?;
    let current = row.version;
    let saved = publish_into(&txn, &services.secrets, actor, id, row.into(), current, &draft).await?;
    audit_published(&txn, actor, &saved).await?;
    txn.commit().await?;
    open(&services.secrets, saved)
}

/// Drops the draft of action `id`. A never-published action has nothing to fall back to
/// and is deleted (returns `None`). Needs the configure permission.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`].
pub async fn discard_draft(services: &Services, actor: &Actor, id: Uuid) -> Result<Option<post_call_action::Model>> {
    actor.require(Permission::Configure)?;
    let row = secure_find::<post_call_action::Entity, _>(&services.db, actor.tenant(), id).await?;
    if row.version == 0 {
        delete(&services.db, actor, id).await?;
        return Ok(None);
    }
    let mut active: post_call_action::ActiveModel = row.into();
    active.draft = Set(None);
    Ok(Some(open(&services.secrets, active.update(&services.db).await?)?))
}

/// One published version of an action, opened.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionVersion {
    pub version: i32,
    pub settings: ActionSettings,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// The published versions of action `id`, newest first.
///
/// Errors: [`Error::NotFound`] (also for another account's action).
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    tenant: &Tenant,
    id: Uuid,
) -> Result<Vec<ActionVersion>> {
    secure_find::<post_call_action::Entity, _>(db, tenant, id).await?;
    let rows = scope::<post_call_action_version::Entity>(tenant)
        .filter(post_call_action_version::Column::ActionId.eq(id))
        .order_by_desc(post_call_action_version::Column::Version)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ActionVersion {
                version: r.version,
                settings: ActionSettings::open(secrets, &version_aad(r.id), &r.settings)?,
                created_by: r.created_by,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// Copies published version `version` of action `id` into its draft, for review and
/// publishing. Needs the configure permission.
///
/// Errors: [`Error::NotFound`] for an unknown version or another account's action.
pub async fn restore_version(
    services: &Services,
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> Result<post_call_action::Model> {
    actor.require(Permission::Configure)?;
    let found = versions(&services.db, &services.secrets, actor.tenant(), id).await?;
    let settings = found.into_iter().find(|v| v.version == version).ok_or(Error::NotFound("action version"))?.settings;
    let row = secure_find::<post_call_action::Entity, _>(&services.db, actor.tenant(), id).await?;
    let mut active: post_call_action::ActiveModel = row.into();
    active.draft = Set(Some(settings.seal(&services.secrets, &draft_aad(id))));
    active.updated_at = Set(Utc::now());
    open(&services.secrets, active.update(&services.db).await?)
}
