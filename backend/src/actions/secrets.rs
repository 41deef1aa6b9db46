//! Signing secrets: generated, sealed at rest, opened to sign, rotated with an overlap.

#[allow(unused_imports)]
use super::*;

pub use crate::secrets::generate_secret;

/// The associated data of an action's sealed columns.
pub(crate) fn aad(id: Uuid, column: &str) -> String {
    crate::secrets::aad("post_call_actions", column, id)
}

/// The action with its URL, signing secrets, headers and draft decrypted (as every function here returns
/// it; the database only holds them sealed).
///
/// Errors: [`Error::Internal`] when a sealed value does not open.
pub fn open(secrets: &SecretBox, mut row: post_call_action::Model) -> Result<post_call_action::Model> {
    row.url = secrets.open(&aad(row.id, "url"), &row.url)?;
    row.secret = secrets.open(&aad(row.id, "secret"), &row.secret)?;
    row.previous_secret = secrets.open_opt(&aad(row.id, "previous_secret"), row.previous_secret.as_deref())?;
    row.request = secrets.open_opt(&aad(row.id, "request"), row.request.as_deref())?;
    row.draft = secrets.open_opt(&draft_aad(row.id), row.draft.as_deref())?;
    Ok(row)
}

/// The headers and auth of an opened action (empty for formats other than `request`).
///
/// Errors: [`Error::Internal`] when the stored document does not read.
pub fn request_options(action: &post_call_action::Model) -> Result<RequestOptions> {
    match &action.request {
        None => Ok(RequestOptions::default()),
        Some(json) => serde_json::from_str(json).map_err(|e| Error::internal("reading an action's headers", e)),
    }
}

/// `options` as stored: JSON sealed for the action `id`.
pub(crate) fn seal_options(secrets: &SecretBox, id: Uuid, options: Option<&RequestOptions>) -> Option<String> {
    options.map(|o| secrets.seal(&aad(id, "request"), &serde_json::to_string(o).unwrap_or_default()))
}

pub(crate) fn open_all(
    secrets: &SecretBox,
    rows: Vec<post_call_action::Model>,
) -> Result<Vec<post_call_action::Model>> {
    rows.into_iter().map(|r| open(secrets, r)).collect()
}

/// The secrets requests to `action` are signed with at `now`: the current one, and the
/// previous one while its rotation overlap lasts.
pub fn signing_secrets(action: &post_call_action::Model, now: DateTime<Utc>) -> Vec<String> {
    let mut secrets = vec![action.secret.clone()];
    if let (Some(previous), Some(until)) = (&action.previous_secret, action.previous_secret_expires_at)
        && until > now
    {
        secrets.push(previous.clone());
    }
    secrets
}

/// Rotates the signing secret: returns the new one (shown once); requests carry both
/// signatures for `overlap` (`webhooks.rotation_overlap_hours`). Needs the configure permission.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`].
pub async fn rotate_secret(services: &Services, actor: &Actor, id: Uuid) -> Result<String> {
    actor.require(Permission::Configure)?;
    let db = &services.db;
    let tenant = actor.tenant();
    let overlap = services.settings.webhooks.rotation_overlap;
    let row = secure_find::<post_call_action::Entity, _>(db, tenant, id).await?;
    let current = services.secrets.open(&aad(id, "secret"), &row.secret)?;
    let secret = generate_secret();
    let now = Utc::now();
    let mut active: post_call_action::ActiveModel = row.clone().into();
    active.previous_secret = Set(Some(services.secrets.seal(&aad(id, "previous_secret"), &current)));
    active.previous_secret_expires_at =
        Set(Some(now + chrono::Duration::from_std(overlap).unwrap_or(chrono::Duration::hours(24))));
    active.secret = Set(services.secrets.seal(&aad(id, "secret"), &secret));
    active.updated_at = Set(now);
    let txn = crate::db::begin_write(db).await?;
    active.update(&txn).await?;
    audit::record(&txn, actor, audit::action::SECRET_ROTATED, "action", Some(id.to_string()), describe(&row)).await?;
    txn.commit().await?;
    Ok(secret)
}
