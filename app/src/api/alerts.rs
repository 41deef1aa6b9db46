//! The signed-in member's alerts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Page;
use crate::error::AppError;

/// An alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertItem {
    pub id: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub read: bool,
    pub when: String,
}

#[cfg(feature = "ssr")]
impl From<backend::entities::alert::Model> for AlertItem {
    fn from(a: backend::entities::alert::Model) -> Self {
        AlertItem {
            id: a.id.to_string(),
            title: a.title,
            body: a.body,
            link: a.link,
            read: a.read_at.is_some(),
            when: super::fmt::time(a.created_at),
        }
    }
}

/// One page of the member's alerts, newest first.
#[server(endpoint = "list_alerts", output = crate::api::Json)]
pub async fn list_alerts(before: Option<String>) -> Result<Page<AlertItem>, AppError> {
    use crate::auth::{member, parse_cursor, services};
    let member = member().await?;
    let services = services()?;
    let before = parse_cursor(before.as_deref())?;
    let rows = backend::alerts::list(&services.db, &member, before, super::PAGE_SIZE).await?;
    let next = super::fmt::next_cursor(rows.len(), super::PAGE_SIZE, rows.last().map(|a| a.id));
    let items = rows.into_iter().map(AlertItem::from).collect();
    Ok(Page { items, next })
}

/// Marks one alert read.
#[server(endpoint = "mark_alert_read", output = crate::api::Json)]
pub async fn mark_alert_read(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::alerts::mark_read(&services.db, &member, parse_id(&id, "Alert")?).await?;
    Ok(())
}

/// Marks every alert of the member read.
#[server(endpoint = "mark_all_alerts_read", output = crate::api::Json)]
pub async fn mark_all_alerts_read() -> Result<u64, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::alerts::mark_all_read(&services.db, &member).await?)
}
