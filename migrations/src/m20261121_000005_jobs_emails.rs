//! The durable job queue of the dispatcher and the email outbox with delivery state.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{Accounts, Conversations, Emails, Jobs, NotificationRuns};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(pk_uuid(Jobs::Id))
                    .col(uuid(Jobs::AccountId))
                    .col(string(Jobs::Kind))
                    .col(json_binary(Jobs::Payload))
                    .col(string(Jobs::State))
                    .col(integer(Jobs::Attempts))
                    .col(integer(Jobs::MaxAttempts))
                    .col(timestamp_with_time_zone(Jobs::RunAt))
                    .col(timestamp_with_time_zone_null(Jobs::LockedUntil))
                    .col(text_null(Jobs::LastError))
                    .col(timestamp_with_time_zone(Jobs::CreatedAt))
                    .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Jobs::Table, Jobs::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The claim query scans due jobs by state and time.
        manager
            .create_index(
                Index::create()
                    .name("jobs_state_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::State)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("jobs_account").table(Jobs::Table).col(Jobs::AccountId).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Emails::Table)
                    .col(pk_uuid(Emails::Id))
                    .col(uuid(Emails::AccountId))
                    .col(uuid_null(Emails::ConversationId))
                    .col(uuid_null(Emails::NotificationRunId))
                    .col(json_binary(Emails::Recipients))
                    .col(text(Emails::SubjectTemplate))
                    .col(text(Emails::BodyTemplate))
                    .col(text_null(Emails::Subject))
                    .col(text_null(Emails::TextBody))
                    .col(text_null(Emails::HtmlBody))
                    .col(string(Emails::State))
                    .col(integer(Emails::Attempts))
                    .col(text_null(Emails::LastError))
                    .col(string(Emails::MessageId))
                    .col(timestamp_with_time_zone_null(Emails::SentAt))
                    .col(timestamp_with_time_zone(Emails::CreatedAt))
                    .col(timestamp_with_time_zone(Emails::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Emails::Table, Emails::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Emails::Table, Emails::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Emails::Table, Emails::NotificationRunId)
                            .to(NotificationRuns::Table, NotificationRuns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("emails_account_id")
                    .table(Emails::Table)
                    .col(Emails::AccountId)
                    .col(Emails::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("emails_notification_run")
                    .table(Emails::Table)
                    .col(Emails::NotificationRunId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Emails::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Jobs::Table).to_owned()).await
    }
}
