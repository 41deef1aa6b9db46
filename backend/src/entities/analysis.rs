//! `analyses`: the analyzer's result for one conversation (at most one per conversation).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "analyses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub conversation_id: Uuid,
    pub status: crate::columns::AnalysisStatus,
    /// The analyzer's name, e.g. `builtin`.
    pub analyzer: String,
    pub summary: Option<String>,
    pub result: crate::columns::AnalysisOutput,
    pub error: Option<String>,
    /// Wall-clock milliseconds the analyzer took.
    pub latency_ms: i64,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    pub created_at: DateTimeUtc,
    /// Set when the agent has a goal.
    pub goal_result: Option<crate::columns::GoalResult>,
    /// When the analysis was last re-run from the dashboard.
    pub reanalysed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
