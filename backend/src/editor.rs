//! The notification editor's read model: the settings the form starts from (the draft, the
//! published settings, a starter template's or a blank form) with everything the editor
//! offers beside them — agents, members, template variables, field names for conditions,
//! end reasons, published versions, and recent calls to preview with. Built once here; the
//! dashboard only formats it (ids as strings, times, labels).

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::analysis::{FieldType, fields};
use crate::entities::agent;
use crate::error::{Error, Result};
use crate::identity::accounts::{self, MemberInfo};
use crate::notifications::{self, Draft, EmailTemplateInput, NotificationInput, TeamAlertInput, TriggerInput};
use crate::tenancy::{Actor, Permission};
use crate::types::EndReason;

/// How many recent calls the editor offers to preview with.
pub const PREVIEW_CALLS: u64 = 20;

/// What the notification editor shows.
#[derive(Clone, Debug)]
pub struct EditorView {
    /// The notification being edited; `None` when creating one.
    pub notification: Option<Edited>,
    /// The settings the form starts from, with the agent they would apply to.
    pub draft: Draft,
    /// The starter template's name when a new form comes from one.
    pub starter: Option<&'static str>,
    /// Published versions, newest first (empty when creating).
    pub versions: Vec<VersionView>,
    /// The account's agents, for the agent select.
    pub agents: Vec<agent::Model>,
    /// The account's members, oldest first, for team alerts and task assignees.
    pub members: Vec<MemberInfo>,
    /// What the templates may use.
    pub variables: Variables,
    /// Field names usable in conditions, without the `dyn_` prefix: the agent fields, then
    /// other `dyn_*` names the templates use.
    pub field_names: Vec<String>,
    /// Every documented end reason, for the end-reason condition.
    pub end_reasons: &'static [EndReason],
    /// The last [`PREVIEW_CALLS`] calls (of the draft's agent, or of any agent), newest
    /// first, to preview the email with.
    pub recent_calls: Vec<PreviewCall>,
    /// Whether the viewer may save (`Permission::Configure`); others see the form read-only.
    pub can_configure: bool,
}

/// The notification being edited.
#[derive(Clone, Debug)]
pub struct Edited {
    pub id: Uuid,
    /// Published version; 0 = never published.
    pub version: i32,
    /// Unpublished edits exist (the form starts from them).
    pub has_draft: bool,
}

/// A published version, told apart by its name and trigger.
#[derive(Clone, Debug)]
pub struct VersionView {
    pub version: i32,
    pub created_at: DateTime<Utc>,
    /// The name of the member who published it, when still a member.
    pub created_by: Option<String>,
    pub name: String,
    /// `always send` or the trigger question.
    pub trigger: String,
}

/// The variables the subject and body may use.
#[derive(Clone, Debug)]
pub struct Variables {
    /// Every call's variables: (name, description), from [`crate::templates::SYSTEM_VARIABLES`].
    pub system: &'static [(&'static str, &'static str)],
    /// `dyn_<name>` of the agent's extraction fields (every agent's for an account-wide
    /// notification), each name once.
    pub agent_fields: Vec<FieldVariable>,
    /// Other `dyn_*` names the draft's templates use: extracted as text by their name.
    pub other: Vec<String>,
}

/// An extraction field as a template variable.
#[derive(Clone, Debug)]
pub struct FieldVariable {
    /// `dyn_<field name>`.
    pub name: String,
    pub description: String,
    pub field_type: FieldType,
}

/// A past call to preview with.
#[derive(Clone, Debug)]
pub struct PreviewCall {
    pub id: Uuid,
    /// When the call started (when it was received, if the platform did not say).
    pub at: DateTime<Utc>,
    /// The caller's number, else the customer's name, else the platform's call id.
    pub who: String,
    pub end_reason: EndReason,
}

/// The settings of a blank form: always send, to the whole team, with the default email.
pub fn blank() -> NotificationInput {
    NotificationInput {
        name: String::new(),
        enabled: true,
        trigger: TriggerInput { always: Some(true), condition: None },
        conditions: Vec::new(),
        recipients: Default::default(),
        email: EmailTemplateInput {
            subject: "{{ agent_name }}: call from {{ customer_number }}".to_owned(),
            body: crate::starters::scratch_body(),
        },
        team_alert: TeamAlertInput::Mode("all".to_owned()),
        task: None,
        digest: None,
    }
}

/// The editor for notification `id`, or for a new one (for `agent_id`; `None` = every
/// agent) started from starter template `starter` (`None` or `scratch` = [`blank`]).
/// Anyone who may read the account may open it; `can_configure` says whether they may save.
///
/// Errors: [`Error::Forbidden`] without `Permission::Read`; [`Error::NotFound`] for an
/// unknown or another account's notification or agent, or an unknown starter template.
pub async fn notification_editor<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Option<Uuid>,
    agent_id: Option<Uuid>,
    starter: Option<&str>,
) -> Result<EditorView> {
    actor.require(Permission::Read)?;
    let tenant = actor.tenant();
    let members = accounts::members(db, tenant).await?;
    let (notification, draft, versions, starter) = match id {
        Some(id) => {
            let n = notifications::get(db, tenant, id).await?;
            let versions = notifications::versions(db, tenant, n.id)
                .await?
                .into_iter()
                .map(|v| VersionView {
                    version: v.version,
                    created_at: v.created_at,
                    created_by: v
                        .created_by
                        .and_then(|u| members.iter().find(|m| m.user_id == u))
                        .map(|m| m.name.clone()),
                    trigger: trigger_of(&v.settings.settings),
                    name: v.settings.settings.name.clone(),
                })
                .collect();
            let edited = Edited { id: n.id, version: n.version, has_draft: n.draft.is_some() };
            (Some(edited), notifications::editable(&n), versions, None)
        }
        None => {
            let agent_id = match agent_id {
                Some(a) => Some(crate::agents::get(db, tenant, a).await?.id),
                None => None,
            };
            let (settings, name) = match starter.filter(|k| !k.is_empty() && *k != "scratch") {
                Some(key) => {
                    let s = crate::starters::find(key).ok_or_else(|| Error::NotFound("Starter template"))?;
                    (s.to_input(), Some(s.name))
                }
                None => (blank(), None),
            };
            (None, Draft { agent_id, settings }, Vec::new(), name)
        }
    };
    let agents = crate::agents::list(db, tenant).await?;
    let field_agents: Vec<Uuid> = match draft.agent_id {
        Some(a) => vec![a],
        None => agents.iter().map(|a| a.id).collect(),
    };
    let stored = fields::list_for_agents(db, tenant, &field_agents).await?;
    let mut agent_fields: Vec<FieldVariable> = Vec::new();
    for a in field_agents {
        for f in stored.iter().filter(|f| f.agent_id == a).cloned() {
            let name = format!("dyn_{}", f.name);
            if !agent_fields.iter().any(|v| v.name == name) {
                agent_fields.push(FieldVariable { name, description: f.description, field_type: f.field_type });
            }
        }
    }
    let mut other: Vec<String> = Vec::new();
    let email = &draft.settings.email;
    for template in [&email.subject, &email.body] {
        for name in crate::templates::dyn_variables(template) {
            if !agent_fields.iter().any(|v| v.name == name) && !other.contains(&name) {
                other.push(name);
            }
        }
    }
    let field_names = agent_fields
        .iter()
        .map(|v| v.name.as_str())
        .chain(other.iter().map(String::as_str))
        .map(|n| n.trim_start_matches("dyn_").to_owned())
        .collect();
    let recent_calls = crate::preview::recent_conversations(db, tenant, draft.agent_id, PREVIEW_CALLS)
        .await?
        .into_iter()
        .map(|c| PreviewCall {
            id: c.id,
            at: c.started_at.unwrap_or(c.received_at),
            who: c.from_number.or(c.customer_name).unwrap_or(c.call_id),
            end_reason: c.end_reason,
        })
        .collect();
    Ok(EditorView {
        notification,
        draft,
        starter,
        versions,
        agents,
        members,
        variables: Variables { system: crate::templates::SYSTEM_VARIABLES, agent_fields, other },
        field_names,
        end_reasons: &EndReason::ALL,
        recent_calls,
        can_configure: actor.can(Permission::Configure),
    })
}

/// `always send` or the trigger question of `settings`.
fn trigger_of(settings: &NotificationInput) -> String {
    if settings.trigger.always == Some(true) {
        "always send".to_owned()
    } else {
        settings.trigger.condition.clone().unwrap_or_default()
    }
}
