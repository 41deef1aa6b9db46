//! Digest notifications: `notifications.digest` (daily or hourly, at a local time; NULL =
//! an email per call) and `digests`, one row per sent period, unique per (notification,
//! period end) so that a period is sent once across restarts and workers.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{Accounts, DigestColumns, Digests, Notifications};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut digest = json_binary_null(DigestColumns::Digest);
        manager.alter_table(Table::alter().table(Notifications::Table).add_column(&mut digest).to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table(Digests::Table)
                    .col(pk_uuid(Digests::Id))
                    .col(uuid(Digests::AccountId))
                    .col(uuid(Digests::NotificationId))
                    .col(timestamp_with_time_zone(Digests::PeriodStart))
                    .col(timestamp_with_time_zone(Digests::PeriodEnd))
                    .col(uuid_null(Digests::EmailId))
                    .col(timestamp_with_time_zone(Digests::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Digests::Table, Digests::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Digests::Table, Digests::NotificationId)
                            .to(Notifications::Table, Notifications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("digests_notification_period")
                    .table(Digests::Table)
                    .col(Digests::NotificationId)
                    .col(Digests::PeriodEnd)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Digests::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Notifications::Table).drop_column(DigestColumns::Digest).to_owned())
            .await
    }
}
