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

mod key;
pub use key::*;
mod legacy;
pub use legacy::*;

/// The prefix of an encrypted value.
pub const PREFIX: &str = "enc:v1:";

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
