//! Standard Webhooks verification of signed ingest: arbitrary headers and bodies are
//! refused with the header at fault (never accepted, never a panic), and a request signed
//! with the account's secret over the same body is accepted.
#![no_main]

use std::sync::LazyLock;

use backend::entities::account;
use backend::secrets::{InstallationKey, SecretBox, aad};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

static BOX: LazyLock<SecretBox> = LazyLock::new(|| SecretBox::new(&InstallationKey::generate()));

fn account() -> account::Model {
    let id = uuid::Uuid::nil();
    account::Model {
        id,
        name: "Fuzz".into(),
        auto_create_agents: true,
        created_at: chrono::Utc::now(),
        inbound_signing_secret: Some(BOX.seal(&aad("accounts", "inbound_signing_secret", id), SECRET)),
    }
}

fn pieces(data: &[u8]) -> Vec<&[u8]> {
    data.splitn(4, |b| *b == b'\n').collect()
}

fuzz_target!(|data: &[u8]| {
    let account = account();
    let parts = pieces(data);
    let body = parts.get(3).copied().unwrap_or_default();
    let mut headers = http::HeaderMap::new();
    for (name, value) in ["webhook-id", "webhook-timestamp", "webhook-signature"].into_iter().zip(parts.iter()) {
        if let Ok(v) = http::HeaderValue::from_bytes(value) {
            headers.insert(name, v);
        }
    }
    if let Err((header, message)) = backend::accounts::verify_inbound(&BOX, &account, &headers, body) {
        assert!(header.starts_with("webhook-"), "{header}");
        assert!(!message.is_empty());
    } else {
        panic!("an arbitrary signature verified");
    }
    // The same body, signed properly now, is accepted.
    let id = "msg_fuzz";
    let now = chrono::Utc::now().timestamp();
    let Ok(hook) = standardwebhooks::Webhook::new(SECRET) else { return };
    let Ok(signature) = hook.sign(id, now, body) else { return };
    let mut signed = http::HeaderMap::new();
    signed.insert("webhook-id", http::HeaderValue::from_static(id));
    signed.insert(
        "webhook-timestamp",
        http::HeaderValue::from_str(&now.to_string()).unwrap_or(http::HeaderValue::from_static("0")),
    );
    if let Ok(v) = http::HeaderValue::from_str(&signature) {
        signed.insert("webhook-signature", v);
    }
    assert!(
        backend::accounts::verify_inbound(&BOX, &account, &signed, body).is_ok(),
        "a correct signature is accepted"
    );
});
