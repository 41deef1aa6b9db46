//! One-time rewrites of data stored by versions before the trust work, run at start and
//! recorded in `installation_settings` so they run once per installation:
//!
//! - webhook deliveries (and their attempt logs) kept the endpoint's full URL — a Slack or
//!   Teams URL is the credential itself, and members read delivery logs — so they keep
//!   only [`crate::actions::display_url`] now;
//! - invitation emails kept their link in clear: they become account emails with the link
//!   hidden ([`crate::identity::members::hide_legacy_invitation_links`]).

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entities::{delivery_attempt, installation_setting, webhook_delivery};
use crate::error::Result;

const MARKER: &str = "upgrade_trust_v1";

/// Runs the rewrites unless this installation already did. Returns whether they ran.
///
/// Errors: database errors (the marker is only written once everything succeeded).
pub async fn run_once(db: &DatabaseConnection) -> Result<bool> {
    if installation_setting::Entity::find_by_id(MARKER.to_owned()).one(db).await?.is_some() {
        return Ok(false);
    }
    let mut shortened = 0;
    let mut after: Option<uuid::Uuid> = None;
    loop {
        // In pages, so a large delivery history is never loaded at once.
        let mut q = webhook_delivery::Entity::find().order_by_asc(webhook_delivery::Column::Id).limit(1000);
        if let Some(last) = after {
            q = q.filter(webhook_delivery::Column::Id.gt(last));
        }
        let page = q.all(db).await?;
        let Some(last) = page.last().map(|w| w.id) else { break };
        after = Some(last);
        for w in page {
            shortened += shorten(db, w).await?;
        }
    }
    let hidden = crate::identity::members::hide_legacy_invitation_links(db).await?;
    installation_setting::Entity::insert(installation_setting::ActiveModel {
        key: Set(MARKER.to_owned()),
        value: Set("done".to_owned()),
    })
    .on_conflict_do_nothing_on([installation_setting::Column::Key])
    .exec_without_returning(db)
    .await?;
    if shortened + hidden > 0 {
        tracing::info!(
            deliveries = shortened,
            invitations = hidden,
            "hid endpoint URLs and invitation links stored by an older version"
        );
    }
    Ok(true)
}

/// Shortens one delivery's URL and its attempt logs; returns 1 when it changed.
async fn shorten(db: &DatabaseConnection, w: webhook_delivery::Model) -> Result<usize> {
    let shown = crate::actions::display_url(&w.url);
    if shown == w.url {
        return Ok(0);
    }
    for attempt in
        delivery_attempt::Entity::find().filter(delivery_attempt::Column::WebhookDeliveryId.eq(w.id)).all(db).await?
    {
        if attempt.request.contains(&w.url) {
            let request = attempt.request.replace(&w.url, &shown);
            let mut active: delivery_attempt::ActiveModel = attempt.into();
            active.request = Set(request);
            active.update(db).await?;
        }
    }
    let mut active: webhook_delivery::ActiveModel = w.into();
    active.url = Set(shown);
    active.update(db).await?;
    Ok(1)
}
