//! Secrets at rest: stored encrypted with the installation key and bound to their row;
//! values an older version stored in clear (and endpoint URLs and invitation links it kept
//! in logs and emails) are rewritten at start and keep working; a start with another key
//! is refused.

use reqwest::Method;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, Statement};
use serde_json::json;

use crate::delivery::{Receiver, verify};
use crate::helpers::{Db, spawn_app};

async fn text_of(db: &sea_orm::DatabaseConnection, sql: &str) -> String {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.unwrap();
    rows.iter().map(|r| r.try_get::<String>("", "t").unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_stored_encrypted_and_values_of_an_older_version_are_sealed_at_start() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let db = &app.services.db;
    let t = app.tenant("Acme").await;
    let receiver = Receiver::start(&[]).await;
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    let (_, created) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": "CRM", "url": receiver.url}),
        )
        .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    let id: uuid::Uuid = created["action"]["id"].as_str().unwrap().parse().unwrap();
    let owner = app.browser(&t).await;
    app.server_fn(
        &owner,
        "save_analyzer",
        &[
            ("provider", "openai"),
            ("base_url", "https://llm.example.com/v1"),
            ("model", "m"),
            ("api_key", "sk-live-123"),
        ],
    )
    .await;
    let (_, inbound) = app.server_fn(&owner, "set_inbound_signing", &[("enable", "true")]).await;
    let inbound = inbound.as_str().unwrap().to_owned();
    app.server_fn(&owner, "push_status", &[]).await;
    // Nothing of them is in the database in clear.
    let stored = [
        text_of(db, "SELECT url || secret AS t FROM post_call_actions").await,
        text_of(db, "SELECT api_key AS t FROM analyzer_settings").await,
        text_of(db, "SELECT inbound_signing_secret AS t FROM accounts WHERE inbound_signing_secret IS NOT NULL").await,
        text_of(db, "SELECT value AS t FROM installation_settings").await,
    ]
    .join("\n");
    for plain in [receiver.url.as_str(), &secret, "sk-live-123", &inbound] {
        assert!(!stored.contains(plain), "{plain} is stored in clear");
    }
    assert!(stored.lines().all(|l| l.is_empty() || l.contains("enc:v1:") || l == "done"), "{stored}");

    // An older version queued a delivery keeping the full URL, and wrote secrets in clear.
    let (_, sent) = app.api_send(Method::POST, &t.api_key, &format!("/api/v1/actions/{id}/test"), &json!({})).await;
    let delivery: uuid::Uuid = sent["delivery_id"].as_str().unwrap().parse().unwrap();
    let w = backend::entities::webhook_delivery::Entity::find_by_id(delivery).one(db).await.unwrap().unwrap();
    let mut legacy: backend::entities::webhook_delivery::ActiveModel = w.into();
    legacy.url = Set(receiver.url.clone());
    legacy.update(db).await.unwrap();
    let row = backend::entities::post_call_action::Entity::find_by_id(id).one(db).await.unwrap().unwrap();
    let old_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned();
    let mut active: backend::entities::post_call_action::ActiveModel = row.into();
    active.url = Set(receiver.url.clone());
    active.secret = Set(old_secret.clone());
    active.update(db).await.unwrap();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE analyzer_settings SET api_key = 'sk-old-456'".to_owned(),
    ))
    .await
    .unwrap();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "DELETE FROM installation_settings WHERE key = 'upgrade_trust_v1'".to_owned(),
    ))
    .await
    .unwrap();

    // What a start does: seal what is in clear, rewrite the old logs once.
    let sealed = backend::secrets::seal_plaintext_columns(db, &app.services.secrets).await.unwrap();
    assert_eq!(sealed, 2, "the action and the analyzer key");
    assert!(backend::upgrade::run_once(db).await.unwrap());
    assert!(!backend::upgrade::run_once(db).await.unwrap(), "once");
    let stored = text_of(db, "SELECT url || secret AS t FROM post_call_actions").await
        + &text_of(db, "SELECT api_key AS t FROM analyzer_settings").await;
    assert!(
        !stored.contains(&old_secret) && !stored.contains("sk-old-456") && !stored.contains(&receiver.url),
        "{stored}"
    );
    let w = backend::entities::webhook_delivery::Entity::find_by_id(delivery).one(db).await.unwrap().unwrap();
    assert_eq!(w.url, backend::actions::display_url(&receiver.url));
    // …and the action still works with the secret the older version had.
    app.drain().await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    verify(&old_secret, &got[0]).expect("signed with the old plaintext secret, now sealed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_with_another_installation_key_is_refused() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let other = backend::secrets::SecretBox::new(&backend::secrets::InstallationKey::generate());
    let err = backend::secrets::verify_installation_key(&app.services.db, &other).await.unwrap_err().to_string();
    assert!(err.contains("installation key") && err.contains("original key"), "{err}");
    backend::secrets::verify_installation_key(&app.services.db, &app.services.secrets).await.unwrap();
}
