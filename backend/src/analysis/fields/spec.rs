//! What the analyzer is asked to extract: a field spec, how its values are coerced, and the specs of an agent with the dyn_ names its notifications use.

#[allow(unused_imports)]
use super::*;

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
pub(crate) const MAX_STRING: usize = 500;

pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String =
        text.trim().chars().filter(|c| !matches!(c, ',' | '$' | '€' | '£' | ' ' | '\u{a0}')).collect();
    let cleaned = cleaned.trim_end_matches('%');
    cleaned.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A number as JSON: whole numbers as integers ("4", not "4.0", in emails).
pub(crate) fn number(n: f64) -> Json {
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

/// The spec of a stored field.
pub fn spec_of(row: &extraction_field::Model) -> FieldSpec {
    FieldSpec {
        name: row.name.clone(),
        kind: row.field_type,
        description: row.description.clone(),
        options: row.options.0.clone(),
    }
}

/// Everything the analyzer extracts for an agent's calls: its fields, then a string for
/// each `{{ dyn_<name> }}` used in `notifications`' templates and each extracted field
/// their conditions test, without a defined field.
pub fn specs_for(fields: &[extraction_field::Model], notifications: &[notification::Model]) -> Vec<FieldSpec> {
    let mut specs: Vec<FieldSpec> = fields.iter().map(spec_of).collect();
    for n in notifications {
        let mut names: Vec<String> = Vec::new();
        for template in [&n.email_subject, &n.email_body] {
            names.extend(
                crate::templates::dyn_variables(template).into_iter().map(|d| d.trim_start_matches("dyn_").to_owned()),
            );
        }
        for condition in n.conditions.iter().flat_map(|c| c.0.iter()) {
            names.extend(condition.field_names());
        }
        for name in names {
            if !specs.iter().any(|s| s.name == name) {
                specs.push(FieldSpec::implied(&name));
            }
        }
    }
    specs
}
