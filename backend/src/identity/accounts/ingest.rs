//! An account's ingest settings: the inbound Standard Webhooks signature and auto-created agents.

#[allow(unused_imports)]
use super::*;

/// Turns signed ingest on with a new secret (returned, shown once; it replaces any earlier
/// one at once) or off (`enable` false; returns `None`). Admins only. While on, `POST
/// /api/v1/calls` must carry valid Standard Webhooks headers (see [`verify_inbound`]).
///
/// Errors: [`Error::Forbidden`] for members.
pub async fn set_inbound_signing(services: &crate::Services, member: &Member, enable: bool) -> Result<Option<String>> {
    member.require(Permission::Configure)?;
    let db = &services.db;
    let found = get(db, &member.tenant).await?;
    let secret = enable.then(crate::secrets::generate_secret);
    let aad = crate::secrets::aad("accounts", "inbound_signing_secret", found.id);
    let txn = crate::db::begin_write(db).await?;
    let mut active: account::ActiveModel = found.into();
    active.inbound_signing_secret = Set(secret.as_deref().map(|s| services.secrets.seal(&aad, s)));
    active.update(&txn).await?;
    let detail = if enable { "signed calls required (new secret)" } else { "signed calls off" };
    crate::audit::record(
        &txn,
        &crate::tenancy::Actor::Member(*member),
        crate::audit::action::SETTINGS_CHANGED,
        "settings",
        None,
        detail.to_owned(),
    )
    .await?;
    txn.commit().await?;
    services.api_keys.forget_account(&member.tenant);
    Ok(secret)
}

/// Checks a signed ingest request against the account's inbound secret (SPEC section 3):
/// `webhook-id`, `webhook-timestamp` (within 5 minutes of now) and a `webhook-signature`
/// that matches `body`, compared in constant time by the `standardwebhooks` crate. An
/// account without a secret accepts every request.
///
/// Errors: the header at fault (`webhook-id`, `webhook-timestamp` or `webhook-signature`)
/// and what is wrong with it.
pub fn verify_inbound(
    secrets: &crate::secrets::SecretBox,
    account: &account::Model,
    headers: &http::HeaderMap,
    body: &[u8],
) -> std::result::Result<(), (&'static str, String)> {
    use standardwebhooks::WebhookError as E;
    let Some(sealed) = &account.inbound_signing_secret else { return Ok(()) };
    let aad = crate::secrets::aad("accounts", "inbound_signing_secret", account.id);
    let secret = secrets.open(&aad, sealed).map_err(|e| {
        tracing::error!(error = %crate::error::report(&e), "inbound signing secret unreadable");
        ("webhook-signature", "the account's signing secret is unusable".to_owned())
    })?;
    let hook = standardwebhooks::Webhook::new(&secret)
        .map_err(|e| ("webhook-signature", format!("the account's signing secret is unusable: {e}")))?;
    hook.verify(body, headers).map_err(|e| {
        let header = |h: &str| match h {
            "id" => "webhook-id",
            "timestamp" => "webhook-timestamp",
            _ => "webhook-signature",
        };
        match e {
            E::MissingHeader(h) => {
                (header(h), format!("missing header {}: this account requires signed requests", header(h)))
            }
            E::InvalidHeader(h) => (header(h), format!("unreadable header {}", header(h))),
            E::InvalidTimestamp => ("webhook-timestamp", "must be Unix seconds".to_owned()),
            E::TimestampTooOldError | E::FutureTimestampError => {
                ("webhook-timestamp", "is more than 5 minutes from now".to_owned())
            }
            _ => ("webhook-signature", "does not match the body and the account's signing secret".to_owned()),
        }
    })
}

/// Turns auto-creating unknown agents on ingest on or off. Admins only; audited. The
/// account's cached API keys are forgotten, so ingest reads the new setting at once.
///
/// Errors: [`Error::Forbidden`] for members.
pub async fn set_auto_create_agents(services: &crate::Services, member: &Member, enabled: bool) -> Result<()> {
    member.require(Permission::Configure)?;
    let db = &services.db;
    let found = get(db, &member.tenant).await?;
    let txn = crate::db::begin_write(db).await?;
    let mut active: account::ActiveModel = found.into();
    active.auto_create_agents = Set(enabled);
    active.update(&txn).await?;
    let detail = format!("automatic agents {}", if enabled { "on" } else { "off" });
    crate::audit::record(
        &txn,
        &crate::tenancy::Actor::Member(*member),
        crate::audit::action::SETTINGS_CHANGED,
        "settings",
        None,
        detail,
    )
    .await?;
    txn.commit().await?;
    services.api_keys.forget_account(&member.tenant);
    Ok(())
}
