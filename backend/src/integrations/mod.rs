//! Native intake for voice platforms: an account enables Vapi, Retell or ElevenLabs with
//! the platform's signing secret and gets an intake URL, unique to the account, to paste
//! into the platform. Platforms cannot add our API key to their requests, so the URL's
//! random token routes a request to its account and the platform's own signature scheme
//! authenticates it; the platform's end-of-call payload is then mapped onto the call-ended
//! event and ingested like `POST /api/v1/calls` (first end wins on the platform's call id).
//!
//! Per platform: [`retell`] (`call_ended`, `call_analyzed`; `X-Retell-Signature`),
//! [`elevenlabs`] (`post_call_transcription`; `ElevenLabs-Signature`), [`vapi`]
//! (`end-of-call-report`; `X-Vapi-Secret`, bearer or `X-Vapi-Signature`). End reasons are
//! mapped by the documented tables of [`end_reasons`]. Other events of a platform are
//! acknowledged and ignored, so the platform does not retry them.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::calls::Ingested;
use crate::calls::event::CallEnded;
use crate::entities::{account, conversation, integration};
use crate::error::{Error, Result};
use crate::tenancy::{Actor, Permission, Tenant, scope};

pub use crate::columns::{Platform, PlatformAnalysis};

pub mod elevenlabs;
pub mod end_reasons;
mod payload;
pub mod retell;
pub mod signature;
pub mod vapi;

pub use signature::SignatureError;

/// Longest accepted platform secret, in characters.
pub const MAX_SECRET_LEN: usize = 500;

/// An integration as shown to admins: never its secret.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IntegrationView {
    pub platform: Platform,
    /// The URL to paste into the platform as its webhook (server) URL:
    /// `<server.public_url>/api/v1/intake/<platform>/<token>`.
    pub intake_url: String,
    pub created_at: DateTime<Utc>,
    /// When the secret was last set.
    pub updated_at: DateTime<Utc>,
}

/// The intake URL of `token` for `platform` on this installation.
pub fn intake_url(public_url: &str, platform: Platform, token: &str) -> String {
    format!("{}/api/v1/intake/{}/{token}", public_url.trim_end_matches('/'), platform.as_str())
}

fn view(public_url: &str, row: &integration::Model) -> IntegrationView {
    IntegrationView {
        platform: row.platform,
        intake_url: intake_url(public_url, row.platform, &row.intake_token),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn aad(id: Uuid) -> String {
    crate::secrets::aad("integrations", "secret", id)
}

/// The account's integrations, by platform. Owners, admins and API keys.
///
/// Errors: [`Error::Forbidden`] for members.
pub async fn list(services: &crate::Services, actor: &Actor) -> Result<Vec<IntegrationView>> {
    actor.require(Permission::Configure)?;
    let rows = scope::<integration::Entity>(actor.tenant())
        .order_by_asc(integration::Column::Platform)
        .all(&services.db)
        .await?;
    Ok(rows.iter().map(|r| view(&services.settings.public_url, r)).collect())
}

/// Enables `platform` for the actor's account with `secret` (the Retell API key with the
/// webhook badge, the ElevenLabs webhook secret, or the Vapi credential's secret). Enabling
/// again replaces the secret at once and keeps the intake URL. Audited.
///
/// Errors: [`Error::Forbidden`] for members; [`Error::Invalid`] (`secret`) when empty or
/// over [`MAX_SECRET_LEN`] characters.
pub async fn enable(
    services: &crate::Services,
    actor: &Actor,
    platform: Platform,
    secret: &str,
) -> Result<IntegrationView> {
    actor.require(Permission::Configure)?;
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(Error::invalid("secret", "is required: the platform's signing secret"));
    }
    if secret.chars().count() > MAX_SECRET_LEN {
        return Err(Error::invalid("secret", format!("must be at most {MAX_SECRET_LEN} characters")));
    }
    let tenant = actor.tenant();
    let now = Utc::now();
    let txn = crate::db::begin_write(&services.db).await?;
    let existing =
        scope::<integration::Entity>(tenant).filter(integration::Column::Platform.eq(platform)).one(&txn).await?;
    let row = match existing {
        Some(found) => {
            let id = found.id;
            let mut active: integration::ActiveModel = found.into();
            active.secret = Set(services.secrets.seal(&aad(id), secret));
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            let id = Uuid::now_v7();
            integration::ActiveModel {
                id: Set(id),
                account_id: Set(tenant.account_id()),
                platform: Set(platform),
                intake_token: Set(crate::auth::tokens::generate()),
                secret: Set(services.secrets.seal(&aad(id), secret)),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await
            .map_err(|e| Error::unique(e, "platform", "this platform was enabled at the same moment; try again"))?
        }
    };
    crate::audit::record(
        &txn,
        actor,
        crate::audit::action::INTEGRATION_ENABLED,
        "integration",
        Some(platform.as_str().to_owned()),
        format!("{} intake enabled (secret set)", platform.label()),
    )
    .await?;
    txn.commit().await?;
    Ok(view(&services.settings.public_url, &row))
}

/// Disables `platform` for the actor's account: its intake URL stops working at once (404)
/// and its secret is deleted. Audited.
///
/// Errors: [`Error::Forbidden`] for members; [`Error::NotFound`] when it is not enabled.
pub async fn disable(services: &crate::Services, actor: &Actor, platform: Platform) -> Result<()> {
    actor.require(Permission::Configure)?;
    let txn = crate::db::begin_write(&services.db).await?;
    let deleted = integration::Entity::delete_many()
        .filter(integration::Column::AccountId.eq(actor.tenant().account_id()))
        .filter(integration::Column::Platform.eq(platform))
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound("integration"));
    }
    crate::audit::record(
        &txn,
        actor,
        crate::audit::action::INTEGRATION_DISABLED,
        "integration",
        Some(platform.as_str().to_owned()),
        format!("{} intake disabled", platform.label()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What a platform's webhook body carried.
#[derive(Clone, Debug, PartialEq)]
pub enum Mapped {
    /// An ended call, with the platform's own analysis in `platform_analysis` when it
    /// sent one.
    Call(Box<CallEnded>),
    /// Another event type (named): acknowledged, nothing stored.
    Ignored(String),
}

/// Maps a platform's webhook body (already parsed as JSON).
///
/// Errors: [`Error::Invalid`] naming the platform's field, e.g. `call.call_id`.
pub fn map(platform: Platform, body: &serde_json::Value) -> Result<Mapped> {
    match platform {
        Platform::Retell => retell::map(body),
        Platform::ElevenLabs => elevenlabs::map(body),
        Platform::Vapi => vapi::map(body),
    }
}

/// Why an intake request was refused.
#[derive(Debug)]
pub enum IntakeError {
    /// No integration has this platform and token (404; also after it was disabled).
    UnknownUrl,
    /// The platform's signature is missing, malformed, stale or wrong (401).
    Signature(SignatureError),
    /// Anything else: an invalid payload (naming the platform's field), an unknown agent,
    /// a database failure.
    Failed(Error),
}

impl From<Error> for IntakeError {
    fn from(e: Error) -> Self {
        IntakeError::Failed(e)
    }
}

/// What intake did with a request.
#[derive(Clone, Debug, PartialEq)]
pub enum IntakeOutcome {
    /// The call was stored (or had been: `duplicate`).
    Ingested(Ingested),
    /// An event type Aftercall does not take (named), acknowledged.
    Ignored(String),
}

/// The integration behind an intake URL, with its account.
async fn find(
    db: &impl ConnectionTrait,
    platform: Platform,
    token: &str,
) -> Result<Option<(integration::Model, account::Model)>> {
    let Some(row) = integration::Entity::find()
        .filter(integration::Column::Platform.eq(platform))
        .filter(integration::Column::IntakeToken.eq(token))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let account = crate::identity::accounts::get(db, &Tenant::new(row.account_id)).await?;
    Ok(Some((row, account)))
}

/// Receives one webhook request at an intake URL: finds the integration by `platform` and
/// `token`, checks the platform's signature over the raw `body` (at `now`), maps the
/// payload and ingests the call. A later event for a stored call is a duplicate that
/// changes nothing, except that the platform's analysis is attached when the conversation
/// has none yet (Retell sends it in `call_analyzed`, after `call_ended`). A refused request
/// stores nothing.
///
/// Errors: see [`IntakeError`]; `body` that is not JSON is [`Error::Invalid`] (`body`).
pub async fn receive(
    services: &crate::Services,
    platform: Platform,
    token: &str,
    headers: &http::HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> std::result::Result<IntakeOutcome, IntakeError> {
    let Some((row, account)) = find(&services.db, platform, token).await? else {
        return Err(IntakeError::UnknownUrl);
    };
    let secret = services.secrets.open(&aad(row.id), &row.secret)?;
    let checked = match platform {
        Platform::Retell => signature::verify_timestamped(&retell::SCHEME, headers, body, &secret, now),
        Platform::ElevenLabs => signature::verify_timestamped(&elevenlabs::SCHEME, headers, body, &secret, now),
        Platform::Vapi => vapi::verify(headers, body, &secret, now),
    };
    checked.map_err(IntakeError::Signature)?;
    let json: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| Error::invalid("body", format!("is not JSON: {e}")))?;
    let call = match map(platform, &json)? {
        Mapped::Ignored(kind) => return Ok(IntakeOutcome::Ignored(kind)),
        Mapped::Call(call) => *call,
    };
    let analysis = call.platform_analysis.clone();
    let tenant = Tenant::new(account.id);
    let ingested = crate::calls::ingest(services, &tenant, &account, call).await?;
    if ingested.duplicate
        && let Some(analysis) = analysis
    {
        attach_analysis(&services.db, &tenant, ingested.conversation_id, analysis).await?;
    }
    Ok(IntakeOutcome::Ingested(ingested))
}

/// Sets the platform analysis of a stored conversation that has none.
async fn attach_analysis(
    db: &impl ConnectionTrait,
    tenant: &Tenant,
    conversation_id: Uuid,
    analysis: PlatformAnalysis,
) -> Result<()> {
    conversation::Entity::update_many()
        .col_expr(conversation::Column::PlatformAnalysis, sea_orm::sea_query::Expr::value(analysis))
        .filter(conversation::Column::AccountId.eq(tenant.account_id()))
        .filter(conversation::Column::Id.eq(conversation_id))
        .filter(conversation::Column::PlatformAnalysis.is_null())
        .exec(db)
        .await?;
    Ok(())
}
