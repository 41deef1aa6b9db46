//! HTTP request actions: a post-call action's method, its sealed headers and auth, its JSON
//! body template, and whether it is signed (existing standard webhooks stay signed).

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{PostCallActions, RequestColumns};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string(RequestColumns::Method).default("POST").to_owned(),
            text_null(RequestColumns::Request),
            text_null(RequestColumns::BodyTemplate),
            boolean(RequestColumns::Sign).default(true).to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(PostCallActions::Table).add_column(&mut column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in
            [RequestColumns::Sign, RequestColumns::BodyTemplate, RequestColumns::Request, RequestColumns::Method]
        {
            manager.alter_table(Table::alter().table(PostCallActions::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
