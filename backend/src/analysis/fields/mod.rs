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

mod spec;
pub use spec::*;
mod store;
pub use store::*;

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
