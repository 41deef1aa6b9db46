//! The installation key: loaded from settings or a private key file (created on first start), and checked against the database it sealed.

#[allow(unused_imports)]
use super::*;

/// The installation key, 32 bytes. Its `Debug` never shows it.
#[derive(Clone)]
pub struct InstallationKey(pub(super) [u8; 32]);

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
pub(crate) fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
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
pub(crate) fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

pub(crate) const KEY_CHECK: &str = "secrets_key_check";

pub(crate) const KEY_CHECK_PLAIN: &str = "aftercall installation key";

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
