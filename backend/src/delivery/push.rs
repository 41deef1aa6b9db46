//! Browser push alerts (Web Push): members opt in per browser; every alert then also
//! reaches their subscribed browsers with the dashboard closed.
//!
//! - RFC 8030 delivery: an HTTP POST to the push service URL the browser gave.
//! - RFC 8291 payload encryption (`aes128gcm`) and RFC 8292 VAPID signatures, both from the
//!   maintained `web-push-native` crate.
//! - The VAPID key pair is generated once per installation and kept in
//!   `installation_settings` (key [`VAPID_KEY`]); browsers subscribe with its public key.
//! - Subscriptions the push service reports gone (404, 410) are deleted; 429 and 5xx are
//!   retried by the job runner; any other answer fails that delivery.
//! - Push endpoints are addresses a browser (so, anyone signed in) chose: they are checked
//!   by the outbound policy when subscribing and sent to under it (no redirects, no
//!   internal addresses, answers read at most 2 KiB).
//! - The VAPID private key is stored encrypted with the installation key.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use web_push_native::jwt_simple::algorithms::ES256KeyPair;
use web_push_native::p256;

use crate::Services;
use crate::entities::{installation_setting, push_subscription};
use crate::error::{Error, Result};
use crate::secrets::SecretBox;
use crate::tenancy::{Member, Tenant, scope};

pub use crate::entities::installation_setting::VAPID_KEY;

/// How long a push service keeps an undelivered alert (the `TTL` header): 12 hours.
/// `web-push-native` also uses it as the VAPID token's lifetime, which RFC 8292 section 2
/// caps at 24 hours, so it stays well below that.
pub(crate) const TTL: Duration = Duration::from_secs(12 * 3600);

/// The installation's VAPID key pair, created on first use.
pub async fn vapid_key_pair<C: ConnectionTrait>(db: &C, secrets: &SecretBox) -> Result<ES256KeyPair> {
    let aad = crate::secrets::aad("installation_settings", "value", VAPID_KEY);
    let stored = installation_setting::Entity::find_by_id(VAPID_KEY.to_owned()).one(db).await?;
    let sealed = match stored {
        Some(row) => row.value,
        None => {
            let fresh = URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes());
            // Two processes may race: the first insert wins and both read it back.
            installation_setting::Entity::insert(installation_setting::ActiveModel {
                key: Set(VAPID_KEY.to_owned()),
                value: Set(secrets.seal(&aad, &fresh)),
            })
            .on_conflict_do_nothing_on([installation_setting::Column::Key])
            .exec_without_returning(db)
            .await?;
            installation_setting::Entity::find_by_id(VAPID_KEY.to_owned())
                .one(db)
                .await?
                .ok_or_else(|| Error::bug("VAPID key vanished"))?
                .value
        }
    };
    let encoded = secrets.open(&aad, &sealed)?;
    let bytes =
        URL_SAFE_NO_PAD.decode(encoded.trim()).map_err(|e| Error::internal("decoding the stored VAPID key", e))?;
    ES256KeyPair::from_bytes(&bytes).map_err(|e| Error::internal("reading the stored VAPID key", e.to_string()))
}

/// The VAPID public key browsers subscribe with: the uncompressed P-256 point, URL-safe
/// base64 without padding (the `applicationServerKey` of `pushManager.subscribe`).
pub async fn vapid_public_key<C: ConnectionTrait>(db: &C, secrets: &SecretBox) -> Result<String> {
    let pair = vapid_key_pair(db, secrets).await?;
    use web_push_native::jwt_simple::algorithms::ECDSAP256PublicKeyLike;
    Ok(URL_SAFE_NO_PAD.encode(pair.public_key().public_key().to_bytes_uncompressed()))
}

fn decode_b64(value: &str, field: &str) -> Result<Vec<u8>> {
    let trimmed = value.trim().trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(trimmed.replace('+', "-").replace('/', "_"))
        .map_err(|_| Error::invalid(field, "is not URL-safe base64"))
}

/// A browser's subscription as `PushSubscription.toJSON()` gives it:
/// `{"endpoint", "keys": {"p256dh", "auth"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionInput {
    pub endpoint: String,
    pub keys: SubscriptionKeys,
}

/// The browser's P-256 public key and auth secret, URL-safe base64.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionKeys {
    pub p256dh: String,
    pub auth: String,
}

/// Checks a push endpoint: `https://` (or `http://` where `allow_http`, for local push
/// services in tests and development), at most 2000 characters.
pub(crate) fn check_endpoint(endpoint: &str, allow_http: bool) -> Result<http::Uri> {
    let endpoint = endpoint.trim();
    if endpoint.len() > 2000 {
        return Err(Error::invalid("endpoint", "must be at most 2000 characters"));
    }
    let uri: http::Uri = endpoint.parse().map_err(|_| Error::invalid("endpoint", "is not a URL"))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_http => {}
        _ => return Err(Error::invalid("endpoint", "must be an https:// push service URL")),
    }
    if uri.host().is_none() {
        return Err(Error::invalid("endpoint", "has no host"));
    }
    Ok(uri)
}

/// Saves the member's subscription for this browser (replacing one with the same endpoint).
///
/// Errors: [`Error::Invalid`] on `endpoint`, `keys.p256dh` (not a P-256 point) or
/// `keys.auth` (not 16 bytes).
pub async fn subscribe(
    services: &Services,
    member: &Member,
    input: SubscriptionInput,
) -> Result<push_subscription::Model> {
    let db = &services.db;
    check_endpoint(&input.endpoint, services.settings.push_allow_http)?;
    services.outbound.check_url(&input.endpoint, "endpoint").await?;
    let p256dh = decode_b64(&input.keys.p256dh, "keys.p256dh")?;
    p256::PublicKey::from_sec1_bytes(&p256dh)
        .map_err(|_| Error::invalid("keys.p256dh", "is not a P-256 public key"))?;
    let auth = decode_b64(&input.keys.auth, "keys.auth")?;
    if auth.len() != 16 {
        return Err(Error::invalid("keys.auth", "must be 16 bytes"));
    }
    let endpoint = input.endpoint.trim().to_owned();
    let txn = crate::db::begin_write(db).await?;
    push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::AccountId.eq(member.tenant.account_id()))
        .filter(push_subscription::Column::UserId.eq(member.user_id))
        .filter(push_subscription::Column::Endpoint.eq(endpoint.clone()))
        .exec(&txn)
        .await?;
    let row = push_subscription::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(member.tenant.account_id()),
        user_id: Set(member.user_id),
        endpoint: Set(endpoint),
        p256dh: Set(URL_SAFE_NO_PAD.encode(p256dh)),
        auth: Set(URL_SAFE_NO_PAD.encode(auth)),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Removes the member's subscription with `endpoint` (this browser opting out); returns
/// whether one existed.
pub async fn unsubscribe<C: ConnectionTrait>(db: &C, member: &Member, endpoint: &str) -> Result<bool> {
    let result = push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::AccountId.eq(member.tenant.account_id()))
        .filter(push_subscription::Column::UserId.eq(member.user_id))
        .filter(push_subscription::Column::Endpoint.eq(endpoint.trim()))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// The subscriptions of `user_id` in the tenant.
pub async fn subscriptions_of<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    user_id: Uuid,
) -> Result<Vec<push_subscription::Model>> {
    Ok(scope::<push_subscription::Entity>(tenant).filter(push_subscription::Column::UserId.eq(user_id)).all(db).await?)
}

/// The subscriptions of several users of the tenant (for fan-out when alerts are created).
pub async fn subscriptions_of_users<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    user_ids: &[Uuid],
) -> Result<Vec<push_subscription::Model>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(scope::<push_subscription::Entity>(tenant)
        .filter(push_subscription::Column::UserId.is_in(user_ids.iter().copied()))
        .all(db)
        .await?)
}

/// The JSON a service worker receives: `{"title", "body", "url", "alert_id"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPayload {
    pub title: String,
    pub body: String,
    /// Absolute dashboard URL to open on click.
    pub url: String,
    pub alert_id: Uuid,
}

#[cfg(test)]
mod tests {
    use web_push_native::{Auth, WebPushBuilder};

    use super::*;

    #[test]
    fn endpoints_must_be_https_unless_allowed() {
        assert!(check_endpoint("https://fcm.googleapis.com/fcm/send/abc", false).is_ok());
        assert!(check_endpoint("http://127.0.0.1:9999/push", false).is_err());
        assert!(check_endpoint("http://127.0.0.1:9999/push", true).is_ok());
        assert!(check_endpoint("file:///etc/passwd", true).is_err());
        assert!(check_endpoint("not a url", true).is_err());
    }

    #[test]
    fn encrypted_payloads_decrypt_with_the_browser_key() {
        // The browser's side of RFC 8291, as a local push endpoint does it.
        let ua_secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
        let auth = Auth::clone_from_slice(&[7u8; 16]);
        let pair = ES256KeyPair::generate();
        let request =
            WebPushBuilder::new("https://push.example/x".parse().unwrap_or_default(), ua_secret.public_key(), auth)
                .with_vapid(&pair, "mailto:ops@example.com")
                .build(b"{\"title\":\"t\"}".to_vec())
                .map_err(|e| e.to_string());
        let Ok(request) = request else { panic!("build failed: {request:?}") };
        assert!(
            request.headers().get("authorization").is_some_and(|v| v.to_str().unwrap_or("").starts_with("vapid t="))
        );
        let plain = web_push_native::decrypt(request.into_body(), &ua_secret, &auth).map_err(|e| e.to_string());
        assert_eq!(plain.as_deref(), Ok(&b"{\"title\":\"t\"}"[..]));
    }
}
