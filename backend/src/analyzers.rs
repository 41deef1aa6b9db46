//! Which analyzer an account uses (Settings): the built-in offline analyzer, or an
//! OpenAI-compatible endpoint. The provider's API key is stored server-side only and is
//! never returned to the browser; the view says only whether one is set.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, sea_query::OnConflict};
use secrecy::SecretString;

use crate::analysis::Analyzer;
use crate::analysis::openai::{OpenAiAnalyzer, OpenAiSettings};
use crate::entities::analyzer_setting;
use crate::error::{Error, Result};
use crate::tenancy::{Member, Tenant};
use crate::Services;

/// Default whole-request timeout of LLM calls, in seconds.
pub const DEFAULT_TIMEOUT_SECS: i32 = 60;

/// The settings as the dashboard shows them (no key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyzerView {
    /// `builtin` or `openai`.
    pub provider: String,
    pub base_url: String,
    pub model: String,
    /// Whether an API key is stored.
    pub has_api_key: bool,
    pub timeout_secs: i32,
}

/// What saving the settings takes.
#[derive(Clone, Debug, Default)]
pub struct AnalyzerInput {
    /// `builtin` or `openai`.
    pub provider: String,
    pub base_url: String,
    pub model: String,
    /// A new key; `None` keeps the stored one.
    pub api_key: Option<String>,
    /// Forget the stored key.
    pub clear_api_key: bool,
    pub timeout_secs: i32,
}

async fn stored<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<Option<analyzer_setting::Model>> {
    Ok(analyzer_setting::Entity::find_by_id(tenant.account_id()).one(db).await?)
}

/// The tenant's analyzer settings (the built-in analyzer when none are saved).
pub async fn view<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<AnalyzerView> {
    Ok(match stored(db, tenant).await? {
        Some(s) => AnalyzerView {
            provider: s.provider,
            base_url: s.base_url,
            model: s.model,
            has_api_key: s.api_key.is_some(),
            timeout_secs: s.timeout_secs,
        },
        None => AnalyzerView {
            provider: "builtin".to_owned(),
            base_url: String::new(),
            model: String::new(),
            has_api_key: false,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        },
    })
}

/// Saves the analyzer settings.
///
/// Errors: [`Error::Invalid`] naming `provider`, `base_url`, `model` or `timeout_secs`.
pub async fn save_for_tenant(db: &DatabaseConnection, tenant: &Tenant, input: AnalyzerInput) -> Result<AnalyzerView> {
    let provider = input.provider.trim().to_ascii_lowercase();
    if provider != "builtin" && provider != "openai" {
        return Err(Error::invalid("provider", "must be builtin or openai"));
    }
    let base_url = input.base_url.trim().trim_end_matches('/').to_owned();
    let model = input.model.trim().to_owned();
    if provider == "openai" {
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) || base_url.len() > 500 {
            return Err(Error::invalid("base_url", "must be an http:// or https:// URL, e.g. https://api.openai.com/v1"));
        }
        if model.is_empty() || model.len() > 200 {
            return Err(Error::invalid("model", "is required, e.g. gpt-4o-mini"));
        }
    }
    if !(5..=600).contains(&input.timeout_secs) {
        return Err(Error::invalid("timeout_secs", "must be 5 to 600 seconds"));
    }
    let previous = stored(db, tenant).await?;
    let api_key = match (input.api_key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()), input.clear_api_key) {
        (Some(new), _) => Some(new),
        (None, true) => None,
        (None, false) => previous.and_then(|p| p.api_key),
    };
    let row = analyzer_setting::ActiveModel {
        account_id: Set(tenant.account_id()),
        provider: Set(provider),
        base_url: Set(base_url),
        model: Set(model),
        api_key: Set(api_key),
        timeout_secs: Set(input.timeout_secs),
        updated_at: Set(Utc::now()),
    };
    analyzer_setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(analyzer_setting::Column::AccountId)
                .update_columns([
                    analyzer_setting::Column::Provider,
                    analyzer_setting::Column::BaseUrl,
                    analyzer_setting::Column::Model,
                    analyzer_setting::Column::ApiKey,
                    analyzer_setting::Column::TimeoutSecs,
                    analyzer_setting::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    view(db, tenant).await
}

/// Saves from the dashboard; admins only.
pub async fn save(db: &DatabaseConnection, member: &Member, input: AnalyzerInput) -> Result<AnalyzerView> {
    member.require_admin()?;
    save_for_tenant(db, &member.tenant, input).await
}

/// The analyzer the tenant's calls use.
///
/// Errors: [`Error::Internal`] when the saved provider cannot be set up.
pub async fn for_tenant(services: &Services, tenant: &Tenant) -> Result<Arc<dyn Analyzer>> {
    match stored(&services.db, tenant).await? {
        Some(s) if s.provider == "openai" => {
            let analyzer = OpenAiAnalyzer::new(OpenAiSettings {
                base_url: s.base_url,
                model: s.model,
                api_key: s.api_key.map(SecretString::from),
                connect_timeout: Duration::from_secs(10),
                request_timeout: Duration::from_secs(u64::try_from(s.timeout_secs).unwrap_or(60)),
                max_attempts: 3,
                retry_base: Duration::from_secs(1),
            })
            .map_err(Error::Internal)?;
            Ok(Arc::new(analyzer))
        }
        _ => Ok(services.analyzer.clone()),
    }
}
