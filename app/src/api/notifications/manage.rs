//! List and version actions: publish, discard the draft, restore a version, turn on or off,
//! duplicate, delete, reorder.

#[allow(unused_imports)]
use super::*;

/// Publishes the stored draft of notification `id`.
#[server(endpoint = "publish_notification", output = crate::api::Json)]
pub async fn publish_notification(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let n = backend::notifications::publish_draft(&services.db, &member, parse_id(&id, "Notification")?).await?;
    leptos_axum::redirect(&format!("/notifications/{}?saved=published", n.id));
    Ok(())
}

/// Discards the draft of notification `id` (deleting a never-published one).
#[server(endpoint = "discard_notification_draft", output = crate::api::Json)]
pub async fn discard_notification_draft(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    match backend::notifications::discard_draft(&services.db, &member, parse_id(&id, "Notification")?).await? {
        Some(n) => leptos_axum::redirect(&format!("/notifications/{}", n.id)),
        None => leptos_axum::redirect("/notifications"),
    }
    Ok(())
}

/// Loads published `version` of notification `id` into its draft.
#[server(endpoint = "restore_notification_version", output = crate::api::Json)]
pub async fn restore_notification_version(id: String, version: i32) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let n =
        backend::notifications::restore_version(&services.db, &member, parse_id(&id, "Notification")?, version).await?;
    leptos_axum::redirect(&format!("/notifications/{}?saved=restored", n.id));
    Ok(())
}

/// Turns notification `id` on (`enabled` = `true`) or off.
#[server(endpoint = "set_notification_enabled", output = crate::api::Json)]
pub async fn set_notification_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::notifications::set_enabled(&services.db, &member, parse_id(&id, "Notification")?, enabled).await?;
    Ok(())
}

/// Copies notification `id` as a disabled notification and opens the copy.
#[server(endpoint = "duplicate_notification", output = crate::api::Json)]
pub async fn duplicate_notification(id: String) -> Result<String, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let copy = backend::notifications::duplicate(&services.db, &member, parse_id(&id, "Notification")?).await?;
    leptos_axum::redirect(&format!("/notifications/{}", copy.id));
    Ok(copy.id.to_string())
}

/// Deletes notification `id`.
#[server(endpoint = "delete_notification", output = crate::api::Json)]
pub async fn delete_notification(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::notifications::delete(&services.db, &member, parse_id(&id, "Notification")?).await?;
    Ok(())
}

/// Moves notification `id` up or down (`direction` = `up` | `down`) in the list of `agent_id`
/// (empty = the account's whole list).
#[server(endpoint = "move_notification", output = crate::api::Json)]
pub async fn move_notification(id: String, agent_id: Option<String>, direction: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let agent = match agent_id.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_id(a, "Agent")?),
        None => None,
    };
    backend::notifications::reorder(&services.db, &member, parse_id(&id, "Notification")?, agent, direction == "up")
        .await?;
    Ok(())
}
