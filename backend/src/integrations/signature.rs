//! The pieces the platforms' signature schemes share: HMAC-SHA256 checked in constant time,
//! `k=v,k=v` signature headers, and a replay window around a signed timestamp.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// A rejected signature: the header at fault and what is wrong with it (answered 401).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureError {
    /// The request header to blame, lower-case, e.g. `x-retell-signature`.
    pub header: &'static str,
    pub message: String,
}

impl SignatureError {
    pub(crate) fn new(header: &'static str, message: impl Into<String>) -> Self {
        Self { header, message: message.into() }
    }
}

/// The header's value as text when sent, or an error naming it when it is not ASCII.
pub(crate) fn optional_header<'a>(
    headers: &'a http::HeaderMap,
    name: &'static str,
) -> Result<Option<&'a str>, SignatureError> {
    headers
        .get(name)
        .map(|v| v.to_str().map(str::trim).map_err(|_| SignatureError::new(name, format!("unreadable header {name}"))))
        .transpose()
}

/// The header's value as text, or an error naming it (missing or not ASCII).
pub(crate) fn header<'a>(headers: &'a http::HeaderMap, name: &'static str) -> Result<&'a str, SignatureError> {
    optional_header(headers, name)?.ok_or_else(|| SignatureError::new(name, format!("missing header {name}")))
}

/// What a timestamped HMAC scheme signs.
pub(crate) enum Signed {
    /// The raw body, then the timestamp as sent (Retell).
    BodyThenTimestamp,
    /// `"<timestamp>.<raw body>"` (ElevenLabs).
    TimestampDotBody,
}

/// A signature header of the form `<ts>=<timestamp>,<digest>=<hex HMAC-SHA256>`.
pub(crate) struct TimestampedScheme {
    /// The header, lower-case.
    pub header: &'static str,
    /// The key of the timestamp part, e.g. `v` or `t`.
    pub timestamp: &'static str,
    /// The key of the digest part, e.g. `d` or `v0`.
    pub digest: &'static str,
    /// Whether the timestamp is in milliseconds (else seconds).
    pub millis: bool,
    /// How far the timestamp may be from now, in seconds.
    pub window_s: i64,
    pub signed: Signed,
    /// What the secret is called in errors, e.g. `the Retell API key`.
    pub secret_name: &'static str,
}

/// Checks a [`TimestampedScheme`] header against `body` and `secret` at `now`: the format,
/// the digest (constant time), then the replay window.
pub(crate) fn verify_timestamped(
    scheme: &TimestampedScheme,
    headers: &http::HeaderMap,
    body: &[u8],
    secret: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), SignatureError> {
    let value = header(headers, scheme.header)?;
    let unit = if scheme.millis { "Unix ms" } else { "Unix seconds" };
    let bad = || {
        SignatureError::new(
            scheme.header,
            format!("must be {}=<{unit}>,{}=<hex HMAC-SHA256>", scheme.timestamp, scheme.digest),
        )
    };
    let timestamp = part(value, scheme.timestamp).ok_or_else(bad)?;
    let digest = part(value, scheme.digest).ok_or_else(bad)?;
    let signed_at: i64 = timestamp.parse().map_err(|_| bad())?;
    let message: [&[u8]; 3] = match scheme.signed {
        Signed::BodyThenTimestamp => [body, timestamp.as_bytes(), b""],
        Signed::TimestampDotBody => [timestamp.as_bytes(), b".", body],
    };
    if !hmac_sha256_matches(secret.as_bytes(), &message, digest) {
        return Err(SignatureError::new(scheme.header, format!("does not match the body and {}", scheme.secret_name)));
    }
    let signed_ms = if scheme.millis { signed_at } else { signed_at.saturating_mul(1000) };
    within_window(scheme.header, signed_ms, now, scheme.window_s)
}

/// The value of `key` in a `k=v,k=v` header, e.g. `d` in `v=1700000000000,d=ab12…`.
pub(crate) fn part<'a>(value: &'a str, key: &str) -> Option<&'a str> {
    value.split(',').filter_map(|kv| kv.trim().split_once('=')).find(|(k, _)| k.trim() == key).map(|(_, v)| v.trim())
}

/// Whether `signature_hex` is the hex HMAC-SHA256 of `message` under `key`, compared in
/// constant time (`Mac::verify_slice`). Malformed hex is simply a mismatch.
pub(crate) fn hmac_sha256_matches(key: &[u8], message: &[&[u8]], signature_hex: &str) -> bool {
    let Ok(expected) = hex::decode(signature_hex.trim()) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return false };
    for piece in message {
        mac.update(piece);
    }
    mac.verify_slice(&expected).is_ok()
}

/// The hex HMAC-SHA256 of `message` under `key` (what a platform sends; tests sign with it).
pub fn hmac_sha256_hex(key: &[u8], message: &[&[u8]]) -> String {
    // HMAC takes keys of any length: the error cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return String::new() };
    for piece in message {
        mac.update(piece);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Whether two shared secrets are equal, in time that does not depend on where they differ.
pub(crate) fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Checks that a signed timestamp (Unix milliseconds) lies within `window_s` seconds of
/// `now`, either way: an older request is a replay, a newer one a forged clock.
pub(crate) fn within_window(
    header: &'static str,
    signed_ms: i64,
    now: chrono::DateTime<chrono::Utc>,
    window_s: i64,
) -> Result<(), SignatureError> {
    if (now.timestamp_millis() - signed_ms).abs() > window_s * 1000 {
        return Err(SignatureError::new(
            header,
            format!("the signed timestamp is more than {} minutes from now", window_s / 60),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_only_its_own_key_and_message() {
        let sig = hmac_sha256_hex(b"key", &[b"body", b"123"]);
        assert!(hmac_sha256_matches(b"key", &[b"body123"], &sig));
        assert!(!hmac_sha256_matches(b"other", &[b"body123"], &sig));
        assert!(!hmac_sha256_matches(b"key", &[b"body124"], &sig));
        assert!(!hmac_sha256_matches(b"key", &[b"body123"], "not hex"));
    }

    #[test]
    fn parts_and_windows() {
        assert_eq!(part("v=17, d=abc", "d"), Some("abc"));
        assert_eq!(part("t=1,v0=ff", "v0"), Some("ff"));
        assert_eq!(part("t=1", "v0"), None);
        let now = chrono::DateTime::from_timestamp(1_000_000, 0).unwrap();
        assert!(within_window("h", 1_000_000_000 - 299_000, now, 300).is_ok());
        assert!(within_window("h", 1_000_000_000 - 301_000, now, 300).is_err());
        assert!(within_window("h", 1_000_000_000 + 301_000, now, 300).is_err());
        assert!(secrets_equal("abc", "abc") && !secrets_equal("abc", "abd") && !secrets_equal("abc", "ab"));
    }
}
