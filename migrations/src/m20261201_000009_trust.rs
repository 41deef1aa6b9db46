//! Trust: confirmed email addresses and a per-user session cut-off (sessions that began
//! before it end: after a password change or reset), the account a user last worked in,
//! account emails whose real text (with a single-use link) is stored only encrypted,
//! single-use account tokens (password reset, email confirmation, email change) kept as
//! SHA-256, and the audit log of configuration changes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::iden::{AccountTokens, Accounts, AuditEntries, Emails, Memberships, TrustColumns, Users};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null(TrustColumns::EmailVerifiedAt),
            timestamp_with_time_zone_null(TrustColumns::SessionsValidAfter),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table(Users::Table).add_column(&mut column).to_owned()).await?;
        }
        // Users from before confirmation existed keep working: their addresses count as confirmed.
        manager
            .exec_stmt(
                Query::update()
                    .table(Users::Table)
                    .value(TrustColumns::EmailVerifiedAt, Expr::col(Users::CreatedAt))
                    .to_owned(),
            )
            .await?;
        let mut last_used = timestamp_with_time_zone_null(TrustColumns::LastUsedAt);
        manager.alter_table(Table::alter().table(Memberships::Table).add_column(&mut last_used).to_owned()).await?;
        let mut kind = string(TrustColumns::Kind).default("notification").to_owned();
        manager.alter_table(Table::alter().table(Emails::Table).add_column(&mut kind).to_owned()).await?;
        let mut sealed = text_null(TrustColumns::SealedBody);
        manager.alter_table(Table::alter().table(Emails::Table).add_column(&mut sealed).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(pk_uuid(AccountTokens::Id))
                    .col(uuid(AccountTokens::UserId))
                    .col(string(AccountTokens::Purpose))
                    .col(string_uniq(AccountTokens::TokenHash))
                    .col(string_null(AccountTokens::NewEmail))
                    .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AccountTokens::UsedAt))
                    .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountTokens::Table, AccountTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("account_tokens_user_purpose")
                    .table(AccountTokens::Table)
                    .col(AccountTokens::UserId)
                    .col(AccountTokens::Purpose)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEntries::Table)
                    .col(pk_uuid(AuditEntries::Id))
                    .col(uuid(AuditEntries::AccountId))
                    .col(uuid_null(AuditEntries::ActorUserId))
                    .col(uuid_null(AuditEntries::ActorApiKeyId))
                    .col(string(AuditEntries::Action))
                    .col(string(AuditEntries::TargetType))
                    .col(string_null(AuditEntries::TargetId))
                    .col(text(AuditEntries::Detail))
                    .col(timestamp_with_time_zone(AuditEntries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuditEntries::Table, AuditEntries::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("audit_entries_account_id")
                    .table(AuditEntries::Table)
                    .col(AuditEntries::AccountId)
                    .col(AuditEntries::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditEntries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(AccountTokens::Table).to_owned()).await?;
        for column in [TrustColumns::SealedBody, TrustColumns::Kind] {
            manager.alter_table(Table::alter().table(Emails::Table).drop_column(column).to_owned()).await?;
        }
        manager
            .alter_table(Table::alter().table(Memberships::Table).drop_column(TrustColumns::LastUsedAt).to_owned())
            .await?;
        for column in [TrustColumns::SessionsValidAfter, TrustColumns::EmailVerifiedAt] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
