//! argon2id password hashing (OWASP-recommended defaults of the `argon2` crate).
//!
//! A hash takes tens of milliseconds of CPU on purpose, so it never runs on the async
//! runtime's threads: [`Hasher`] runs it on the blocking pool with at most
//! `auth.password_hash_concurrency` at once, and further sign-ins wait for a turn. A flood
//! of sign-ins then costs those threads, never the workers that serve ingest.

use std::sync::{Arc, LazyLock};

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// Minimum password length in characters.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Longest accepted password in characters (argon2 takes any length; this bounds the work
/// and the request).
pub const MAX_PASSWORD_LEN: usize = 256;

/// Runs password hashing on the blocking pool, a bounded number at once. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    /// At most `concurrency` hashes at once (at least 1).
    pub fn new(concurrency: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))) }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let _permit = self.permits.acquire().await.map_err(|e| Error::internal("waiting to hash a password", e))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| Error::internal("hashing a password", e))
    }

    /// [`hash`] off the async runtime.
    ///
    /// Errors: as [`hash`].
    pub async fn hash(&self, password: &str) -> Result<String> {
        check_length(password)?;
        let password = password.to_owned();
        self.run(move || hash(&password)).await?
    }

    /// [`verify`] off the async runtime; `None` verifies against [`dummy_hash`] so an
    /// unknown user costs the same time as a wrong password.
    ///
    /// Errors: only when the blocking pool is gone.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool> {
        let password = password.to_owned();
        let hash = hash.map(str::to_owned);
        self.run(move || {
            let ok = verify(&password, hash.as_deref().unwrap_or_else(|| dummy_hash()));
            ok && hash.is_some()
        })
        .await
    }
}

fn check_length(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(Error::invalid("password", format!("must be at least {MIN_PASSWORD_LEN} characters")));
    }
    if n > MAX_PASSWORD_LEN {
        return Err(Error::invalid("password", format!("must be at most {MAX_PASSWORD_LEN} characters")));
    }
    Ok(())
}

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`) with a random salt.
///
/// Blocking (tens of milliseconds of CPU): async code uses [`Hasher::hash`].
///
/// Errors: [`Error::Invalid`] on `password` when shorter than [`MIN_PASSWORD_LEN`] or longer
/// than [`MAX_PASSWORD_LEN`].
pub fn hash(password: &str) -> Result<String> {
    check_length(password)?;
    let hash: Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
    hash.map(|h| h.to_string()).map_err(|e| Error::internal("argon2 hashing", e.to_string()))
}

/// Whether `password` matches the PHC string `hash` (constant-time comparison inside argon2).
/// Blocking: async code uses [`Hasher::verify`].
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash that is verified against when the email is unknown, so a sign-in with an
/// unknown email costs the same time as one with a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        let hash: Result<PasswordHash, _> = Argon2::default().hash_password(b"aftercall-timing-equaliser");
        hash.map(|h| h.to_string()).unwrap_or_default()
    });
    &DUMMY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("correct horsE", &h));
    }

    #[test]
    fn short_passwords_are_rejected_naming_the_field() {
        match hash("short") {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "password"),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_hasher_runs_off_the_runtime_and_never_accepts_a_missing_user() {
        let hasher = Hasher::new(1);
        let h = hasher.hash("correct horse").await.unwrap();
        assert!(hasher.verify("correct horse", Some(&h)).await.unwrap());
        assert!(!hasher.verify("wrong horse!", Some(&h)).await.unwrap());
        assert!(
            !hasher.verify("aftercall-timing-equaliser", None).await.unwrap(),
            "the dummy hash's own password does not sign anyone in"
        );
        assert!(matches!(hasher.hash(&"x".repeat(MAX_PASSWORD_LEN + 1)).await, Err(Error::Invalid { .. })));
    }

    #[test]
    fn the_dummy_hash_parses_and_rejects() {
        assert!(PasswordHash::new(dummy_hash()).is_ok());
        assert!(!verify("anything", dummy_hash()));
    }
}
