//! `jobs`: the dispatcher's durable queue.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// The job type's `KIND`, e.g. `AnalyzeCall`.
    pub kind: String,
    pub payload: Json,
    pub state: crate::columns::JobState,
    /// Attempts started so far (incremented when claimed).
    pub attempts: i32,
    pub max_attempts: i32,
    /// Not before this time.
    pub run_at: DateTimeUtc,
    /// While `running`: the lease; after it a crashed worker's job is claimed again.
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    /// The conversation the job works for, when there is one (replaying a conversation's dead jobs).
    pub conversation_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
