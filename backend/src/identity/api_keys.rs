//! Integrator API keys: `ac_` + 43 URL-safe base64 characters (256 random bits), shown once
//! and stored as their SHA-256 hash (a high-entropy key needs no slow hash).

use base64::Engine;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::{account, api_key};
use crate::error::{Error, Result};
use crate::tenancy::{Actor, Permission, Tenant, scope, secure_find};

const KEY_PREFIX: &str = "ac_";
/// Characters of the key kept in clear to tell keys apart in the UI.
const DISPLAY_PREFIX_LEN: usize = 10;

/// A key just created: the only time its secret is available.
#[derive(Clone)]
pub struct CreatedKey {
    /// The stored row (hash only).
    pub key: api_key::Model,
    /// The full key, to show once.
    pub secret: String,
}

fn hash_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new key named `name` (trimmed, 1-80 characters) for the tenant: the row to insert and
/// the full key. Shared by [`create`] and account provisioning
/// ([`crate::identity::accounts::create_account`]'s first key).
///
/// Errors: [`Error::Invalid`] on `name`.
pub(crate) fn new_key(tenant: &Tenant, name: &str) -> Result<(api_key::ActiveModel, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Error::invalid("name", "must be 1 to 80 characters"));
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = format!("{KEY_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let row = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(tenant.account_id()),
        name: Set(name.to_owned()),
        prefix: Set(secret.chars().take(DISPLAY_PREFIX_LEN).collect()),
        key_hash: Set(hash_key(&secret)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    };
    Ok((row, secret))
}

/// Creates a key (team-management permission: owners and admins, never another key);
/// audited.
///
/// Errors: [`Error::Forbidden`]; [`Error::Invalid`] on `name`.
pub async fn create(db: &DatabaseConnection, actor: &Actor, name: &str) -> Result<CreatedKey> {
    actor.require(Permission::ManageTeam)?;
    let (row, secret) = new_key(actor.tenant(), name)?;
    let txn = crate::db::begin_write(db).await?;
    let key = row.insert(&txn).await?;
    let detail = format!("{} ({}…)", key.name, key.prefix);
    crate::audit::record(
        &txn,
        actor,
        crate::audit::action::API_KEY_CREATED,
        "api_key",
        Some(key.id.to_string()),
        detail,
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedKey { key, secret })
}

/// The tenant's keys, newest first (revoked ones included, marked).
pub async fn list(db: &DatabaseConnection, tenant: &Tenant) -> Result<Vec<api_key::Model>> {
    Ok(scope::<api_key::Entity>(tenant).order_by_desc(api_key::Column::CreatedAt).all(db).await?)
}

/// Revokes a key (team-management permission) and forgets the account's cached keys.
/// Revoking twice is a no-op.
///
/// Errors: [`Error::Forbidden`]; [`Error::NotFound`] for another tenant's key.
pub async fn revoke(services: &crate::Services, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require(Permission::ManageTeam)?;
    let db = &services.db;
    let found = secure_find::<api_key::Entity, _>(db, actor.tenant(), id).await?;
    if found.revoked_at.is_none() {
        let detail = format!("{} ({}…)", found.name, found.prefix);
        let mut active: api_key::ActiveModel = found.into();
        active.revoked_at = Set(Some(Utc::now()));
        active.update(db).await?;
        crate::audit::record(db, actor, crate::audit::action::API_KEY_REVOKED, "api_key", Some(id.to_string()), detail)
            .await?;
        services.api_keys.forget_account(actor.tenant());
    }
    Ok(())
}

/// A presented key that authenticated.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub tenant: Tenant,
    pub account: account::Model,
    /// The key's id (who acted, for the audit log).
    pub key_id: Uuid,
}

/// How long an authenticated key is remembered ([`KeyCache`]): the longest a revoked key, or
/// a changed account setting, can go on being honoured by *another* process (the process
/// that made the change forgets at once).
pub const KEY_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// Keys that authenticated recently, by the SHA-256 of the presented key, so ingest does not
/// pay a database round trip per request (issue: "the API key and account cached with
/// invalidation on change"). Only keys that authenticated are kept (a flood of wrong keys
/// cannot fill it), at most 10,000, each for [`KEY_CACHE_TTL`]. Revoking a key and changing
/// the account settings ingest reads ([`crate::identity::accounts::set_auto_create_agents`],
/// [`crate::identity::accounts::set_inbound_signing`]) call [`KeyCache::forget_account`].
#[derive(Clone)]
pub struct KeyCache {
    keys: moka::sync::Cache<String, Authenticated>,
}

impl Default for KeyCache {
    fn default() -> Self {
        Self { keys: moka::sync::Cache::builder().max_capacity(10_000).time_to_live(KEY_CACHE_TTL).build() }
    }
}

impl KeyCache {
    /// Forgets every remembered key of the account (after a revocation or a settings change).
    pub fn forget_account(&self, tenant: &Tenant) {
        let account_id = tenant.account_id();
        for (hash, found) in self.keys.iter() {
            if found.tenant.account_id() == account_id {
                self.keys.invalidate(hash.as_str());
            }
        }
    }
}

/// Resolves a presented key to its tenant and account, from the [`KeyCache`] when it
/// authenticated in the last [`KEY_CACHE_TTL`].
///
/// Records `last_used_at` at most once a minute per key, so ingest does not pay a write
/// per request.
///
/// Errors: [`Error::Unauthenticated`] for an unknown or revoked key.
pub async fn authenticate(services: &crate::Services, presented: &str) -> Result<Authenticated> {
    if !presented.starts_with(KEY_PREFIX) {
        return Err(Error::Unauthenticated);
    }
    let hash = hash_key(presented);
    if let Some(found) = services.api_keys.keys.get(&hash) {
        return Ok(found);
    }
    let db = &services.db;
    let found = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash.as_str()))
        .filter(api_key::Column::RevokedAt.is_null())
        .find_also_related(account::Entity)
        .one(db)
        .await?;
    let Some((key, Some(account))) = found else {
        return Err(Error::Unauthenticated);
    };
    let now = Utc::now();
    if key.last_used_at.is_none_or(|t| now - t > Duration::seconds(60)) {
        let mut active: api_key::ActiveModel = key.clone().into();
        active.last_used_at = Set(Some(now));
        if let Err(e) = active.update(db).await {
            tracing::warn!(error = %crate::error::report(&e), "could not record API key use");
        }
    }
    let found = Authenticated { tenant: Tenant::new(key.account_id), account, key_id: key.id };
    services.api_keys.keys.insert(hash, found.clone());
    Ok(found)
}
