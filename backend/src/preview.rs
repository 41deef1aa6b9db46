//! The notification editor's live preview and test-send: a subject and body being edited,
//! rendered with the variables of a chosen past conversation — or of a built-in sample call
//! when the agent has none — exactly as `SendEmail` would render them. A test-send stores
//! and sends one email to the editing member (SMTP, or the outbox) without creating a
//! notification run, so nothing about the conversation's history changes. Both need the
//! configure role (owner or admin), and rendering is held to the template limits of
//! [`crate::templates::safety`].

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::Services;
use crate::analysis::{AnalysisOutput, FieldValue, fields};
use crate::calls::event::{Speaker, Turn};
use crate::entities::{account, agent, analysis, conversation, extraction_field};
use crate::error::{Error, Result};
use crate::templates::{self, RenderedEmail, VariableSources, check_template};
use crate::tenancy::Permission;
use crate::tenancy::{Member, Tenant, scope, secure_find};

/// What the preview renders with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreviewSource {
    /// A past conversation of the tenant.
    Conversation(Uuid),
    /// The built-in sample call.
    Sample,
}

/// A past conversation offered in the editor's picker: `(id, label)`, newest first.
pub async fn recent_conversations<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    agent_id: Option<Uuid>,
    limit: u64,
) -> Result<Vec<conversation::Model>> {
    let mut q = scope::<conversation::Entity>(tenant);
    if let Some(agent_id) = agent_id {
        q = q.filter(conversation::Column::AgentId.eq(agent_id));
    }
    Ok(q.order_by_desc(conversation::Column::Id).limit(limit).all(db).await?)
}

/// The sample call: a caller asking for a callback about an invoice.
fn sample_conversation(tenant: &Tenant, agent_id: Uuid) -> conversation::Model {
    let started = Utc::now() - Duration::hours(2);
    conversation::Model {
        id: Uuid::nil(),
        account_id: tenant.account_id(),
        agent_id,
        call_id: "sample-call".into(),
        status: Some("completed".into()),
        direction: Some(crate::types::Direction::Inbound),
        channel: Some("phone".into()),
        started_at: Some(started),
        ended_at: Some(started + Duration::seconds(134)),
        duration_s: Some(134.0),
        end_reason: crate::types::EndReason::CustomerHangup,
        end_reason_raw: None,
        from_number: Some("+14155550141".into()),
        to_number: Some("+14155550119".into()),
        customer_name: Some("Jordan Lee".into()),
        customer_email: Some("jordan.lee@example.com".into()),
        dynamic_variables: crate::columns::DynamicVariables(serde_json::Map::from_iter([("plan".to_owned(), json!("gold"))])),
        transcript: crate::columns::Transcript(
            [
                (Speaker::Agent, "Thanks for calling, how can I help you today?"),
                (Speaker::User, "Hi, this is Jordan Lee. I have a question about my last invoice, it looks like I was charged twice."),
                (Speaker::Agent, "I'm sorry about that. I can't see the payment details from here, but I can have someone from billing call you back."),
                (Speaker::User, "Yes please, tomorrow afternoon around 3 works best."),
                (Speaker::Agent, "Noted: a callback tomorrow at 3 PM. Is there anything else?"),
                (Speaker::User, "No, that's all. Thanks, bye."),
            ]
            .into_iter()
            .map(|(role, text)| Turn { role, text: text.to_owned(), start_s: None, end_s: None })
            .collect(),
        ),
        turn_count: 6,
        received_at: started + Duration::seconds(135),
        platform_analysis: None,
    }
}

/// A plausible sample value for a field, by type.
fn sample_value(spec: &fields::FieldSpec) -> Json {
    match spec.kind {
        fields::FieldType::Number => json!(42),
        fields::FieldType::Boolean => json!(true),
        fields::FieldType::Enum => spec.options.first().map(|o| json!(o)).unwrap_or(Json::Null),
        fields::FieldType::String => json!(format!("(sample {})", spec.name.replace('_', " "))),
    }
}

fn sample_analysis(tenant: &Tenant, specs: &[fields::FieldSpec]) -> analysis::Model {
    let output = AnalysisOutput {
        summary: "Jordan Lee called about an invoice that seems to have been charged twice. The agent could not see payment details and promised a callback from billing tomorrow at 3 PM.".into(),
        fields: specs.iter().map(|s| FieldValue { name: s.name.clone(), value: sample_value(s), evidence: None }).collect(),
        ..Default::default()
    };
    analysis::Model {
        id: Uuid::nil(),
        account_id: tenant.account_id(),
        conversation_id: Uuid::nil(),
        status: crate::columns::AnalysisStatus::Completed,
        analyzer: "sample".into(),
        summary: Some(output.summary.clone()),
        result: output.clone(),
        error: None,
        latency_ms: 0,
        prompt_tokens: None,
        completion_tokens: None,
        created_at: Utc::now(),
        goal_result: Some(crate::analysis::GoalResult::Success),
        reanalysed_at: None,
    }
}

fn sample_agent(tenant: &Tenant) -> agent::Model {
    agent::Model {
        id: Uuid::nil(),
        account_id: tenant.account_id(),
        external_id: "sample-agent".into(),
        name: "Sample agent".into(),
        timezone: "UTC".into(),
        language: "en".into(),
        goal: None,
        created_at: Utc::now(),
    }
}

/// The editor's live preview: [`render`] for an owner or admin.
///
/// Errors: [`Error::Forbidden`] for members; as [`render`].
pub async fn preview(
    services: &Services,
    member: &Member,
    agent_id: Option<Uuid>,
    source: PreviewSource,
    subject: &str,
    body: &str,
) -> Result<RenderedEmail> {
    member.require(Permission::Configure)?;
    render(&services.db, &member.tenant, &services.settings.public_url, agent_id, source, subject, body).await
}

/// Renders `subject` and `body` for the preview or a test-send.
///
/// `agent_id` is the agent the notification applies to (`None` = every agent): the sample
/// uses it (its name, time zone and fields); a chosen conversation uses its own agent.
///
/// Errors: [`Error::Invalid`] on `email.subject` / `email.body` with line and column for a
/// syntax error or unknown variable; [`Error::NotFound`] for a conversation or agent of
/// another tenant.
pub async fn render<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    public_url: &str,
    agent_id: Option<Uuid>,
    source: PreviewSource,
    subject: &str,
    body: &str,
) -> Result<RenderedEmail> {
    check_template(subject, "email.subject")?;
    check_template(body, "email.body")?;
    let account = account::Entity::find_by_id(tenant.account_id()).one(db).await?.ok_or(Error::NotFound("account"))?;
    let rendered = match source {
        PreviewSource::Conversation(id) => {
            let vars = templates::conversation_variables(db, tenant, id, public_url).await?;
            templates::render_email(subject, body, &vars)
        }
        PreviewSource::Sample => {
            let (vars, _) = sample_variables(db, tenant, &account, public_url, agent_id, &[subject, body]).await?;
            templates::render_email(subject, body, &vars)
        }
    };
    rendered.map_err(|e| Error::invalid("email.body", e.message))
}

/// The variables of the sample call for `agent_id` (`None` = an agent with no fields):
/// its fields get sample values by type, and every `dyn_*` name the `sources` use gets one
/// too. Also returns the sample analysis.
///
/// Errors: [`Error::NotFound`] for another tenant's agent.
pub async fn sample_variables<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    account: &account::Model,
    public_url: &str,
    agent_id: Option<Uuid>,
    sources: &[&str],
) -> Result<(templates::Variables, analysis::Model)> {
    let (agent, agent_fields) = match agent_id {
        Some(id) => {
            let agent = secure_find::<agent::Entity, _>(db, tenant, id).await?;
            let list: Vec<extraction_field::Model> = fields::list(db, tenant, id).await?;
            (agent, list)
        }
        None => (sample_agent(tenant), Vec::new()),
    };
    let mut specs: Vec<fields::FieldSpec> = agent_fields.iter().map(fields::spec_of).collect();
    for source in sources {
        for name in templates::dyn_variables(source) {
            let name = name.trim_start_matches("dyn_").to_owned();
            if !specs.iter().any(|s| s.name == name) {
                specs.push(fields::FieldSpec::implied(&name));
            }
        }
    }
    let conv = sample_conversation(tenant, agent.id);
    let analysis = sample_analysis(tenant, &specs);
    let vars = templates::variables(&VariableSources {
        conversation: &conv,
        agent: &agent,
        account,
        analysis: Some(&analysis),
        public_url,
    });
    Ok((vars, analysis))
}

/// Renders like [`render`] and sends the result to the member's own address: an email row
/// with no notification run, delivered by `SendEmail` through SMTP (or kept in the outbox).
/// Returns the email's id and the address. Admins only.
pub async fn test_send(
    services: &Services,
    member: &Member,
    agent_id: Option<Uuid>,
    source: PreviewSource,
    subject: &str,
    body: &str,
) -> Result<(Uuid, String)> {
    member.require(Permission::Configure)?;
    let db = &services.db;
    let rendered = render(db, &member.tenant, &services.settings.public_url, agent_id, source, subject, body).await?;
    let me = crate::identity::accounts::user(db, member).await?;
    let subject_line = format!("[Test] {}", rendered.subject);
    let prepared = crate::delivery::outbox::Prepared {
        to: vec![me.email.clone()],
        conversation_id: match source {
            PreviewSource::Conversation(c) => Some(c),
            PreviewSource::Sample => None,
        },
        subject_template: subject,
        body_template: body,
        rendered: RenderedEmail { subject: subject_line, ..rendered },
    };
    let mut work = crate::db::Work::begin(services).await?;
    let id =
        crate::delivery::outbox::queue_rendered(work.db(), &member.tenant, &services.settings.public_url, prepared)
            .await?;
    work.wake_runner();
    work.commit().await?;
    Ok((id, me.email))
}
