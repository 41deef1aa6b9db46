//! Sealing secrets stored in clear by builds from before encryption at rest (run once at start).

#[allow(unused_imports)]
use super::*;

pub(crate) fn unsealed(value: &str) -> bool {
    !value.starts_with(PREFIX)
}

/// Seals every secret still stored in clear (written before encryption at rest, or by an
/// older process during an upgrade), in place. Returns how many rows changed. Idempotent;
/// the tables it reads hold a few rows per account.
///
/// Errors: database errors.
pub async fn seal_plaintext_columns(db: &DatabaseConnection, secrets: &SecretBox) -> Result<usize> {
    use crate::entities::{account, analyzer_setting, installation_setting, post_call_action};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    let mut changed = 0;
    for a in post_call_action::Entity::find().all(db).await? {
        let (secret, previous, url) = (a.secret.clone(), a.previous_secret.clone(), a.url.clone());
        if !(unsealed(&secret) || previous.as_deref().is_some_and(unsealed) || unsealed(&url)) {
            continue;
        }
        let id = a.id;
        let mut active: post_call_action::ActiveModel = a.into();
        if unsealed(&secret) {
            active.secret = Set(secrets.seal(&aad("post_call_actions", "secret", id), &secret));
        }
        if let Some(p) = previous.filter(|p| unsealed(p)) {
            active.previous_secret = Set(Some(secrets.seal(&aad("post_call_actions", "previous_secret", id), &p)));
        }
        if unsealed(&url) {
            active.url = Set(secrets.seal(&aad("post_call_actions", "url", id), &url));
        }
        active.update(db).await?;
        changed += 1;
    }
    for s in analyzer_setting::Entity::find().filter(analyzer_setting::Column::ApiKey.is_not_null()).all(db).await? {
        let Some(key) = s.api_key.clone().filter(|k| unsealed(k)) else { continue };
        let id = s.account_id;
        let mut active: analyzer_setting::ActiveModel = s.into();
        active.api_key = Set(Some(secrets.seal(&aad("analyzer_settings", "api_key", id), &key)));
        active.update(db).await?;
        changed += 1;
    }
    for a in account::Entity::find().filter(account::Column::InboundSigningSecret.is_not_null()).all(db).await? {
        let Some(secret) = a.inbound_signing_secret.clone().filter(|k| unsealed(k)) else { continue };
        let id = a.id;
        let mut active: account::ActiveModel = a.into();
        active.inbound_signing_secret =
            Set(Some(secrets.seal(&aad("accounts", "inbound_signing_secret", id), &secret)));
        active.update(db).await?;
        changed += 1;
    }
    if let Some(row) =
        installation_setting::Entity::find_by_id(installation_setting::VAPID_KEY.to_owned()).one(db).await?
        && unsealed(&row.value)
    {
        let sealed = secrets.seal(&aad("installation_settings", "value", installation_setting::VAPID_KEY), &row.value);
        let mut active: installation_setting::ActiveModel = row.into();
        active.value = Set(sealed);
        active.update(db).await?;
        changed += 1;
    }
    if changed > 0 {
        tracing::info!(rows = changed, "encrypted secrets that were stored in clear");
    }
    Ok(changed)
}
