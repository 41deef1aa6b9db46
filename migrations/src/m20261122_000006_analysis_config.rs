//! What analysis is asked for: per-agent extraction fields and goal, per-account analyzer
//! settings, and the goal verdict on each analysis.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{Accounts, Agents, AgentsGoal, Analyses, AnalysesGoal, AnalyzerSettings, ExtractionFields};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Agents::Table).add_column(text_null(AgentsGoal::Goal)).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(Analyses::Table).add_column(string_null(AnalysesGoal::GoalResult)).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Analyses::Table)
                    .add_column(timestamp_with_time_zone_null(AnalysesGoal::ReanalysedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExtractionFields::Table)
                    .col(pk_uuid(ExtractionFields::Id))
                    .col(uuid(ExtractionFields::AccountId))
                    .col(uuid(ExtractionFields::AgentId))
                    .col(string(ExtractionFields::Name))
                    .col(string(ExtractionFields::FieldType))
                    .col(text(ExtractionFields::Description))
                    .col(json_binary(ExtractionFields::Options))
                    .col(integer(ExtractionFields::Position))
                    .col(timestamp_with_time_zone(ExtractionFields::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ExtractionFields::Table, ExtractionFields::AgentId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("extraction_fields_agent_name")
                    .table(ExtractionFields::Table)
                    .col(ExtractionFields::AgentId)
                    .col(ExtractionFields::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("extraction_fields_account")
                    .table(ExtractionFields::Table)
                    .col(ExtractionFields::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AnalyzerSettings::Table)
                    .col(uuid(AnalyzerSettings::AccountId).primary_key())
                    .col(string(AnalyzerSettings::Provider))
                    .col(string(AnalyzerSettings::BaseUrl))
                    .col(string(AnalyzerSettings::Model))
                    .col(text_null(AnalyzerSettings::ApiKey))
                    .col(integer(AnalyzerSettings::TimeoutSecs))
                    .col(timestamp_with_time_zone(AnalyzerSettings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AnalyzerSettings::Table, AnalyzerSettings::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AnalyzerSettings::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ExtractionFields::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Analyses::Table).drop_column(AnalysesGoal::ReanalysedAt).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Analyses::Table).drop_column(AnalysesGoal::GoalResult).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Agents::Table).drop_column(AgentsGoal::Goal).to_owned()).await
    }
}
