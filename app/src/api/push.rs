//! Browser push opt-in: the installation's VAPID public key, saving and removing this
//! browser's subscription, and a test alert.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the push card needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushState {
    /// The VAPID public key (URL-safe base64), the `applicationServerKey`.
    pub public_key: String,
    /// Endpoints of the member's subscribed browsers.
    pub endpoints: Vec<String>,
}

/// The VAPID key and the member's subscriptions.
#[server(endpoint = "push_status", output = crate::api::Json)]
pub async fn push_status() -> Result<PushState, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let public_key = backend::delivery::push::vapid_public_key(&services.db, &services.secrets).await?;
    let endpoints = backend::delivery::push::subscriptions_of(&services.db, &member.tenant, member.user_id)
        .await?
        .into_iter()
        .map(|s| s.endpoint)
        .collect();
    Ok(PushState { public_key, endpoints })
}

/// Saves this browser's subscription: `subscription` is `PushSubscription.toJSON()` as text.
#[server(endpoint = "subscribe_push", output = crate::api::Json)]
pub async fn subscribe_push(subscription: String) -> Result<(), AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let input: backend::delivery::push::SubscriptionInput = serde_json::from_str(&subscription)
        .map_err(|e| AppError::Invalid { field: "subscription".into(), message: e.to_string() })?;
    backend::delivery::push::subscribe(&services, &member, input).await?;
    Ok(())
}

/// Removes the subscription with `endpoint`.
#[server(endpoint = "unsubscribe_push", output = crate::api::Json)]
pub async fn unsubscribe_push(endpoint: String) -> Result<bool, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::delivery::push::unsubscribe(&services.db, &member, &endpoint).await?)
}

/// Sends the member a test alert (live and by push).
#[server(endpoint = "send_test_alert", output = crate::api::Json)]
pub async fn send_test_alert() -> Result<(), AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    backend::alerts::create_test(&services, &member).await?;
    Ok(())
}

/// Registers `/sw.js`, asks for notification permission, subscribes with the VAPID key
/// and returns `PushSubscription.toJSON()` as text.
///
/// Errors: a sentence for the user (permission refused, no push service reachable, …).
#[cfg(feature = "hydrate")]
pub async fn browser_subscribe(public_key: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let describe = |e: wasm_bindgen::JsValue| -> String {
        e.dyn_ref::<js_sys::Error>()
            .map(|err| String::from(err.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "unknown error".to_owned())
    };
    let window = web_sys::window().ok_or("no window")?;
    let permission =
        JsFuture::from(web_sys::Notification::request_permission().map_err(describe)?).await.map_err(describe)?;
    if permission.as_string().as_deref() != Some("granted") {
        return Err("Notifications are blocked for this site in the browser's settings.".to_owned());
    }
    let container = window.navigator().service_worker();
    JsFuture::from(container.register("/sw.js")).await.map_err(describe)?;
    let ready: web_sys::ServiceWorkerRegistration =
        JsFuture::from(container.ready().map_err(describe)?).await.map_err(describe)?.unchecked_into();
    let key = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(public_key.trim_end_matches('='))
            .map_err(|e| e.to_string())?
    };
    let options = web_sys::PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    options.set_application_server_key(&js_sys::Uint8Array::from(key.as_slice()));
    let manager = ready.push_manager().map_err(describe)?;
    let subscription: web_sys::PushSubscription =
        JsFuture::from(manager.subscribe_with_options(&options).map_err(describe)?)
            .await
            .map_err(describe)?
            .unchecked_into();
    let json = subscription.to_json().map_err(describe)?;
    js_sys::JSON::stringify(&json).map(String::from).map_err(describe)
}
