//! Voice agents: created over REST or in the dashboard, or on first ingest when the
//! account auto-creates agents.

use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::agent;
use crate::error::{Error, Result};
use crate::tenancy::{Actor, Permission, Tenant, scope, secure_find};

/// What creating or editing an agent takes.
#[derive(Clone, Debug, Default)]
pub struct AgentInput {
    /// The integrator's id (1-200 characters, unique in the account).
    pub external_id: String,
    /// Display name; defaults to the external id.
    pub name: Option<String>,
    /// IANA time zone; defaults to `UTC`.
    pub timezone: Option<String>,
    /// BCP 47 tag; defaults to `en`.
    pub language: Option<String>,
    /// A natural-language outcome judged for every call; empty = none.
    pub goal: Option<String>,
}

struct ValidAgent {
    external_id: String,
    name: String,
    timezone: String,
    language: String,
    goal: Option<String>,
}

fn validate(input: AgentInput) -> Result<ValidAgent> {
    let external_id = input.external_id.trim().to_owned();
    if external_id.is_empty() || external_id.chars().count() > crate::types::MAX_ID_LEN {
        return Err(Error::invalid("external_id", "must be 1 to 200 characters"));
    }
    let name = input.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).unwrap_or_else(|| external_id.clone());
    if name.chars().count() > 120 {
        return Err(Error::invalid("name", "must be at most 120 characters"));
    }
    let timezone =
        input.timezone.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).unwrap_or_else(|| "UTC".to_owned());
    if timezone.parse::<Tz>().is_err() {
        return Err(Error::invalid("timezone", format!("`{timezone}` is not an IANA time zone such as Europe/Berlin")));
    }
    let language =
        input.language.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).unwrap_or_else(|| "en".to_owned());
    if language.len() > 35 || !language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::invalid("language", "must be a language tag such as en or de-AT"));
    }
    let goal = input.goal.map(|g| g.trim().to_owned()).filter(|g| !g.is_empty());
    if goal.as_ref().is_some_and(|g| g.chars().count() > 500) {
        return Err(Error::invalid("goal", "must be at most 500 characters"));
    }
    Ok(ValidAgent { external_id, name, timezone, language, goal })
}

const DUPLICATE_EXTERNAL_ID: &str = "an agent with this external id exists";

/// Creates an agent (configure permission: admins, owners, API keys).
///
/// Errors: [`Error::Forbidden`]; [`Error::Invalid`] naming the field; [`Error::Conflict`]
/// on `external_id` when the account already has it (the unique index decides, no pre-check).
pub async fn create<C: ConnectionTrait>(db: &C, actor: &Actor, input: AgentInput) -> Result<agent::Model> {
    actor.require(Permission::Configure)?;
    let valid = validate(input)?;
    agent::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.tenant().account_id()),
        external_id: Set(valid.external_id),
        name: Set(valid.name),
        timezone: Set(valid.timezone),
        language: Set(valid.language),
        goal: Set(valid.goal),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|e| Error::unique(e, "external_id", DUPLICATE_EXTERNAL_ID))
}

/// Edits an agent's name, external id, time zone, language and goal (configure permission).
///
/// Errors: as [`create`]; [`Error::NotFound`] for another tenant's agent.
pub async fn update<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid, input: AgentInput) -> Result<agent::Model> {
    actor.require(Permission::Configure)?;
    let tenant = actor.tenant();
    let found = secure_find::<agent::Entity, _>(db, tenant, id).await?;
    let valid = validate(input)?;
    let mut active: agent::ActiveModel = found.into();
    active.external_id = Set(valid.external_id);
    active.name = Set(valid.name);
    active.timezone = Set(valid.timezone);
    active.language = Set(valid.language);
    active.goal = Set(valid.goal);
    active.update(db).await.map_err(|e| Error::unique(e, "external_id", DUPLICATE_EXTERNAL_ID))
}

/// The agent with `external_id` in the tenant, if any.
pub async fn find_by_external_id<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    external_id: &str,
) -> Result<Option<agent::Model>> {
    Ok(scope::<agent::Entity>(tenant).filter(agent::Column::ExternalId.eq(external_id)).one(db).await?)
}

/// The tenant's agent with `id`, or [`Error::NotFound`].
pub async fn get<C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid) -> Result<agent::Model> {
    secure_find::<agent::Entity, _>(db, tenant, id).await
}

/// Every agent of the tenant, by name.
pub async fn list<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<Vec<agent::Model>> {
    Ok(scope::<agent::Entity>(tenant).order_by_asc(agent::Column::Name).all(db).await?)
}

/// The agent for an ingested call: found by external id, or created with defaults when
/// `auto_create` (inside the caller's transaction, so a rejected call leaves no agent).
///
/// Errors: [`Error::NotFound`] (`agent`) when unknown and not auto-created.
pub async fn resolve_for_ingest<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    external_id: &str,
    auto_create: bool,
) -> Result<agent::Model> {
    if let Some(found) = find_by_external_id(db, tenant, external_id).await? {
        return Ok(found);
    }
    if !auto_create {
        return Err(Error::NotFound("agent"));
    }
    let row = agent::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(tenant.account_id()),
        external_id: Set(external_id.to_owned()),
        name: Set(external_id.to_owned()),
        timezone: Set("UTC".to_owned()),
        language: Set("en".to_owned()),
        goal: Set(None),
        created_at: Set(Utc::now()),
    };
    agent::Entity::insert(row)
        .on_conflict_do_nothing_on([agent::Column::AccountId, agent::Column::ExternalId])
        .exec_without_returning(db)
        .await?;
    find_by_external_id(db, tenant, external_id).await?.ok_or(Error::NotFound("agent"))
}
