//! List actions on notifications: enable, duplicate, delete and reorder.

#[allow(unused_imports)]
use super::*;

/// Turns notification `id` on or off at once (not a versioned change; the draft follows);
/// admins only.
pub async fn set_enabled(
    db: &DatabaseConnection,
    member: &Member,
    id: Uuid,
    enabled: bool,
) -> Result<notification::Model> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    let draft = draft_of(&found);
    let mut active: notification::ActiveModel = found.into();
    active.enabled = Set(enabled);
    if let Some(mut d) = draft {
        d.settings.enabled = enabled;
        active.draft = Set(Some(d));
    }
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin_write(db).await?;
    let saved = active.update(&txn).await?;
    let what = if enabled { audit::action::NOTIFICATION_ENABLED } else { audit::action::NOTIFICATION_DISABLED };
    audit::record(&txn, &Actor::Member(*member), what, "notification", Some(saved.id.to_string()), saved.name.clone())
        .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Copies notification `id` (its editable settings) as a new, disabled notification
/// named "… (copy)", published so that enabling it is all it takes; admins only.
pub async fn duplicate(db: &DatabaseConnection, member: &Member, id: Uuid) -> Result<notification::Model> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    let Draft { agent_id, mut settings } = editable(&found);
    let mut name = format!("{} (copy)", settings.name);
    if name.chars().count() > 120 {
        name = name.chars().take(120).collect();
    }
    settings.name = name;
    settings.enabled = false;
    create(db, &Actor::Member(*member), agent_id, settings, Save::Publish).await
}

/// Deletes notification `id` and its versions; admins only. Past runs keep their name and
/// version (their `notification_id` becomes NULL).
pub async fn delete(db: &DatabaseConnection, member: &Member, id: Uuid) -> Result<()> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    let txn = crate::db::begin_write(db).await?;
    audit::record(
        &txn,
        &Actor::Member(*member),
        audit::action::NOTIFICATION_DELETED,
        "notification",
        Some(id.to_string()),
        found.name.clone(),
    )
    .await?;
    notification_version::Entity::delete_many()
        .filter(notification_version::Column::AccountId.eq(member.tenant.account_id()))
        .filter(notification_version::Column::NotificationId.eq(id))
        .exec(&txn)
        .await?;
    notification_run::Entity::update_many()
        .col_expr(notification_run::Column::NotificationId, sea_orm::sea_query::Expr::value(Option::<Uuid>::None))
        .filter(notification_run::Column::AccountId.eq(member.tenant.account_id()))
        .filter(notification_run::Column::NotificationId.eq(id))
        .exec(&txn)
        .await?;
    notification::Entity::delete_many()
        .filter(notification::Column::AccountId.eq(member.tenant.account_id()))
        .filter(notification::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Moves notification `id` one place earlier (`up`) or later in the list that applies to
/// `agent_id` (`None` = the account's whole list), swapping with its neighbour; admins only.
/// Order decides the order of runs, emails and alerts of one call.
pub async fn reorder(
    db: &DatabaseConnection,
    member: &Member,
    id: Uuid,
    agent_id: Option<Uuid>,
    up: bool,
) -> Result<()> {
    member.require(Permission::Configure)?;
    get(db, &member.tenant, id).await?;
    let txn = crate::db::begin_write(db).await?;
    let rows = list(&txn, &member.tenant, agent_id).await?;
    let Some(at) = rows.iter().position(|n| n.id == id) else {
        return Err(Error::NotFound("notification"));
    };
    let other = if up { at.checked_sub(1) } else { (at + 1 < rows.len()).then_some(at + 1) };
    if let Some(other) = other {
        // Distinct positions first (older rows could share one), then swap.
        let mut positions: Vec<i32> = rows.iter().map(|n| n.position).collect();
        for i in 1..positions.len() {
            if positions[i] <= positions[i - 1] {
                positions[i] = positions[i - 1] + 1;
            }
        }
        positions.swap(at, other);
        for (n, position) in rows.into_iter().zip(positions) {
            if n.position != position {
                let mut active: notification::ActiveModel = n.into();
                active.position = Set(position);
                active.update(&txn).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}
