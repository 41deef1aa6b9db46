//! The home dashboard: figures per day, open tasks by priority, latest conversations and
//! alerts.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::alerts::AlertItem;
use crate::error::AppError;

/// One day of the charts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayView {
    /// `MM-DD`.
    pub label: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub calls: u32,
    pub fired: u32,
    pub success: u32,
    pub failure: u32,
    pub unknown: u32,
}

/// A conversation in the "latest" list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestConversation {
    pub id: String,
    pub agent_name: String,
    pub who: String,
    pub when: String,
    pub end_reason: String,
    pub fired: i64,
}

/// The home dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeView {
    pub days: Vec<DayView>,
    /// `(priority, open tasks)`, urgent first.
    pub open_tasks: Vec<(String, u64)>,
    /// Goal success rate over the window, 0-1.
    pub goal_success_rate: Option<f64>,
    pub conversations: Vec<LatestConversation>,
    pub alerts: Vec<AlertItem>,
}

/// Days shown in the charts.
pub const DAYS: u32 = 14;

/// The home dashboard's figures for the last [`DAYS`] days (UTC).
#[server(endpoint = "home_overview", output = crate::api::Json)]
pub async fn home_overview() -> Result<HomeView, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let db = &services.db;
    let o = backend::dashboard::overview(db, &member.tenant, DAYS, chrono::Utc::now()).await?;
    let days = o
        .days
        .into_iter()
        .map(|d| DayView {
            label: d.date.map(|x| x.format("%m-%d").to_string()).unwrap_or_default(),
            date: d.date.map(|x| x.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            calls: d.calls,
            fired: d.fired,
            success: d.goal_success,
            failure: d.goal_failure,
            unknown: d.goal_unknown,
        })
        .collect();
    let rows = backend::conversations::list(db, &member.tenant, &Default::default(), 6).await?;
    let conversations = rows
        .into_iter()
        .map(|r| {
            let c = r.conversation;
            LatestConversation {
                id: c.id.to_string(),
                agent_name: r.agent_name,
                who: c.customer_name.clone().or(c.from_number.clone()).unwrap_or(c.call_id.clone()),
                when: super::fmt::time(c.started_at.unwrap_or(c.received_at)),
                end_reason: c.end_reason.to_string(),
                fired: r.fired,
            }
        })
        .collect();
    let alerts = backend::alerts::list(db, &member, None, 6).await?.into_iter().map(AlertItem::from).collect();
    Ok(HomeView {
        days,
        open_tasks: o.open_tasks.into_iter().map(|(p, n)| (p.as_str().to_owned(), n)).collect(),
        goal_success_rate: o.goal_success_rate,
        conversations,
        alerts,
    })
}
