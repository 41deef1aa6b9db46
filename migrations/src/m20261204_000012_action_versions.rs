//! Drafts and published versions of post-call actions, as notifications have: the action's
//! columns hold the live, published settings and their `version` (0 = never published, so it
//! does not run; actions stored before are version 1); dashboard edits wait in `draft`
//! (sealed: it holds the URL and credentials); every publication is kept, sealed, in
//! `post_call_action_versions`; and each webhook delivery records the version it used.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{ActionVersionColumns, PostCallActionVersions, PostCallActions, WebhookDeliveries};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in
            [integer(ActionVersionColumns::Version).default(1).to_owned(), text_null(ActionVersionColumns::Draft)]
        {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(PostCallActions::Table).add_column(&mut column).to_owned())
                .await?;
        }
        let mut used = integer_null(ActionVersionColumns::ActionVersion);
        manager.alter_table(Table::alter().table(WebhookDeliveries::Table).add_column(&mut used).to_owned()).await?;
        manager
            .create_table(
                Table::create()
                    .table(PostCallActionVersions::Table)
                    .col(pk_uuid(PostCallActionVersions::Id))
                    .col(uuid(PostCallActionVersions::AccountId))
                    .col(uuid(PostCallActionVersions::ActionId))
                    .col(integer(PostCallActionVersions::Version))
                    .col(text(PostCallActionVersions::Settings))
                    .col(uuid_null(PostCallActionVersions::CreatedBy))
                    .col(timestamp_with_time_zone(PostCallActionVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PostCallActionVersions::Table, PostCallActionVersions::ActionId)
                            .to(PostCallActions::Table, PostCallActions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("post_call_action_versions_action_version")
                    .table(PostCallActionVersions::Table)
                    .col(PostCallActionVersions::ActionId)
                    .col(PostCallActionVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PostCallActionVersions::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookDeliveries::Table)
                    .drop_column(ActionVersionColumns::ActionVersion)
                    .to_owned(),
            )
            .await?;
        for column in [ActionVersionColumns::Draft, ActionVersionColumns::Version] {
            manager.alter_table(Table::alter().table(PostCallActions::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
