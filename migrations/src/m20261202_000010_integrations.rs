//! Native platform intake: an account's integration per voice platform (its intake URL
//! token and the platform's sealed signing secret), and the platform's own analysis kept
//! on each conversation that came through one.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{Accounts, Conversations, IntegrationColumns, Integrations};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Integrations::Table)
                    .col(pk_uuid(Integrations::Id))
                    .col(uuid(Integrations::AccountId))
                    .col(string(Integrations::Platform))
                    .col(string_uniq(Integrations::IntakeToken))
                    .col(text(Integrations::Secret))
                    .col(timestamp_with_time_zone(Integrations::CreatedAt))
                    .col(timestamp_with_time_zone(Integrations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Integrations::Table, Integrations::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("integrations_account_platform")
                    .table(Integrations::Table)
                    .col(Integrations::AccountId)
                    .col(Integrations::Platform)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let mut analysis = json_binary_null(IntegrationColumns::PlatformAnalysis);
        manager.alter_table(Table::alter().table(Conversations::Table).add_column(&mut analysis).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Conversations::Table).drop_column(IntegrationColumns::PlatformAnalysis).to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(Integrations::Table).to_owned()).await
    }
}
