//! Aftercall's database schema as an ordered list of sea-orm-migration changes.
//!
//! Migrations name their tables and columns through [`iden`] rather than the backend's
//! entities, so an old migration keeps meaning what it meant when the entities change.
//! Every tenant-owned table carries `account_id NOT NULL` with an index whose first
//! column is `account_id`.

pub use sea_orm_migration::prelude::*;

mod iden;
mod m20261121_000001_identity;
mod m20261121_000002_agents_notifications;
mod m20261121_000003_conversations;
mod m20261121_000004_followups;
mod m20261121_000005_jobs_emails;
mod m20261122_000006_analysis_config;
mod m20261122_000007_team;
mod m20261123_000008_delivery;
mod m20261201_000009_trust;
mod m20261202_000010_integrations;
mod m20261203_000011_request_actions;
mod m20261204_000012_action_versions;
mod m20261205_000013_digests;
mod m20261206_000014_search;
mod m20261207_000015_job_claims;
mod m20261207_000016_conversation_reads;
mod m20261207_000017_search_prefixes;
mod m20261207_000018_list_times;

/// The ordered list of schema changes; `aftercall migrate` and `aftercall serve` apply it.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_identity::Migration),
            Box::new(m20261121_000002_agents_notifications::Migration),
            Box::new(m20261121_000003_conversations::Migration),
            Box::new(m20261121_000004_followups::Migration),
            Box::new(m20261121_000005_jobs_emails::Migration),
            Box::new(m20261122_000006_analysis_config::Migration),
            Box::new(m20261122_000007_team::Migration),
            Box::new(m20261123_000008_delivery::Migration),
            Box::new(m20261201_000009_trust::Migration),
            Box::new(m20261202_000010_integrations::Migration),
            Box::new(m20261203_000011_request_actions::Migration),
            Box::new(m20261204_000012_action_versions::Migration),
            Box::new(m20261205_000013_digests::Migration),
            Box::new(m20261206_000014_search::Migration),
            Box::new(m20261207_000015_job_claims::Migration),
            Box::new(m20261207_000016_conversation_reads::Migration),
            Box::new(m20261207_000017_search_prefixes::Migration),
            Box::new(m20261207_000018_list_times::Migration),
        ]
    }
}

/// Runs `statements` in order on the migration's connection: the migrations that are plain
/// SQL the same on SQLite and PostgreSQL (indexes).
///
/// Errors: the first statement the database refuses.
async fn execute_each(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}
