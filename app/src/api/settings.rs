//! Account settings: ingest behaviour and API keys (created keys are shown once).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An API key (never its secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyItem {
    pub id: String,
    pub name: String,
    /// The first characters, to tell keys apart.
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

/// The settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub account_name: String,
    pub auto_create_agents: bool,
    /// Whether `POST /api/v1/calls` must be signed.
    pub inbound_signing: bool,
    pub keys: Vec<KeyItem>,
    /// A key created by the previous request, shown this once.
    pub new_key: Option<String>,
    pub can_configure: bool,
    pub smtp_configured: bool,
    pub analyzer: AnalyzerSettingsView,
}

/// The account's analyzer settings (never the API key itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyzerSettingsView {
    /// `builtin` or `openai`.
    pub provider: String,
    pub base_url: String,
    pub model: String,
    pub has_api_key: bool,
    pub timeout_secs: i32,
}

/// The settings; takes (and so clears) a just-created key from the session.
#[server(endpoint = "get_settings", output = crate::api::Json)]
pub async fn get_settings() -> Result<SettingsView, AppError> {
    use crate::auth::{NEW_KEY_FLASH, member, services, session};
    let member = member().await?;
    let services = services()?;
    let account = backend::identity::accounts::get(&services.db, &member.tenant).await?;
    let keys = backend::identity::api_keys::list(&services.db, &member.tenant)
        .await?
        .into_iter()
        .map(|k| KeyItem {
            id: k.id.to_string(),
            name: k.name,
            prefix: k.prefix,
            created: super::fmt::time(k.created_at),
            last_used: k.last_used_at.map(super::fmt::time),
            revoked: k.revoked_at.map(super::fmt::time),
        })
        .collect();
    let new_key = session().await?.remove::<String>(NEW_KEY_FLASH).await.ok().flatten();
    let analyzer = backend::analyzers::view(&services.db, &member.tenant).await?;
    Ok(SettingsView {
        account_name: account.name,
        auto_create_agents: account.auto_create_agents,
        inbound_signing: account.inbound_signing_secret.is_some(),
        keys,
        new_key,
        can_configure: member.role.can_configure(),
        smtp_configured: !services.mailer.is_outbox(),
        analyzer: AnalyzerSettingsView {
            provider: analyzer.provider,
            base_url: analyzer.base_url,
            model: analyzer.model,
            has_api_key: analyzer.has_api_key,
            timeout_secs: analyzer.timeout_secs,
        },
    })
}

/// Saves the analyzer settings (admins). An empty `api_key` keeps the stored key;
/// `clear_api_key` forgets it.
#[server(endpoint = "save_analyzer", output = crate::api::Json)]
pub async fn save_analyzer(
    provider: String,
    base_url: Option<String>,
    model: Option<String>,
    api_key: Option<String>,
    clear_api_key: Option<String>,
    timeout_secs: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let timeout_secs = match timeout_secs.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => backend::analyzers::DEFAULT_TIMEOUT_SECS,
        Some(t) => t.parse().map_err(|_| AppError::Invalid {
            field: "timeout_secs".into(),
            message: "must be a whole number of seconds".into(),
        })?,
    };
    backend::analyzers::save(
        &services,
        &member.into(),
        backend::analyzers::AnalyzerInput {
            provider,
            base_url: base_url.unwrap_or_default(),
            model: model.unwrap_or_default(),
            api_key,
            clear_api_key: clear_api_key.is_some(),
            timeout_secs,
        },
    )
    .await?;
    Ok(())
}

/// Creates an API key (admins). The secret is returned and also kept in the session
/// until the settings page shows it, so it appears once with or without JavaScript.
#[server(endpoint = "create_api_key", output = crate::api::Json)]
pub async fn create_api_key(name: String) -> Result<String, AppError> {
    use crate::auth::{NEW_KEY_FLASH, member, services, session};
    let member = member().await?;
    let services = services()?;
    let created = backend::identity::api_keys::create(&services.db, &member.into(), &name).await?;
    session().await?.insert(NEW_KEY_FLASH, created.secret.clone()).await.map_err(|e| {
        tracing::error!(error = %backend::error::report(&e), "session store failed");
        AppError::Internal
    })?;
    Ok(created.secret)
}

/// Revokes an API key (admins).
#[server(endpoint = "revoke_api_key", output = crate::api::Json)]
pub async fn revoke_api_key(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::identity::api_keys::revoke(&services, &member.into(), parse_id(&id, "API key")?).await?;
    Ok(())
}

/// Turns auto-creating unknown agents on ingest on (`enabled` present) or off (admins).
#[server(endpoint = "set_auto_create_agents", output = crate::api::Json)]
pub async fn set_auto_create_agents(enabled: Option<String>) -> Result<(), AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    backend::identity::accounts::set_auto_create_agents(&services, &member, enabled.is_some()).await?;
    Ok(())
}

/// Turns signed ingest on with a new secret (returned once) or off (admins).
#[server(endpoint = "set_inbound_signing", output = crate::api::Json)]
pub async fn set_inbound_signing(enable: bool) -> Result<Option<String>, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::identity::accounts::set_inbound_signing(&services, &member, enable).await?)
}

/// An audit log entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditItem {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// One page of the account's audit log, newest first (owners and admins).
#[server(endpoint = "list_audit", output = crate::api::Json)]
pub async fn list_audit(before: Option<String>) -> Result<super::Page<AuditItem>, AppError> {
    use crate::auth::{member, parse_cursor, services};
    let member = member().await?;
    let services = services()?;
    let before = parse_cursor(before.as_deref())?;
    let rows = backend::audit::list(&services.db, &member.into(), before, super::PAGE_SIZE).await?;
    let next = super::fmt::next_cursor(rows.len(), super::PAGE_SIZE, rows.last().map(|e| e.id));
    let items = rows
        .into_iter()
        .map(|e| AuditItem {
            id: e.id.to_string(),
            at: super::fmt::time(e.at),
            actor: e.actor,
            action: e.action,
            detail: e.detail,
        })
        .collect();
    Ok(super::Page { items, next })
}
