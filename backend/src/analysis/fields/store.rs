//! An agent's extraction fields: validated, listed, created, updated, deleted and counted.

#[allow(unused_imports)]
use super::*;

/// What creating or editing a field takes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldInput {
    /// Lower-case letters, digits and `_`, starting with a letter; unique per agent.
    pub name: String,
    #[serde(rename = "type")]
    #[schema(value_type = FieldType)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub options: Vec<String>,
}

/// Most fields per agent.
pub const MAX_FIELDS: usize = 50;

pub(crate) fn validate(input: FieldInput) -> Result<FieldSpec> {
    let name = input.name.trim().to_ascii_lowercase();
    let valid_name = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_name {
        return Err(Error::invalid(
            "name",
            "must start with a letter and use only a-z, 0-9 and _ (at most 64 characters)",
        ));
    }
    let kind = FieldType::parse(&input.kind)
        .ok_or_else(|| Error::invalid("type", format!("`{}` is not string, number, boolean or enum", input.kind)))?;
    let description = input.description.trim().to_owned();
    if description.chars().count() > 500 {
        return Err(Error::invalid("description", "must be at most 500 characters"));
    }
    let mut options: Vec<String> = Vec::new();
    for (i, o) in input.options.iter().enumerate() {
        let o = o.trim();
        if o.is_empty() || o.chars().count() > 100 {
            return Err(Error::invalid(format!("options[{i}]"), "must be 1 to 100 characters"));
        }
        if !options.iter().any(|x| x.eq_ignore_ascii_case(o)) {
            options.push(o.to_owned());
        }
    }
    match kind {
        FieldType::Enum if options.len() < 2 => {
            return Err(Error::invalid("options", "an enum needs at least two options"));
        }
        FieldType::Enum if options.len() > 100 => {
            return Err(Error::invalid("options", "at most 100 options"));
        }
        FieldType::Enum => {}
        _ => options.clear(),
    }
    Ok(FieldSpec { name, kind, description, options })
}

/// The agent's fields, in order.
pub async fn list<C: ConnectionTrait>(db: &C, tenant: &Tenant, agent_id: Uuid) -> Result<Vec<extraction_field::Model>> {
    Ok(scope::<extraction_field::Entity>(tenant)
        .filter(extraction_field::Column::AgentId.eq(agent_id))
        .order_by_asc(extraction_field::Column::Position)
        .order_by_asc(extraction_field::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The fields of several agents of the tenant in one query, each agent's in order (as
/// [`list`]); other accounts' agents contribute nothing.
pub async fn list_for_agents<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    agent_ids: &[Uuid],
) -> Result<Vec<extraction_field::Model>> {
    Ok(scope::<extraction_field::Entity>(tenant)
        .filter(extraction_field::Column::AgentId.is_in(agent_ids.iter().copied()))
        .order_by_asc(extraction_field::Column::Position)
        .order_by_asc(extraction_field::Column::CreatedAt)
        .all(db)
        .await?)
}

pub(crate) const DUPLICATE_NAME: &str = "the agent already has a field with this name";

/// Adds a field to an agent (configure permission).
///
/// Errors: [`Error::Forbidden`]; [`Error::Invalid`] naming `name`, `type`, `description` or
/// `options[i]`; [`Error::Conflict`] on `name` when the agent has it (the unique index
/// decides, no pre-check); [`Error::NotFound`] for another tenant's agent.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    agent_id: Uuid,
    input: FieldInput,
) -> Result<extraction_field::Model> {
    actor.require(Permission::Configure)?;
    let tenant = actor.tenant();
    crate::agents::get(db, tenant, agent_id).await?;
    let spec = validate(input)?;
    let existing = list(db, tenant, agent_id).await?;
    if existing.len() >= MAX_FIELDS {
        return Err(Error::invalid("name", format!("an agent has at most {MAX_FIELDS} fields")));
    }
    let position = existing.iter().map(|f| f.position).max().unwrap_or(0) + 1;
    extraction_field::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(tenant.account_id()),
        agent_id: Set(agent_id),
        name: Set(spec.name),
        field_type: Set(spec.kind),
        description: Set(spec.description),
        options: Set(FieldOptions(spec.options)),
        position: Set(position),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .map_err(|e| Error::unique(e, "name", DUPLICATE_NAME))
}

/// Replaces a field's definition (configure permission). Renaming keeps the stored values of past
/// analyses under the old name.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: FieldInput,
) -> Result<extraction_field::Model> {
    actor.require(Permission::Configure)?;
    let found = secure_find::<extraction_field::Entity, _>(db, actor.tenant(), id).await?;
    let spec = validate(input)?;
    let mut active: extraction_field::ActiveModel = found.into();
    active.name = Set(spec.name);
    active.field_type = Set(spec.kind);
    active.description = Set(spec.description);
    active.options = Set(FieldOptions(spec.options));
    active.update(db).await.map_err(|e| Error::unique(e, "name", DUPLICATE_NAME))
}

/// Deletes a field (configure permission).
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require(Permission::Configure)?;
    let found = secure_find::<extraction_field::Entity, _>(db, actor.tenant(), id).await?;
    extraction_field::Entity::delete_by_id(found.id).exec(db).await?;
    Ok(())
}

/// How many fields each of the tenant's agents has (for lists).
pub async fn counts<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<Vec<(Uuid, i64)>> {
    Ok(scope::<extraction_field::Entity>(tenant)
        .select_only()
        .column(extraction_field::Column::AgentId)
        .column_as(extraction_field::Column::Id.count(), "n")
        .group_by(extraction_field::Column::AgentId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?)
}
