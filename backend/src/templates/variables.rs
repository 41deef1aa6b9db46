//! The variables a template sees: the system ones, a conversation's, the analysis's fields and
//! the platform's dynamic variables.

#[allow(unused_imports)]
use super::*;

/// What an unavailable variable renders as, instead of failing the email.
pub const FALLBACK: &str = "(not available)";

/// The system variables and what they hold, in picker order.
pub const SYSTEM_VARIABLES: &[(&str, &str)] = &[
    ("conversation_date", "Date and time the call started, 24-hour, agent's time zone"),
    ("conversation_time", "Time the call started, 12-hour, agent's time zone"),
    ("conversation_duration", "Call duration as MM:SS"),
    ("conversation_status", "Call status as sent by the voice platform"),
    ("conversation_direction", "Inbound or Outbound"),
    ("conversation_summary", "The AI summary of the call"),
    ("conversation_transcript", "The whole transcript, one turn per line"),
    ("conversation_url", "Link to the conversation in the dashboard"),
    ("conversation_uuid", "The conversation's id"),
    ("agent_name", "The agent's name"),
    ("account_name", "Your account's name"),
    ("customer_number", "The caller's phone number (phone calls only)"),
    ("to_number", "The number that was called (phone calls only)"),
    ("customer_name", "The customer's name (when known)"),
    ("customer_email", "The customer's email (when known)"),
    ("goal_result", "The agent's goal verdict: success, failure or unknown"),
];

/// The variable values for one conversation. Unavailable variables are simply absent and
/// render as [`FALLBACK`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Variables(pub(crate) BTreeMap<String, Json>);

impl Variables {
    /// The value of `name`, if available.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.0.get(name)
    }

    /// Sets `name` (used for `dyn_*` values and `goal_result`).
    pub fn set(&mut self, name: impl Into<String>, value: Json) {
        self.0.insert(name.into(), value);
    }

    /// All values, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.0.iter()
    }
}

/// Everything variables are computed from.
pub struct VariableSources<'a> {
    pub conversation: &'a conversation::Model,
    pub agent: &'a agent::Model,
    pub account: &'a account::Model,
    /// The analysis, when analysed: summary, `dyn_*` values, goal verdict.
    pub analysis: Option<&'a analysis::Model>,
    /// Dashboard base URL without trailing slash.
    pub public_url: &'a str,
}

/// `MM:SS` (minutes are not wrapped into hours: `75:03`).
pub fn format_duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    format!("{:02}:{:02}", total / 60, total % 60)
}

/// The transcript as `Agent: ...` / `Customer: ...` lines.
pub fn transcript_text(turns: &[Turn]) -> String {
    let mut out = String::new();
    for turn in turns {
        let who = match turn.role {
            Speaker::Agent => "Agent",
            Speaker::User => "Customer",
        };
        let _ = writeln!(out, "{who}: {}", turn.text.trim());
    }
    out.trim_end().to_owned()
}

/// The variables of the tenant's conversation `id`, with its agent, account and analysis
/// loaded (what a notification email and the editor's preview render with).
///
/// Errors: [`Error::NotFound`] for an unknown id or another tenant's conversation.
pub async fn conversation_variables<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &crate::tenancy::Tenant,
    id: uuid::Uuid,
    public_url: &str,
) -> Result<Variables, Error> {
    Ok(conversation_variables_with_analysis(db, tenant, id, public_url).await?.0)
}

/// [`conversation_variables`], with the analysis it read (for a request body's `analysis`).
///
/// Errors: as for [`conversation_variables`].
pub async fn conversation_variables_with_analysis<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &crate::tenancy::Tenant,
    id: uuid::Uuid,
    public_url: &str,
) -> Result<(Variables, Option<analysis::Model>), Error> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let conv = crate::tenancy::secure_find::<conversation::Entity, _>(db, tenant, id).await?;
    let agent = crate::tenancy::secure_find::<agent::Entity, _>(db, tenant, conv.agent_id).await?;
    let account = account::Entity::find_by_id(tenant.account_id()).one(db).await?.ok_or(Error::NotFound("account"))?;
    let analysis = analysis::Entity::find()
        .filter(analysis::Column::AccountId.eq(tenant.account_id()))
        .filter(analysis::Column::ConversationId.eq(conv.id))
        .one(db)
        .await?;
    let vars = variables(&VariableSources {
        conversation: &conv,
        agent: &agent,
        account: &account,
        analysis: analysis.as_ref(),
        public_url,
    });
    Ok((vars, analysis))
}

/// Computes the SPEC section 5 system variables plus `dynamic_variables`.
pub fn variables(src: &VariableSources<'_>) -> Variables {
    let c = src.conversation;
    let tz: Tz = src.agent.timezone.parse().unwrap_or(Tz::UTC);
    let mut v = Variables::default();
    let when: DateTime<Utc> = c.started_at.unwrap_or(c.received_at);
    let local = when.with_timezone(&tz);
    v.set("conversation_date", Json::from(local.format("%Y-%m-%d %H:%M %Z").to_string()));
    v.set("conversation_time", Json::from(local.format("%-I:%M %p").to_string()));
    if let Some(d) = c.duration_s {
        v.set("conversation_duration", Json::from(format_duration(d)));
    }
    if let Some(status) = &c.status {
        v.set("conversation_status", Json::from(status.clone()));
    }
    match c.direction.map(|d| d.as_str()) {
        Some("inbound") => v.set("conversation_direction", Json::from("Inbound")),
        Some("outbound") => v.set("conversation_direction", Json::from("Outbound")),
        _ => {}
    }
    if let Some(a) = src.analysis {
        if let Some(summary) = a.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            v.set("conversation_summary", Json::from(summary));
        }
        if let Some(goal) = &a.goal_result {
            v.set("goal_result", Json::from(goal.as_str()));
        }
        let output = a.result.clone();
        for field in output.fields.into_iter().filter(|f| !f.value.is_null()) {
            v.set(format!("dyn_{}", field.name), field.value);
        }
    }
    let turns: &[Turn] = &c.transcript;
    if !turns.is_empty() {
        v.set("conversation_transcript", Json::from(transcript_text(turns)));
    }
    v.set("conversation_url", Json::from(format!("{}/conversations/{}", src.public_url, c.id)));
    v.set("conversation_uuid", Json::from(c.id.to_string()));
    v.set("agent_name", Json::from(src.agent.name.clone()));
    v.set("account_name", Json::from(src.account.name.clone()));
    let is_phone = c.channel.as_deref().is_none_or(|ch| ch.eq_ignore_ascii_case("phone"));
    if is_phone {
        let customer_number = match c.direction.map(|d| d.as_str()) {
            Some("outbound") => c.to_number.clone(),
            _ => c.from_number.clone(),
        };
        if let Some(n) = customer_number {
            v.set("customer_number", Json::from(n));
        }
        if let Some(n) = &c.to_number {
            v.set("to_number", Json::from(n.clone()));
        }
    }
    if let Some(name) = &c.customer_name {
        v.set("customer_name", Json::from(name.clone()));
    }
    if let Some(email) = &c.customer_email {
        v.set("customer_email", Json::from(email.clone()));
    }
    v.set("dynamic_variables", Json::Object(c.dynamic_variables.0.clone()));
    v
}
