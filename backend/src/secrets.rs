//! Secrets at rest: credentials a tenant or the installation stores (webhook signing
//! secrets, webhook and Slack/Teams URLs, LLM API keys, the inbound signing secret, the
//! VAPID private key, the real text of account emails) are encrypted with the
//! installation key before they reach the database (OWASP ASVS 6.4.1).
//!
//! - AES-256-GCM from the maintained `aes-gcm` crate, a fresh random 96-bit nonce per
//!   value. A stored value is `enc:v1:` + base64(nonce ‖ ciphertext ‖ tag).
//! - Each value is bound to where it lives by its associated data (`table.column:row id`,
//!   see [`aad`]): a ciphertext copied into another row or column does not open.
//! - The key comes from `secrets.key` (base64 of 32 bytes; `AFTERCALL_SECRETS__KEY`) or
//!   from `secrets.key_file`, created with mode 0600 at first start when missing
//!   ([`load_or_create_key`]). A check value sealed at first start
//!   ([`verify_installation_key`]) makes a start with a different key fail with a clear
//!   message instead of failing later on every secret.
//! - Values written before encryption existed are sealed at start
//!   ([`seal_plaintext_columns`]).

use std::path::Path;
use std::sync::Arc;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use sea_orm::DatabaseConnection;

use crate::error::{Error, Result};

/// The prefix of an encrypted value.
pub const PREFIX: &str = "enc:v1:";

/// The installation key, 32 bytes. Its `Debug` never shows it.
#[derive(Clone)]
pub struct InstallationKey([u8; 32]);

impl std::fmt::Debug for InstallationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InstallationKey(redacted)")
    }
}

/// Why a text is not an installation key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("is not base64")]
    NotBase64(#[source] base64::DecodeError),
    #[error("must be 32 bytes, not {0}")]
    Length(usize),
}

impl InstallationKey {
    /// A random key (tests, and the key file written at first start).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Decodes base64 of exactly 32 bytes (surrounding whitespace ignored).
    ///
    /// Errors: [`KeyError`] saying what is wrong.
    pub fn from_base64(text: &str) -> std::result::Result<Self, KeyError> {
        let bytes = B64.decode(text.trim()).map_err(KeyError::NotBase64)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| KeyError::Length(b.len()))?;
        Ok(Self(bytes))
    }

    /// Base64 of the key (what the key file holds).
    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }
}

/// Reads the key file at `path`, or creates it with a new random key (mode 0600) when it
/// does not exist.
///
/// Errors: [`crate::StartError::KeyFile`] naming the file when it cannot be read, written
/// or parsed.
pub fn load_or_create_key(path: &Path) -> std::result::Result<InstallationKey, crate::StartError> {
    let failed = |message: &'static str, source: Option<crate::BoxError>| crate::StartError::KeyFile {
        path: path.display().to_string(),
        message,
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            InstallationKey::from_base64(&text).map_err(|e| failed("does not hold base64 of 32 bytes", Some(e.into())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = InstallationKey::generate();
            write_private(path, &format!("{}\n", key.to_base64()))
                .map_err(|e| failed("cannot be created", Some(e.into())))?;
            tracing::warn!(file = %path.display(), "created a new installation key; back it up with the database: without it stored secrets cannot be read");
            Ok(key)
        }
        Err(e) => Err(failed("cannot be read", Some(e.into()))),
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Encrypts and decrypts stored secrets with the installation key. Cheap to clone.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Arc<Aes256Gcm>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox")
    }
}

/// The associated data of a value stored in `table.column` of row `id`.
pub fn aad(table: &str, column: &str, id: impl std::fmt::Display) -> String {
    format!("{table}.{column}:{id}")
}

impl SecretBox {
    /// A box for `key`.
    pub fn new(key: &InstallationKey) -> Self {
        Self { cipher: Arc::new(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key.0))) }
    }

    /// Encrypts `plaintext` bound to `aad` (see [`aad`]) into `enc:v1:…`.
    pub fn seal(&self, aad: &str, plaintext: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        // Encryption with a valid key and nonce only fails for inputs over 64 GiB.
        let sealed =
            self.cipher.encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: aad.as_bytes() }).unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}", B64.encode(bytes))
    }

    /// [`SecretBox::seal`] for an optional value.
    pub fn seal_opt(&self, aad: &str, plaintext: Option<&str>) -> Option<String> {
        plaintext.map(|p| self.seal(aad, p))
    }

    /// Decrypts a value sealed for `aad`.
    ///
    /// Errors: [`Error::Internal`] (logged, never shown) when the value is not sealed, was
    /// sealed with another key, or belongs to another row or column.
    pub fn open(&self, aad: &str, stored: &str) -> Result<String> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Err(Error::bug(format!("{aad} is not encrypted")));
        };
        let bytes = B64.decode(encoded).map_err(|e| Error::internal(format!("{aad}: unreadable ciphertext"), e))?;
        if bytes.len() < 12 + 16 {
            return Err(Error::bug(format!("{aad}: ciphertext too short")));
        }
        let (nonce, sealed) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: aad.as_bytes() })
            .map_err(|_| {
                Error::bug(format!("{aad}: cannot be decrypted with the installation key (was secrets.key changed?)"))
            })?;
        String::from_utf8(plain).map_err(|e| Error::internal(format!("{aad}: not UTF-8"), e))
    }

    /// [`SecretBox::open`] for an optional value.
    ///
    /// Errors: as [`SecretBox::open`].
    pub fn open_opt(&self, aad: &str, stored: Option<&str>) -> Result<Option<String>> {
        stored.map(|s| self.open(aad, s)).transpose()
    }
}

const KEY_CHECK: &str = "secrets_key_check";
const KEY_CHECK_PLAIN: &str = "aftercall installation key";

/// Checks that `secrets` holds the key this database's secrets were sealed with: seals a
/// check value at first start, opens it at every later one.
///
/// Errors: [`crate::StartError::WrongInstallationKey`] when the key differs,
/// [`crate::StartError::Step`] for a database failure.
pub async fn verify_installation_key(
    db: &DatabaseConnection,
    secrets: &SecretBox,
) -> std::result::Result<(), crate::StartError> {
    use crate::entities::installation_setting;
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let step = |e: sea_orm::DbErr| crate::StartError::Step("checking the installation key", e.into());
    let aad = aad("installation_settings", "value", KEY_CHECK);
    let found = installation_setting::Entity::find_by_id(KEY_CHECK.to_owned()).one(db).await.map_err(step)?;
    match found {
        Some(row) => match secrets.open(&aad, &row.value) {
            Ok(text) if text == KEY_CHECK_PLAIN => Ok(()),
            _ => Err(crate::StartError::WrongInstallationKey),
        },
        None => {
            installation_setting::Entity::insert(installation_setting::ActiveModel {
                key: Set(KEY_CHECK.to_owned()),
                value: Set(secrets.seal(&aad, KEY_CHECK_PLAIN)),
            })
            .on_conflict_do_nothing_on([installation_setting::Column::Key])
            .exec_without_returning(db)
            .await
            .map_err(step)?;
            Ok(())
        }
    }
}

fn unsealed(value: &str) -> bool {
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

/// A new signing secret: `whsec_` + base64 of 24 random bytes (Standard Webhooks), for
/// post-call actions and an account's inbound signature.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", B64.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_place() {
        let key = InstallationKey::generate();
        let b = SecretBox::new(&key);
        let place = aad("post_call_actions", "secret", "0192");
        let stored = b.seal(&place, "whsec_abc");
        assert!(stored.starts_with(PREFIX));
        assert!(!stored.contains("whsec_abc"));
        assert_ne!(stored, b.seal(&place, "whsec_abc"), "a fresh nonce per value");
        assert_eq!(b.open(&place, &stored).unwrap(), "whsec_abc");
        assert!(b.open(&aad("post_call_actions", "secret", "0193"), &stored).is_err(), "another row");
        assert!(b.open(&aad("post_call_actions", "url", "0192"), &stored).is_err(), "another column");
        assert!(SecretBox::new(&InstallationKey::generate()).open(&place, &stored).is_err(), "another key");
        assert!(b.open(&place, "whsec_abc").is_err(), "clear text is not accepted");
        let mut tampered = stored.clone();
        tampered.replace_range(stored.len() - 4.., "AAAA");
        assert!(b.open(&place, &tampered).is_err());
    }

    #[test]
    fn keys_are_32_bytes_of_base64() {
        let key = InstallationKey::generate();
        assert_eq!(InstallationKey::from_base64(&key.to_base64()).unwrap().0, key.0);
        assert!(InstallationKey::from_base64("c2hvcnQ=").unwrap_err().to_string().contains("32 bytes"));
        assert!(InstallationKey::from_base64("%%%").is_err());
        assert_eq!(format!("{key:?}"), "InstallationKey(redacted)");
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("aftercall-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("aftercall.key");
        let created = load_or_create_key(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(load_or_create_key(&path).unwrap().0, created.0);
        std::fs::write(&path, "garbage").unwrap();
        assert!(load_or_create_key(&path).unwrap_err().to_string().contains("aftercall.key"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
