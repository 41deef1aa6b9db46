//! Settings → Integrations: the voice platforms whose own webhooks the account takes
//! (Vapi, Retell, ElevenLabs), their intake URLs, connecting and disconnecting them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A platform, enabled or not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformItem {
    /// `vapi`, `retell` or `elevenlabs`.
    pub platform: String,
    /// e.g. `Retell`.
    pub label: String,
    /// What to paste as the secret, in the platform's words.
    pub secret_hint: String,
    /// The URL to paste into the platform, when enabled.
    pub intake_url: Option<String>,
    /// When its secret was last set.
    pub updated: Option<String>,
}

/// What to paste as each platform's secret, and where it comes from.
#[cfg(feature = "ssr")]
fn secret_hint(platform: backend::integrations::Platform) -> &'static str {
    use backend::integrations::Platform;
    match platform {
        Platform::Retell => {
            "Your Retell API key — the one with the webhook badge (Retell dashboard → Settings → API Keys)."
        }
        Platform::ElevenLabs => {
            "The HMAC secret ElevenLabs shows when you create the post-call webhook (Agents Platform → Settings → Webhooks)."
        }
        Platform::Vapi => {
            "The secret of the custom credential (Bearer token or HMAC) attached to your server URL in Vapi."
        }
    }
}

/// Every platform with its state (owners and admins).
#[server(endpoint = "list_integrations", output = crate::api::Json)]
pub async fn list_integrations() -> Result<Vec<PlatformItem>, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let enabled = backend::integrations::list(&services, &member.into()).await?;
    Ok(backend::integrations::Platform::ALL
        .iter()
        .map(|&platform| {
            let on = enabled.iter().find(|i| i.platform == platform);
            PlatformItem {
                platform: platform.as_str().to_owned(),
                label: platform.label().to_owned(),
                secret_hint: secret_hint(platform).to_owned(),
                intake_url: on.map(|i| i.intake_url.clone()),
                updated: on.map(|i| super::fmt::time(i.updated_at)),
            }
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn parse_platform(platform: &str) -> Result<backend::integrations::Platform, AppError> {
    backend::integrations::Platform::parse(platform.trim())
        .map_err(|message| AppError::Invalid { field: "platform".into(), message })
}

/// Connects `platform` with its `secret` (or replaces the secret, keeping the URL);
/// answers the intake URL (admins).
#[server(endpoint = "enable_integration", output = crate::api::Json)]
pub async fn enable_integration(platform: String, secret: String) -> Result<String, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let view = backend::integrations::enable(&services, &member.into(), parse_platform(&platform)?, &secret).await?;
    Ok(view.intake_url)
}

/// Disconnects `platform`: its intake URL stops working (admins).
#[server(endpoint = "disable_integration", output = crate::api::Json)]
pub async fn disable_integration(platform: String) -> Result<(), AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    backend::integrations::disable(&services, &member.into(), parse_platform(&platform)?).await?;
    Ok(())
}
