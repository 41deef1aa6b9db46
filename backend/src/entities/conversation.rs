//! `conversations`: one ended call as received; unique on `(account_id, call_id)`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    /// UUIDv7: ordered by time of receipt, which keyset pagination relies on.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub agent_id: Uuid,
    pub call_id: String,
    pub status: Option<String>,
    pub direction: Option<crate::types::Direction>,
    pub channel: Option<String>,
    pub started_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    /// Seconds.
    pub duration_s: Option<f64>,
    /// One of the documented end reasons (`unknown` for values outside the set).
    pub end_reason: crate::types::EndReason,
    /// The end reason exactly as the integrator sent it.
    pub end_reason_raw: Option<String>,
    /// E.164.
    pub from_number: Option<String>,
    /// E.164.
    pub to_number: Option<String>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    /// The event's `dynamic_variables` object.
    pub dynamic_variables: crate::columns::DynamicVariables,
    /// `[{"role": "agent"|"user", "text", "start_s"?, "end_s"?}]`.
    pub transcript: crate::columns::Transcript,
    pub turn_count: i32,
    pub received_at: DateTimeUtc,
    /// The voice platform's own analysis, for calls that came through a native intake
    /// and carried one (null otherwise).
    pub platform_analysis: Option<crate::columns::PlatformAnalysis>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[cfg(test)]
impl Model {
    /// A conversation received at `received_at` with nil ids, call id `c`, an unknown end
    /// reason and every optional field empty: unit tests set what they look at.
    pub(crate) fn for_tests(received_at: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            id: Uuid::nil(),
            account_id: Uuid::nil(),
            agent_id: Uuid::nil(),
            call_id: "c".into(),
            status: None,
            direction: None,
            channel: None,
            started_at: None,
            ended_at: None,
            duration_s: None,
            end_reason: crate::types::EndReason::Unknown,
            end_reason_raw: None,
            from_number: None,
            to_number: None,
            customer_name: None,
            customer_email: None,
            dynamic_variables: Default::default(),
            transcript: Default::default(),
            turn_count: 0,
            received_at,
            platform_analysis: None,
        }
    }
}
