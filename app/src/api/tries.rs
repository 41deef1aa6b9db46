//! *Try on recent calls* in the notification and action editors: the current draft run on
//! the agent's latest conversations through the account's analyzer; nothing is sent or
//! stored.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One tried conversation, formatted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriedItem {
    pub conversation_id: String,
    /// The caller, when and how the call ended: `+14155550141 · 2026-11-20 09:18 UTC · customer_hangup`.
    pub call: String,
    /// Would fire / would run.
    pub fired: bool,
    /// Would not fire because the analyzer cannot judge the trigger question.
    pub unknown: bool,
    pub reason: String,
    /// The route the analyzer chose, for dynamic recipients.
    pub route: Option<String>,
    /// Who would be emailed, comma-separated.
    pub recipients: String,
    /// Team alerts, a task.
    pub also: Vec<String>,
    /// The email subject, or the request's method and host.
    pub title: Option<String>,
    /// The rendered email text, message or JSON body.
    pub body: Option<String>,
    /// Why the analysis failed or the output could not be rendered.
    pub error: Option<String>,
}

/// A try's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TryView {
    /// "The draft, tried with the builtin analyzer on 20 calls: it would fire on 3."
    pub summary: String,
    pub calls: Vec<TriedItem>,
}

/// Tries the notification (`kind` = `notification`) or action (`action`) `id` on the latest
/// `limit` calls (default 20, at most 100). Admins only.
#[server(endpoint = "try_on_recent_calls", output = crate::api::Json)]
pub async fn try_on_recent_calls(kind: String, id: String, limit: Option<String>) -> Result<TryView, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let actor: backend::tenancy::Actor = member.into();
    let limit = match limit.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => Some(l.parse::<u64>().map_err(|_| backend::Error::invalid("limit", "must be a whole number"))?),
    };
    let report = match kind.as_str() {
        "notification" => {
            backend::jobs::dry_run::notification(&services, &actor, parse_id(&id, "Notification")?, limit).await?
        }
        _ => backend::jobs::dry_run::action(&services, &actor, parse_id(&id, "Action")?, limit).await?,
    };
    let what = if report.draft { "The draft".to_owned() } else { format!("Version {}", report.version) };
    let verb = if kind == "notification" { "fire" } else { "run" };
    let summary = format!(
        "{what}, tried with the {} analyzer on {} recent call(s): it would {verb} on {}. Nothing was sent or stored.",
        report.analyzer,
        report.calls.len(),
        report.fired
    );
    let calls = report
        .calls
        .into_iter()
        .map(|c| TriedItem {
            conversation_id: c.conversation_id.to_string(),
            call: format!("{} · {} · {}", c.who, super::fmt::time(c.at), c.end_reason.as_str()),
            fired: c.fired,
            unknown: c.unknown,
            reason: c.reason,
            route: c.route,
            recipients: c.recipients.join(", "),
            also: c.also,
            title: c.output.as_ref().and_then(|o| o.title.clone()),
            body: c.output.map(|o| o.body),
            error: c.analysis_error.map(|e| format!("The analysis failed: {e}")).or(c.output_error),
        })
        .collect();
    Ok(TryView { summary, calls })
}
