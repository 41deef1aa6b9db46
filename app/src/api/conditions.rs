//! The condition editor's form, shared by the notification and the action editors: the
//! rows of tests as typed, how they combine, or the condition as JSON when it nests groups;
//! and its translation to and from the backend's one condition language
//! (`backend::conditions`).

use serde::{Deserialize, Serialize};

/// One test row as typed: `field`, `operator`, `value` (typed by
/// `backend::conditions::parse_value`: `true`, `42`, `null`, `"42"`, `a, b` for lists).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConditionRow {
    pub field: String,
    pub operator: String,
    pub value: String,
}

/// What the condition editor shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConditionForm {
    /// `all` or `any`: how the rows combine.
    pub mode: String,
    pub rows: Vec<ConditionRow>,
    /// The condition as JSON, when it nests all/any groups (rows cannot show it).
    pub json: String,
}

/// The condition editor's fields as posted (`cond_mode`, `cond_field[i]`, `cond_op[i]`,
/// `cond_value[i]`, `cond_json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConditionPost {
    pub cond_mode: Option<String>,
    pub cond_field: Option<Vec<String>>,
    pub cond_op: Option<Vec<String>>,
    pub cond_value: Option<Vec<String>>,
    pub cond_json: Option<String>,
}

#[cfg(feature = "ssr")]
mod convert {
    use backend::conditions::{Condition, Operator, parse_value, value_text};

    use super::*;
    use crate::error::AppError;

    fn row(t: &backend::conditions::Test) -> ConditionRow {
        ConditionRow { field: t.field.clone(), operator: t.operator.as_str().to_owned(), value: value_text(&t.value) }
    }

    fn tests_only(items: &[Condition]) -> Option<Vec<ConditionRow>> {
        items
            .iter()
            .map(|c| match c {
                Condition::Test(t) => Some(row(t)),
                _ => None,
            })
            .collect()
    }

    fn json_of<T: Serialize>(value: &T) -> String {
        serde_json::to_string_pretty(value).unwrap_or_default()
    }

    impl ConditionForm {
        /// The form of a notification's conditions (all must hold).
        pub fn of_list(conditions: &[Condition]) -> Self {
            if let Some(rows) = tests_only(conditions) {
                return Self { mode: "all".into(), rows, json: String::new() };
            }
            if let [Condition::Any { any }] = conditions
                && let Some(rows) = tests_only(any)
            {
                return Self { mode: "any".into(), rows, json: String::new() };
            }
            Self { mode: "all".into(), rows: Vec::new(), json: json_of(&conditions) }
        }

        /// The form of an action's condition (`None` = always).
        pub fn of_one(condition: Option<&Condition>) -> Self {
            match condition {
                None => Self { mode: "all".into(), ..Default::default() },
                Some(Condition::Test(t)) => Self { mode: "all".into(), rows: vec![row(t)], json: String::new() },
                Some(Condition::All { all }) => Self::of_list(all),
                Some(c @ Condition::Any { any }) => match tests_only(any) {
                    Some(rows) => Self { mode: "any".into(), rows, json: String::new() },
                    None => Self { mode: "all".into(), rows: Vec::new(), json: json_of(c) },
                },
            }
        }
    }

    impl ConditionPost {
        /// The rows' tests, in form order (rows without a field are skipped).
        fn tests(&self) -> Result<Vec<Condition>, AppError> {
            let fields = self.cond_field.clone().unwrap_or_default();
            let ops = self.cond_op.clone().unwrap_or_default();
            let values = self.cond_value.clone().unwrap_or_default();
            let mut out = Vec::new();
            for (i, field) in fields.into_iter().enumerate() {
                if field.trim().is_empty() {
                    continue;
                }
                let op_text = ops.get(i).map(String::as_str).unwrap_or("==");
                let operator = Operator::parse(op_text).ok_or_else(|| AppError::Invalid {
                    field: format!("cond_op[{i}]"),
                    message: format!("`{op_text}` is not an operator"),
                })?;
                let value = parse_value(values.get(i).map(String::as_str).unwrap_or(""), operator);
                out.push(Condition::test(field.trim(), operator, value));
            }
            Ok(out)
        }

        fn json(&self) -> Option<&str> {
            self.cond_json.as_deref().map(str::trim).filter(|j| !j.is_empty())
        }

        fn bad_json(e: serde_json::Error) -> AppError {
            AppError::Invalid { field: "cond_json".into(), message: format!("not a condition: {e}") }
        }

        /// A notification's conditions: the JSON when written (a condition or a list),
        /// else the rows, all or any of them.
        ///
        /// Errors: [`AppError::Invalid`] on `cond_json` or `cond_op[i]`.
        pub fn to_list(&self) -> Result<Vec<Condition>, AppError> {
            if let Some(json) = self.json() {
                let value: serde_json::Value = serde_json::from_str(json).map_err(Self::bad_json)?;
                return if value.is_array() {
                    serde_json::from_value(value).map_err(Self::bad_json)
                } else {
                    serde_json::from_value(value).map(|c| vec![c]).map_err(Self::bad_json)
                };
            }
            let tests = self.tests()?;
            Ok(match self.cond_mode.as_deref() {
                Some("any") if tests.len() > 1 => vec![Condition::Any { any: tests }],
                _ => tests,
            })
        }

        /// An action's condition: `None` when no row has a field and no JSON is written.
        ///
        /// Errors: as [`ConditionPost::to_list`].
        pub fn to_one(&self) -> Result<Option<Condition>, AppError> {
            let mut list = self.to_list()?;
            Ok(match list.len() {
                0 => None,
                1 => list.pop(),
                _ => Some(Condition::All { all: list }),
            })
        }
    }
}
