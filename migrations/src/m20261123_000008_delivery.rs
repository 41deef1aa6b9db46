//! Reliable delivery and post-call actions: per-agent actions (signed webhooks, Slack and
//! Teams messages, scheduled follow-up calls), webhook deliveries with a stable
//! `webhook-id`, every delivery attempt (email or webhook) with the server's reply, the
//! scheduled calls, the links that make replay possible (the job of an email, the
//! conversation of a job), and an account's optional inbound signing secret (SPEC
//! section 3: signed `POST /api/v1/calls`).

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{
    Accounts, Agents, DeliveryAttempts, DeliveryColumns, Emails, Jobs, PostCallActions, ScheduledCalls,
    WebhookDeliveries,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn account_fk<T: Iden + 'static>(table: T, column: impl Iden + 'static) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Accounts::Table, Accounts::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut job_conversation = uuid_null(DeliveryColumns::ConversationId);
        manager.alter_table(Table::alter().table(Jobs::Table).add_column(&mut job_conversation).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("jobs_conversation")
                    .table(Jobs::Table)
                    .col(DeliveryColumns::ConversationId)
                    .to_owned(),
            )
            .await?;
        let mut email_job = uuid_null(DeliveryColumns::JobId);
        manager.alter_table(Table::alter().table(Emails::Table).add_column(&mut email_job).to_owned()).await?;
        let mut inbound_secret = string_null(DeliveryColumns::InboundSigningSecret);
        manager.alter_table(Table::alter().table(Accounts::Table).add_column(&mut inbound_secret).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(PostCallActions::Table)
                    .col(pk_uuid(PostCallActions::Id))
                    .col(uuid(PostCallActions::AccountId))
                    .col(uuid(PostCallActions::AgentId))
                    .col(string(PostCallActions::Kind))
                    .col(string(PostCallActions::Name))
                    .col(boolean(PostCallActions::Enabled))
                    .col(text(PostCallActions::Url))
                    .col(string(PostCallActions::Format))
                    .col(text_null(PostCallActions::MessageTemplate))
                    .col(boolean(PostCallActions::IncludeTranscript))
                    .col(string(PostCallActions::Secret))
                    .col(string_null(PostCallActions::PreviousSecret))
                    .col(timestamp_with_time_zone_null(PostCallActions::PreviousSecretExpiresAt))
                    .col(json_binary_null(PostCallActions::Condition))
                    .col(string_null(PostCallActions::TimeField))
                    .col(integer_null(PostCallActions::FallbackDelayMinutes))
                    .col(timestamp_with_time_zone_null(PostCallActions::FailingSince))
                    .col(text_null(PostCallActions::DisabledReason))
                    .col(timestamp_with_time_zone(PostCallActions::CreatedAt))
                    .col(timestamp_with_time_zone(PostCallActions::UpdatedAt))
                    .foreign_key(&mut account_fk(PostCallActions::Table, PostCallActions::AccountId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PostCallActions::Table, PostCallActions::AgentId)
                            .to(Agents::Table, Agents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("post_call_actions_agent")
                    .table(PostCallActions::Table)
                    .col(PostCallActions::AgentId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_uuid(WebhookDeliveries::Id))
                    .col(uuid(WebhookDeliveries::AccountId))
                    .col(uuid_null(WebhookDeliveries::ActionId))
                    .col(string(WebhookDeliveries::ActionName))
                    .col(text(WebhookDeliveries::Url))
                    .col(string(WebhookDeliveries::Format))
                    .col(uuid_null(WebhookDeliveries::ConversationId))
                    .col(string(WebhookDeliveries::EventType))
                    .col(string_uniq(WebhookDeliveries::WebhookId))
                    .col(text_null(WebhookDeliveries::Payload))
                    .col(string(WebhookDeliveries::State))
                    .col(integer(WebhookDeliveries::Attempts))
                    .col(integer_null(WebhookDeliveries::LastStatus))
                    .col(text_null(WebhookDeliveries::LastError))
                    .col(uuid_null(WebhookDeliveries::JobId))
                    .col(boolean(WebhookDeliveries::Test))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::DeliveredAt))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookDeliveries::UpdatedAt))
                    .foreign_key(&mut account_fk(WebhookDeliveries::Table, WebhookDeliveries::AccountId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_account_created")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::AccountId)
                    .col(WebhookDeliveries::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_conversation")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::ConversationId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DeliveryAttempts::Table)
                    .col(pk_uuid(DeliveryAttempts::Id))
                    .col(uuid(DeliveryAttempts::AccountId))
                    .col(uuid_null(DeliveryAttempts::EmailId))
                    .col(uuid_null(DeliveryAttempts::WebhookDeliveryId))
                    .col(integer(DeliveryAttempts::Attempt))
                    .col(string(DeliveryAttempts::Outcome))
                    .col(integer_null(DeliveryAttempts::StatusCode))
                    .col(text(DeliveryAttempts::Request))
                    .col(text_null(DeliveryAttempts::Response))
                    .col(text_null(DeliveryAttempts::Error))
                    .col(big_integer(DeliveryAttempts::DurationMs))
                    .col(timestamp_with_time_zone(DeliveryAttempts::CreatedAt))
                    .foreign_key(&mut account_fk(DeliveryAttempts::Table, DeliveryAttempts::AccountId))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("delivery_attempts_email", DeliveryAttempts::EmailId),
            ("delivery_attempts_webhook_delivery", DeliveryAttempts::WebhookDeliveryId),
        ] {
            manager
                .create_index(Index::create().name(name).table(DeliveryAttempts::Table).col(column).to_owned())
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ScheduledCalls::Table)
                    .col(pk_uuid(ScheduledCalls::Id))
                    .col(uuid(ScheduledCalls::AccountId))
                    .col(uuid(ScheduledCalls::ConversationId))
                    .col(uuid_null(ScheduledCalls::ActionId))
                    .col(timestamp_with_time_zone(ScheduledCalls::DueAt))
                    .col(string(ScheduledCalls::State))
                    .col(text(ScheduledCalls::Source))
                    .col(uuid_null(ScheduledCalls::JobId))
                    .col(uuid_null(ScheduledCalls::WebhookDeliveryId))
                    .col(uuid_null(ScheduledCalls::CancelledBy))
                    .col(timestamp_with_time_zone(ScheduledCalls::CreatedAt))
                    .col(timestamp_with_time_zone(ScheduledCalls::UpdatedAt))
                    .foreign_key(&mut account_fk(ScheduledCalls::Table, ScheduledCalls::AccountId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("scheduled_calls_conversation")
                    .table(ScheduledCalls::Table)
                    .col(ScheduledCalls::ConversationId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ScheduledCalls::Table.into_table_ref(),
            DeliveryAttempts::Table.into_table_ref(),
            WebhookDeliveries::Table.into_table_ref(),
            PostCallActions::Table.into_table_ref(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager.drop_index(Index::drop().name("jobs_conversation").table(Jobs::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Jobs::Table).drop_column(DeliveryColumns::ConversationId).to_owned())
            .await?;
        manager.alter_table(Table::alter().table(Emails::Table).drop_column(DeliveryColumns::JobId).to_owned()).await?;
        manager
            .alter_table(
                Table::alter().table(Accounts::Table).drop_column(DeliveryColumns::InboundSigningSecret).to_owned(),
            )
            .await?;
        Ok(())
    }
}
