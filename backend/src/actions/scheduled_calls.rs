//! Scheduled follow-up calls: listing and cancelling.

#[allow(unused_imports)]
use super::*;

/// The conversation's scheduled calls, soonest first.
///
/// Errors: [`Error::NotFound`] for another account's conversation.
pub async fn scheduled_calls<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    conversation_id: Uuid,
) -> Result<Vec<scheduled_call::Model>> {
    secure_find::<conversation::Entity, _>(db, tenant, conversation_id).await?;
    Ok(scope::<scheduled_call::Entity>(tenant)
        .filter(scheduled_call::Column::ConversationId.eq(conversation_id))
        .order_by_asc(scheduled_call::Column::DueAt)
        .all(db)
        .await?)
}

/// Cancels a scheduled call that has not been requested yet (work, not configuration: any
/// member or API key may). Its job then does nothing.
///
/// Errors: [`Error::NotFound`]; [`Error::Invalid`] (`state`) when it was already requested
/// or cancelled.
pub async fn cancel_scheduled_call<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<scheduled_call::Model> {
    actor.require(Permission::Work)?;
    let user = actor.user_id();
    let row = secure_find::<scheduled_call::Entity, _>(db, actor.tenant(), id).await?;
    if row.state != ScheduledCallState::Scheduled {
        return Err(Error::invalid("state", format!("the call is already {}", row.state)));
    }
    let updated = scheduled_call::Entity::update_many()
        .col_expr(scheduled_call::Column::State, sea_orm::sea_query::Expr::value(ScheduledCallState::Cancelled))
        .col_expr(scheduled_call::Column::CancelledBy, sea_orm::sea_query::Expr::value(user))
        .col_expr(scheduled_call::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(scheduled_call::Column::Id.eq(row.id))
        .filter(scheduled_call::Column::State.eq(ScheduledCallState::Scheduled))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::invalid("state", "the call was requested meanwhile"));
    }
    secure_find::<scheduled_call::Entity, _>(db, actor.tenant(), id).await
}
