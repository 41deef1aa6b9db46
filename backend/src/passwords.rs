//! argon2id password hashing (OWASP-recommended defaults of the `argon2` crate).

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

/// Minimum password length in characters.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`) with a random salt.
///
/// Errors: [`Error::Invalid`] on `password` when shorter than [`MIN_PASSWORD_LEN`].
pub fn hash(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    let hash: Result<PasswordHash, _> = Argon2::default().hash_password(password.as_bytes());
    hash.map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// Whether `password` matches the PHC string `hash` (constant-time comparison inside argon2).
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash that is verified against when the email is unknown, so a sign-in with an
/// unknown email costs the same time as one with a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        let hash: Result<PasswordHash, _> =
            Argon2::default().hash_password(b"aftercall-timing-equaliser");
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

    #[test]
    fn the_dummy_hash_parses_and_rejects() {
        assert!(PasswordHash::new(dummy_hash()).is_ok());
        assert!(!verify("anything", dummy_hash()));
    }
}
