//! Which analyzer an account uses (Settings): the built-in offline analyzer, or an
//! OpenAI-compatible endpoint. The provider's API key is stored encrypted with the
//! installation key and is never returned to the browser; the view says only whether one
//! is set. The base URL must pass the outbound policy, and a key is only ever sent to the
//! base URL it was entered with: changing the URL forgets the stored key unless a new one
//! comes with it (otherwise an admin could point the URL at their own server and read the
//! key another admin entered).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use secrecy::SecretString;

use crate::Services;
use crate::analysis::Analyzer;
use crate::analysis::openai::{OpenAiAnalyzer, OpenAiSettings};
use crate::columns::AnalyzerProvider;
use crate::entities::analyzer_setting;
use crate::error::{Error, Result};
use crate::tenancy::{Actor, Permission, Tenant};

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

/// How the tenant's analyzer reads trigger question `question`, for the notification editor:
/// "Built-in analyzer: checks the call for a confirmed booking" (see
/// [`crate::analysis::builtin::read_question`]), that it does not understand it (it then
/// answers Unknown and never fires), or that the AI provider configured in Settings judges
/// it. Empty for an empty question.
///
/// Errors: database errors.
pub async fn reading_of<C: ConnectionTrait>(db: &C, tenant: &Tenant, question: &str) -> Result<String> {
    if question.trim().is_empty() {
        return Ok(String::new());
    }
    Ok(match stored(db, tenant).await? {
        Some(s) if s.provider == AnalyzerProvider::OpenAi => {
            format!("Judged by the AI provider set in Settings ({}).", s.model)
        }
        _ => format!("Built-in analyzer: {}.", crate::analysis::builtin::read_question(question).describe()),
    })
}

/// The tenant's analyzer settings (the built-in analyzer when none are saved).
pub async fn view<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<AnalyzerView> {
    Ok(match stored(db, tenant).await? {
        Some(s) => AnalyzerView {
            provider: s.provider.to_string(),
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

/// Stores validated analyzer settings for the tenant and returns the new view.
///
/// Errors: [`Error::Invalid`] naming `provider`, `base_url` (also when the outbound policy
/// refuses its address), `model` or `timeout_secs`.
async fn store(services: &Services, tenant: &Tenant, input: AnalyzerInput) -> Result<AnalyzerView> {
    let db = &services.db;
    let provider = AnalyzerProvider::parse(&input.provider.trim().to_ascii_lowercase())
        .map_err(|_| Error::invalid("provider", "must be builtin or openai"))?;
    let base_url = input.base_url.trim().trim_end_matches('/').to_owned();
    let model = input.model.trim().to_owned();
    if provider == AnalyzerProvider::OpenAi {
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) || base_url.len() > 500 {
            return Err(Error::invalid(
                "base_url",
                "must be an http:// or https:// URL, e.g. https://api.openai.com/v1",
            ));
        }
        services.outbound.check_url(&base_url, "base_url").await?;
        if model.is_empty() || model.len() > 200 {
            return Err(Error::invalid("model", "is required, e.g. gpt-4o-mini"));
        }
    }
    if !(5..=600).contains(&input.timeout_secs) {
        return Err(Error::invalid("timeout_secs", "must be 5 to 600 seconds"));
    }
    let previous = stored(db, tenant).await?;
    let aad = crate::secrets::aad("analyzer_settings", "api_key", tenant.account_id());
    let same_url = previous.as_ref().is_some_and(|p| p.base_url == base_url);
    let api_key = match (input.api_key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()), input.clear_api_key) {
        (Some(new), _) => {
            if new.chars().count() > 500 {
                return Err(Error::invalid("api_key", "must be at most 500 characters"));
            }
            Some(services.secrets.seal(&aad, &new))
        }
        (None, true) => None,
        // The stored key goes only to the URL it was entered with.
        (None, false) if same_url => previous.and_then(|p| p.api_key),
        (None, false) => None,
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

/// Saves the analyzer settings (configure permission); audited without the key.
///
/// Errors: [`Error::Forbidden`]; as [`store`].
pub async fn save(services: &Services, actor: &Actor, input: AnalyzerInput) -> Result<AnalyzerView> {
    actor.require(Permission::Configure)?;
    let tenant = actor.tenant();
    let had_key = stored(&services.db, tenant).await?.is_some_and(|s| s.api_key.is_some());
    let view = store(services, tenant, input).await?;
    let key = match (had_key, view.has_api_key) {
        (false, true) => ", key set",
        (true, false) => ", key removed",
        _ => "",
    };
    let detail = if view.provider == "openai" {
        format!("analyzer: OpenAI-compatible {} at {}{key}", view.model, view.base_url)
    } else {
        format!("analyzer: built-in{key}")
    };
    crate::audit::record(&services.db, actor, crate::audit::action::SETTINGS_CHANGED, "settings", None, detail).await?;
    Ok(view)
}

/// The analyzer the tenant's calls use.
///
/// Errors: [`Error::Internal`] when the saved provider cannot be set up.
pub async fn for_tenant(services: &Services, tenant: &Tenant) -> Result<Arc<dyn Analyzer>> {
    match stored(&services.db, tenant).await? {
        Some(s) if s.provider == AnalyzerProvider::OpenAi => {
            let aad = crate::secrets::aad("analyzer_settings", "api_key", tenant.account_id());
            let api_key = services.secrets.open_opt(&aad, s.api_key.as_deref())?;
            let analyzer = OpenAiAnalyzer::new(
                OpenAiSettings {
                    base_url: s.base_url,
                    model: s.model,
                    api_key: api_key.map(SecretString::from),
                    connect_timeout: Duration::from_secs(10),
                    request_timeout: Duration::from_secs(u64::try_from(s.timeout_secs).unwrap_or(60)),
                    max_attempts: 3,
                    retry_base: Duration::from_secs(1),
                },
                services.outbound.clone(),
            )
            .map_err(|e| Error::internal("building the LLM HTTP client", e))?;
            Ok(Arc::new(analyzer))
        }
        _ => Ok(services.analyzer.clone()),
    }
}
