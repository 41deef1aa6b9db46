//! Authoring and the team: notification conditions, drafts and published versions, the
//! condition that stopped a run, member invitations, browser push subscriptions, and
//! installation-wide settings (the VAPID key pair).

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{
    Accounts, InstallationSettings, Invitations, NotificationRuns, NotificationRunsV2, NotificationVersions,
    Notifications, NotificationsV2, PushSubscriptions, Users,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            json_binary_null(NotificationsV2::Conditions),
            integer(NotificationsV2::Version).default(1).to_owned(),
            json_binary_null(NotificationsV2::Draft),
            uuid_null(NotificationsV2::TaskAssigneeUserId),
            integer_null(NotificationsV2::TaskDueHours),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table(Notifications::Table).add_column(&mut column).to_owned()).await?;
        }
        for column in [integer_null(NotificationRunsV2::NotificationVersion), text_null(NotificationRunsV2::StoppedBy)]
        {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(NotificationRuns::Table).add_column(&mut column).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(NotificationVersions::Table)
                    .col(pk_uuid(NotificationVersions::Id))
                    .col(uuid(NotificationVersions::AccountId))
                    .col(uuid(NotificationVersions::NotificationId))
                    .col(integer(NotificationVersions::Version))
                    .col(json_binary(NotificationVersions::Settings))
                    .col(uuid_null(NotificationVersions::CreatedBy))
                    .col(timestamp_with_time_zone(NotificationVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotificationVersions::Table, NotificationVersions::NotificationId)
                            .to(Notifications::Table, Notifications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notification_versions_notification_version")
                    .table(NotificationVersions::Table)
                    .col(NotificationVersions::NotificationId)
                    .col(NotificationVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(pk_uuid(Invitations::Id))
                    .col(uuid(Invitations::AccountId))
                    .col(string(Invitations::Email))
                    .col(string(Invitations::Role))
                    .col(string_uniq(Invitations::TokenHash))
                    .col(uuid_null(Invitations::InvitedBy))
                    .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("invitations_account")
                    .table(Invitations::Table)
                    .col(Invitations::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PushSubscriptions::Table)
                    .col(pk_uuid(PushSubscriptions::Id))
                    .col(uuid(PushSubscriptions::AccountId))
                    .col(uuid(PushSubscriptions::UserId))
                    .col(text(PushSubscriptions::Endpoint))
                    .col(string(PushSubscriptions::P256dh))
                    .col(string(PushSubscriptions::Auth))
                    .col(timestamp_with_time_zone(PushSubscriptions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushSubscriptions::Table, PushSubscriptions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("push_subscriptions_account_user")
                    .table(PushSubscriptions::Table)
                    .col(PushSubscriptions::AccountId)
                    .col(PushSubscriptions::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InstallationSettings::Table)
                    .col(string(InstallationSettings::Key).primary_key())
                    .col(text(InstallationSettings::Value))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            InstallationSettings::Table.into_iden(),
            PushSubscriptions::Table.into_iden(),
            Invitations::Table.into_iden(),
            NotificationVersions::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for column in [NotificationRunsV2::StoppedBy.into_iden(), NotificationRunsV2::NotificationVersion.into_iden()] {
            manager.alter_table(Table::alter().table(NotificationRuns::Table).drop_column(column).to_owned()).await?;
        }
        for column in [
            NotificationsV2::TaskDueHours.into_iden(),
            NotificationsV2::TaskAssigneeUserId.into_iden(),
            NotificationsV2::Draft.into_iden(),
            NotificationsV2::Version.into_iden(),
            NotificationsV2::Conditions.into_iden(),
        ] {
            manager.alter_table(Table::alter().table(Notifications::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
