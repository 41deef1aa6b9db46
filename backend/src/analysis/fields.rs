//! Extraction fields: their types, how an analyzer's value is coerced to the field's type,
//! and the per-agent field definitions admins manage (UI and REST).

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::columns::FieldOptions;
pub use crate::columns::FieldType;
use crate::entities::{extraction_field, notification};
use crate::error::{Error, Result};
use crate::tenancy::{Actor, Permission, Tenant, scope, secure_find};

impl FieldType {
    /// `string`, `number`, `boolean` or `enum`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Enum => "enum",
        }
    }

    /// Parses the lower-case name.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "string" => Some(FieldType::String),
            "number" => Some(FieldType::Number),
            "boolean" | "bool" => Some(FieldType::Boolean),
            "enum" => Some(FieldType::Enum),
            _ => None,
        }
    }
}

impl std::str::FromStr for FieldType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s).ok_or_else(|| format!("`{s}` is not a field type (string, number, boolean or enum)"))
    }
}

crate::stored_enum! { impl FieldType in "extraction_fields"."field_type"; }

/// A field to extract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub description: String,
    /// Enum options (empty for other types).
    #[serde(default)]
    pub options: Vec<String>,
}

/// Longest extracted string value, in characters.
const MAX_STRING: usize = 500;

fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String =
        text.trim().chars().filter(|c| !matches!(c, ',' | '$' | '€' | '£' | ' ' | '\u{a0}')).collect();
    let cleaned = cleaned.trim_end_matches('%');
    cleaned.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A number as JSON: whole numbers as integers ("4", not "4.0", in emails).
fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map(Json::Number).unwrap_or(Json::Null)
    }
}

impl FieldSpec {
    /// A spec.
    pub fn new(name: &str, kind: FieldType, description: &str, options: Vec<String>) -> Self {
        Self { name: name.to_owned(), kind, description: description.to_owned(), options }
    }

    /// `value` as this field's type, or null when it does not fit: numbers from numeric
    /// strings ("$1,250.50"), booleans from yes/no words, enum values matched to an option
    /// case-insensitively (the option's own spelling is returned), strings clipped.
    pub fn coerce(&self, value: &Json) -> Json {
        match (self.kind, value) {
            (_, Json::Null) => Json::Null,
            (FieldType::String, Json::String(s)) => {
                let t = s.trim();
                if t.is_empty() { Json::Null } else { Json::from(t.chars().take(MAX_STRING).collect::<String>()) }
            }
            (FieldType::String, Json::Number(n)) => Json::from(n.to_string()),
            (FieldType::String, Json::Bool(b)) => Json::from(b.to_string()),
            (FieldType::Number, Json::Number(n)) => n.as_f64().map(number).unwrap_or(Json::Null),
            (FieldType::Number, Json::String(s)) => parse_number(s).map(number).unwrap_or(Json::Null),
            (FieldType::Boolean, Json::Bool(b)) => Json::Bool(*b),
            (FieldType::Boolean, Json::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" => Json::Bool(true),
                "false" | "no" | "n" => Json::Bool(false),
                _ => Json::Null,
            },
            (FieldType::Enum, Json::String(s)) => self
                .options
                .iter()
                .find(|o| o.trim().eq_ignore_ascii_case(s.trim()))
                .map(|o| Json::from(o.clone()))
                .unwrap_or(Json::Null),
            _ => Json::Null,
        }
    }

    /// The spec implied by a `{{ dyn_<name> }}` with no defined field: a string described
    /// by its own name ("order_id" → "order id").
    pub fn implied(name: &str) -> Self {
        Self::new(name, FieldType::String, &name.replace('_', " "), Vec::new())
    }
}

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

fn validate(input: FieldInput) -> Result<FieldSpec> {
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

/// The spec of a stored field.
pub fn spec_of(row: &extraction_field::Model) -> FieldSpec {
    FieldSpec {
        name: row.name.clone(),
        kind: row.field_type,
        description: row.description.clone(),
        options: row.options.0.clone(),
    }
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

const DUPLICATE_NAME: &str = "the agent already has a field with this name";

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

/// Everything the analyzer extracts for an agent's calls: its fields, then a string for
/// each `{{ dyn_<name> }}` used in `notifications`' templates without a defined field.
pub fn specs_for(fields: &[extraction_field::Model], notifications: &[notification::Model]) -> Vec<FieldSpec> {
    let mut specs: Vec<FieldSpec> = fields.iter().map(spec_of).collect();
    for n in notifications {
        for template in [&n.email_subject, &n.email_body] {
            for dyn_name in crate::templates::dyn_variables(template) {
                let name = dyn_name.trim_start_matches("dyn_").to_owned();
                if !specs.iter().any(|s| s.name == name) {
                    specs.push(FieldSpec::implied(&name));
                }
            }
        }
    }
    specs
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_coerced_to_the_field_type() {
        let n = FieldSpec::new("n", FieldType::Number, "", vec![]);
        assert_eq!(n.coerce(&Json::from("$1,200")), serde_json::json!(1200));
        assert_eq!(n.coerce(&serde_json::json!(2.5)), serde_json::json!(2.5));
        assert_eq!(n.coerce(&Json::from("many")), Json::Null);
        let b = FieldSpec::new("b", FieldType::Boolean, "", vec![]);
        assert_eq!(b.coerce(&Json::from("Yes")), Json::Bool(true));
        let e = FieldSpec::new("e", FieldType::Enum, "", vec!["To Go".into(), "Here".into()]);
        assert_eq!(e.coerce(&Json::from("to go")), Json::from("To Go"));
        assert_eq!(e.coerce(&Json::from("delivery")), Json::Null);
        let s = FieldSpec::new("s", FieldType::String, "", vec![]);
        assert_eq!(s.coerce(&Json::from("  ")), Json::Null);
        assert_eq!(s.coerce(&Json::from(42)), Json::from("42"));
    }

    #[test]
    fn field_definitions_are_validated() {
        let bad_name = validate(FieldInput { name: "Order ID".into(), kind: "string".into(), ..Default::default() });
        assert!(matches!(bad_name, Err(Error::Invalid { field, .. }) if field == "name"));
        let bad_type = validate(FieldInput { name: "x".into(), kind: "date".into(), ..Default::default() });
        assert!(matches!(bad_type, Err(Error::Invalid { field, .. }) if field == "type"));
        let one_option = validate(FieldInput {
            name: "x".into(),
            kind: "enum".into(),
            options: vec!["a".into()],
            ..Default::default()
        });
        assert!(matches!(one_option, Err(Error::Invalid { field, .. }) if field == "options"));
        let ok = validate(FieldInput {
            name: "plan".into(),
            kind: "enum".into(),
            options: vec!["gold".into(), "Gold".into(), "silver".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.options, vec!["gold", "silver"]);
    }
}
