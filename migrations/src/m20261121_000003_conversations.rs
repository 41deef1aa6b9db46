//! Conversations (one ended call, first end wins on `(account_id, call_id)`) and their
//! analyses.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{Accounts, Agents, Analyses, Conversations};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(pk_uuid(Conversations::Id))
                    .col(uuid(Conversations::AccountId))
                    .col(uuid(Conversations::AgentId))
                    .col(string(Conversations::CallId))
                    .col(string_null(Conversations::Status))
                    .col(string_null(Conversations::Direction))
                    .col(string_null(Conversations::Channel))
                    .col(timestamp_with_time_zone_null(Conversations::StartedAt))
                    .col(timestamp_with_time_zone_null(Conversations::EndedAt))
                    .col(double_null(Conversations::DurationS))
                    .col(string(Conversations::EndReason))
                    .col(string_null(Conversations::EndReasonRaw))
                    .col(string_null(Conversations::FromNumber))
                    .col(string_null(Conversations::ToNumber))
                    .col(string_null(Conversations::CustomerName))
                    .col(string_null(Conversations::CustomerEmail))
                    .col(json_binary(Conversations::DynamicVariables))
                    .col(json_binary(Conversations::Transcript))
                    .col(integer(Conversations::TurnCount))
                    .col(timestamp_with_time_zone(Conversations::ReceivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Conversations::Table, Conversations::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Conversations::Table, Conversations::AgentId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // First end wins: the unique key that makes ingest idempotent.
        manager
            .create_index(
                Index::create()
                    .name("conversations_account_call_id")
                    .table(Conversations::Table)
                    .col(Conversations::AccountId)
                    .col(Conversations::CallId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Keyset pagination, newest first (ids are UUIDv7, ordered by time of receipt).
        manager
            .create_index(
                Index::create()
                    .name("conversations_account_id")
                    .table(Conversations::Table)
                    .col(Conversations::AccountId)
                    .col(Conversations::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_agent")
                    .table(Conversations::Table)
                    .col(Conversations::AccountId)
                    .col(Conversations::AgentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Analyses::Table)
                    .col(pk_uuid(Analyses::Id))
                    .col(uuid(Analyses::AccountId))
                    .col(uuid_uniq(Analyses::ConversationId))
                    .col(string(Analyses::Status))
                    .col(string(Analyses::Analyzer))
                    .col(text_null(Analyses::Summary))
                    .col(json_binary(Analyses::Result))
                    .col(text_null(Analyses::Error))
                    .col(big_integer(Analyses::LatencyMs))
                    .col(big_integer_null(Analyses::PromptTokens))
                    .col(big_integer_null(Analyses::CompletionTokens))
                    .col(timestamp_with_time_zone(Analyses::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Analyses::Table, Analyses::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("analyses_account").table(Analyses::Table).col(Analyses::AccountId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Analyses::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Conversations::Table).to_owned()).await
    }
}
