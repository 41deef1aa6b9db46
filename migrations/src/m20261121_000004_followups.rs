//! Notification runs (one per conversation and enabled notification), and the in-app
//! follow-up work they create: alerts for members and tasks.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{Alerts, Conversations, NotificationRuns, Notifications, Tasks, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NotificationRuns::Table)
                    .col(pk_uuid(NotificationRuns::Id))
                    .col(uuid(NotificationRuns::AccountId))
                    .col(uuid(NotificationRuns::ConversationId))
                    .col(uuid_null(NotificationRuns::NotificationId))
                    .col(string(NotificationRuns::NotificationName))
                    .col(boolean(NotificationRuns::Fired))
                    .col(text(NotificationRuns::Reason))
                    .col(timestamp_with_time_zone(NotificationRuns::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotificationRuns::Table, NotificationRuns::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotificationRuns::Table, NotificationRuns::NotificationId)
                            .to(Notifications::Table, Notifications::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // One run per (conversation, notification): a retried analysis cannot run twice.
        manager
            .create_index(
                Index::create()
                    .name("notification_runs_conversation_notification")
                    .table(NotificationRuns::Table)
                    .col(NotificationRuns::ConversationId)
                    .col(NotificationRuns::NotificationId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notification_runs_account_notification")
                    .table(NotificationRuns::Table)
                    .col(NotificationRuns::AccountId)
                    .col(NotificationRuns::NotificationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alerts::Table)
                    .col(pk_uuid(Alerts::Id))
                    .col(uuid(Alerts::AccountId))
                    .col(uuid(Alerts::UserId))
                    .col(uuid_null(Alerts::ConversationId))
                    .col(uuid_null(Alerts::NotificationRunId))
                    .col(string(Alerts::Title))
                    .col(text(Alerts::Body))
                    .col(string(Alerts::Link))
                    .col(timestamp_with_time_zone_null(Alerts::ReadAt))
                    .col(timestamp_with_time_zone(Alerts::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Alerts::Table, Alerts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Alerts::Table, Alerts::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("alerts_account_user")
                    .table(Alerts::Table)
                    .col(Alerts::AccountId)
                    .col(Alerts::UserId)
                    .col(Alerts::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tasks::Table)
                    .col(pk_uuid(Tasks::Id))
                    .col(uuid(Tasks::AccountId))
                    .col(uuid_null(Tasks::ConversationId))
                    .col(uuid_null(Tasks::NotificationRunId))
                    .col(string(Tasks::Title))
                    .col(text(Tasks::Description))
                    .col(string(Tasks::Priority))
                    .col(string(Tasks::Status))
                    .col(uuid_null(Tasks::AssigneeUserId))
                    .col(timestamp_with_time_zone_null(Tasks::DueAt))
                    .col(timestamp_with_time_zone(Tasks::CreatedAt))
                    .col(timestamp_with_time_zone_null(Tasks::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tasks::Table, Tasks::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tasks::Table, Tasks::AssigneeUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("tasks_account_status")
                    .table(Tasks::Table)
                    .col(Tasks::AccountId)
                    .col(Tasks::Status)
                    .col(Tasks::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Tasks::Table.into_iden(), Alerts::Table.into_iden(), NotificationRuns::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
