//! Filtering the conversation list: the filter, its query-string form, and the SQL it becomes.

#[allow(unused_imports)]
use super::*;

/// Filters of the conversations list and its CSV export; all optional, all must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConversationFilter {
    pub agent_id: Option<Uuid>,
    /// Calls that started (or, without a start time, were received) at or after this.
    pub from: Option<DateTime<Utc>>,
    /// … and before this.
    pub to: Option<DateTime<Utc>>,
    /// One of the documented end reasons.
    pub end_reason: Option<String>,
    /// `Some(true)`: at least one notification fired; `Some(false)`: none fired.
    pub fired: Option<bool>,
    /// Words searched in the transcript, the caller's name, email and numbers, and the call id
    /// (every word, each as a word or a word's start: see [`super::search`]).
    pub text: Option<String>,
    /// Keyset: the last id of the previous page.
    pub before: Option<Uuid>,
}

/// Which matches of the text filter a query considers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextScope {
    /// Every match ([`crate::search::matches`]).
    All,
    /// The newest this many matches before the filter's cursor
    /// ([`crate::search::newest_matches`]): a page's worth, found without reading the rest.
    Newest(u64),
}

/// The tenant's conversations matching `filter` (not yet ordered or paged) on `backend`.
pub(crate) fn filtered(
    backend: sea_orm::DbBackend,
    tenant: &Tenant,
    filter: &ConversationFilter,
) -> Select<conversation::Entity> {
    filtered_with(backend, tenant, filter, TextScope::All)
}

/// [`filtered`], considering `text` of the text filter's matches.
pub(crate) fn filtered_with(
    backend: sea_orm::DbBackend,
    tenant: &Tenant,
    filter: &ConversationFilter,
    text: TextScope,
) -> Select<conversation::Entity> {
    let mut q = scope::<conversation::Entity>(tenant);
    if let Some(agent) = filter.agent_id {
        q = q.filter(conversation::Column::AgentId.eq(agent));
    }
    let in_range = |col: conversation::Column| {
        let mut c = Condition::all();
        if let Some(from) = filter.from {
            c = c.add(col.gte(from));
        }
        if let Some(to) = filter.to {
            c = c.add(col.lt(to));
        }
        c
    };
    if filter.from.is_some() || filter.to.is_some() {
        q = q.filter(
            Condition::any().add(in_range(conversation::Column::StartedAt)).add(
                Condition::all()
                    .add(conversation::Column::StartedAt.is_null())
                    .add(in_range(conversation::Column::ReceivedAt)),
            ),
        );
    }
    if let Some(reason) = &filter.end_reason {
        q = q.filter(conversation::Column::EndReason.eq(reason.clone()));
    }
    if let Some(fired) = filter.fired {
        // Correlated, so the newest-first scan stops at a page of matches instead of first
        // collecting every fired run of the account (a third of a million at 1M calls).
        let fired_run = Query::select()
            .expr(Expr::val(1))
            .from(notification_run::Entity)
            .and_where(notification_run::Column::AccountId.eq(tenant.account_id()))
            .and_where(notification_run::Column::Fired.eq(true))
            .and_where(
                Expr::col((notification_run::Entity, notification_run::Column::ConversationId))
                    .equals((conversation::Entity, conversation::Column::Id)),
            )
            .to_owned();
        q = q.filter(if fired { Expr::exists(fired_run) } else { Expr::exists(fired_run).not() });
    }
    if let Some(words) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let words = crate::search::query_words(words);
        q = q.filter(match text {
            TextScope::All => crate::search::matches(backend, &words),
            TextScope::Newest(window) => crate::search::newest_matches(backend, tenant, &words, filter.before, window),
        });
    }
    q
}

/// Filters as they arrive in a query string (dashboard, CSV export and REST alike); every
/// value optional, empty = not filtered.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    /// The agent's id or external id.
    #[serde(default)]
    pub agent: Option<String>,
    /// `YYYY-MM-DD` (UTC day start) or an RFC 3339 time; inclusive.
    #[serde(default)]
    pub from: Option<String>,
    /// `YYYY-MM-DD` (the whole day is included) or an RFC 3339 time; exclusive.
    #[serde(default)]
    pub to: Option<String>,
    /// One of the end reasons (`customer_hangup`, `voicemail`, …).
    #[serde(default)]
    pub end_reason: Option<String>,
    /// Whether any notification fired: `yes` / `true` or `no` / `false`.
    #[serde(default)]
    pub fired: Option<String>,
    /// Text searched in transcripts, numbers, names and call ids: every word, the last also
    /// as a word's start ([`crate::search::query_words`], `search::matches`).
    #[serde(default)]
    pub q: Option<String>,
}

pub(crate) fn parse_time(value: &str, field: &str, end_of_day: bool) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| crate::Error::invalid(field, format!("`{value}` is not a date (YYYY-MM-DD) or RFC 3339 time")))?;
    let date = if end_of_day { date.succ_opt().unwrap_or(date) } else { date };
    Ok(date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default())
}

impl FilterParams {
    /// Resolves the parameters for the tenant.
    ///
    /// Errors: [`crate::Error::Invalid`] naming `from`, `to`, `end_reason` or `fired`;
    /// [`crate::Error::NotFound`] for an agent that is not the tenant's.
    pub async fn resolve<C: ConnectionTrait>(&self, db: &C, tenant: &Tenant) -> Result<ConversationFilter> {
        let present = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let agent_id = match present(&self.agent) {
            None => None,
            Some(a) => match Uuid::parse_str(&a) {
                Ok(id) => Some(crate::agents::get(db, tenant, id).await?.id),
                Err(_) => Some(
                    crate::agents::find_by_external_id(db, tenant, &a)
                        .await?
                        .ok_or(crate::Error::NotFound("agent"))?
                        .id,
                ),
            },
        };
        let from = present(&self.from).map(|v| parse_time(&v, "from", false)).transpose()?;
        let to = present(&self.to).map(|v| parse_time(&v, "to", true)).transpose()?;
        let end_reason = match present(&self.end_reason) {
            None => None,
            Some(r) => {
                let lower = r.to_ascii_lowercase();
                if !crate::types::EndReason::ALL.iter().any(|e| e.as_str() == lower) {
                    return Err(crate::Error::invalid("end_reason", format!("`{r}` is not a documented end reason")));
                }
                Some(lower)
            }
        };
        let fired = match present(&self.fired).map(|f| f.to_ascii_lowercase()).as_deref() {
            None => None,
            Some("yes" | "true" | "1") => Some(true),
            Some("no" | "false" | "0") => Some(false),
            Some(other) => return Err(crate::Error::invalid("fired", format!("`{other}` is not yes or no"))),
        };
        let text = present(&self.q);
        if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(crate::Error::invalid("q", "must be at most 200 characters"));
        }
        Ok(ConversationFilter { agent_id, from, to, end_reason, fired, text, before: None })
    }
}
