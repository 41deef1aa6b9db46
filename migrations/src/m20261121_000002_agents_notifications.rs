//! Voice agents (known by the integrator's `external_id`) and post-call notifications.
//!
//! A notification with a NULL `agent_id` applies to every agent of its account.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{Accounts, Agents, Notifications};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Agents::Table)
                    .col(pk_uuid(Agents::Id))
                    .col(uuid(Agents::AccountId))
                    .col(string(Agents::ExternalId))
                    .col(string(Agents::Name))
                    .col(string(Agents::Timezone))
                    .col(string(Agents::Language))
                    .col(timestamp_with_time_zone(Agents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Agents::Table, Agents::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("agents_account_external_id")
                    .table(Agents::Table)
                    .col(Agents::AccountId)
                    .col(Agents::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::AccountId))
                    .col(uuid_null(Notifications::AgentId))
                    .col(string(Notifications::Name))
                    .col(boolean(Notifications::Enabled))
                    .col(boolean(Notifications::TriggerAlways))
                    .col(text_null(Notifications::TriggerCondition))
                    .col(json_binary(Notifications::Recipients))
                    .col(text(Notifications::EmailSubject))
                    .col(text(Notifications::EmailBody))
                    .col(string(Notifications::TeamAlert))
                    .col(json_binary(Notifications::AlertUserIds))
                    .col(string_null(Notifications::TaskPriority))
                    .col(integer(Notifications::Position))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone(Notifications::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notifications::Table, Notifications::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notifications::Table, Notifications::AgentId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notifications_account_agent")
                    .table(Notifications::Table)
                    .col(Notifications::AccountId)
                    .col(Notifications::AgentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Notifications::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Agents::Table).to_owned()).await
    }
}
