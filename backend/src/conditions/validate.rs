//! Validating conditions: what each field accepts, with errors that name the exact part
//! (`conditions[1].any[0].value`), and the normal form that is stored.

#[allow(unused_imports)]
use super::*;

/// Most tests in one notification's or action's conditions, counted through groups.
pub const MAX_CONDITIONS: usize = 20;
/// Most levels of `all` / `any` groups.
pub const MAX_DEPTH: usize = 3;
/// Most values in an `in` / `not_in` list.
pub const MAX_VALUES: usize = 50;

/// Validates a notification's conditions (all must hold) and returns their normal form:
/// fields by their stored names, end reasons, directions and goal results in lower case,
/// numbers as numbers, no value for `is_empty` / `is_not_empty`.
///
/// Errors: [`Error::Invalid`] naming `conditions[i]` and the bad part.
pub fn validate(conditions: Vec<Condition>) -> Result<Vec<Condition>> {
    validate_list(conditions, "conditions")
}

/// Validates the conditions of a list at `path`.
pub fn validate_list(conditions: Vec<Condition>, path: &str) -> Result<Vec<Condition>> {
    let mut count = 0;
    conditions
        .into_iter()
        .enumerate()
        .map(|(i, c)| check(c, &format!("{path}[{i}]"), 0, &mut count))
        .collect::<Result<Vec<_>>>()
        .and_then(|out| limit(count, path).map(|()| out))
}

/// Validates one condition at `path` (an action's `condition`).
pub fn validate_one(condition: Condition, path: &str) -> Result<Condition> {
    let mut count = 0;
    let out = check(condition, path, 0, &mut count)?;
    limit(count, path)?;
    Ok(out)
}

fn limit(count: usize, path: &str) -> Result<()> {
    if count > MAX_CONDITIONS {
        return Err(Error::invalid(path, format!("at most {MAX_CONDITIONS} conditions")));
    }
    Ok(())
}

fn check(c: Condition, at: &str, depth: usize, count: &mut usize) -> Result<Condition> {
    let group = |items: Vec<Condition>, key: &str, count: &mut usize| -> Result<Vec<Condition>> {
        if depth >= MAX_DEPTH {
            return Err(Error::invalid(at, format!("at most {MAX_DEPTH} levels of all/any groups")));
        }
        if items.is_empty() {
            return Err(Error::invalid(format!("{at}.{key}"), "a group needs at least one condition"));
        }
        items.into_iter().enumerate().map(|(i, c)| check(c, &format!("{at}.{key}[{i}]"), depth + 1, count)).collect()
    };
    Ok(match c {
        Condition::All { all } => Condition::All { all: group(all, "all", count)? },
        Condition::Any { any } => Condition::Any { any: group(any, "any", count)? },
        Condition::Test(t) => {
            *count += 1;
            Condition::Test(check_test(t, at)?)
        }
    })
}

/// The operators a subject allows.
pub fn operators_for(subject: &Subject) -> &'static [Operator] {
    use Operator::*;
    match subject {
        Subject::EndReason | Subject::Direction | Subject::Goal => &[Eq, Ne, In, NotIn],
        Subject::Status => &[Eq, Ne, Contains, In, NotIn, IsEmpty, IsNotEmpty],
        Subject::Duration => &[Eq, Ne, Gt, Lt, Ge, Le, IsEmpty, IsNotEmpty],
        Subject::Field(_) => &Operator::ALL,
    }
}

fn check_test(t: Test, at: &str) -> Result<Test> {
    let subject = Subject::parse(&t.field).ok_or_else(|| {
        Error::invalid(
            format!("{at}.field"),
            format!("`{}` is not a call fact ({}) or a field name such as order_total", t.field, FACTS.join(", ")),
        )
    })?;
    let op = t.operator;
    if !operators_for(&subject).contains(&op) {
        let allowed = operators_for(&subject).iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ");
        return Err(Error::invalid(
            format!("{at}.operator"),
            format!("`{}` does not apply to {}; use {allowed}", op.as_str(), subject.key()),
        ));
    }
    let value = if !op.needs_value() {
        Json::Null
    } else if op.is_list() {
        let items = match t.value {
            Json::Array(items) => items,
            Json::Null => Vec::new(),
            one => vec![one],
        };
        if items.is_empty() || items.len() > MAX_VALUES {
            return Err(Error::invalid(
                format!("{at}.value"),
                format!("`{}` needs 1 to {MAX_VALUES} values", op.as_str()),
            ));
        }
        let mut out: Vec<Json> = Vec::new();
        for (j, v) in items.into_iter().enumerate() {
            let v = check_value(&subject, op, v, &format!("{at}.value[{j}]"))?;
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Json::Array(out)
    } else {
        check_value(&subject, op, t.value, &format!("{at}.value"))?
    };
    Ok(Test { field: subject.key(), operator: op, value })
}

fn check_value(subject: &Subject, op: Operator, value: Json, at: &str) -> Result<Json> {
    let bad = |m: String| Err(Error::invalid(at, m));
    if matches!(value, Json::Array(_) | Json::Object(_)) {
        return bad("must be a string, number, boolean or null".into());
    }
    if let Json::String(s) = &value
        && s.chars().count() > 200
    {
        return bad("must be at most 200 characters".into());
    }
    let text = || match &value {
        Json::String(s) => Some(s.trim().to_owned()),
        _ => None,
    };
    match subject {
        Subject::EndReason => {
            let v = text().unwrap_or_default().to_ascii_lowercase().replace('-', "_");
            if EndReason::ALL.iter().any(|r| r.as_str() == v) {
                Ok(Json::String(v))
            } else {
                bad(format!("`{}` is not a documented end reason", value_text(&value)))
            }
        }
        Subject::Direction => match Direction::parse(&text().unwrap_or_default()) {
            Ok(d) => Ok(Json::String(d.as_str().to_owned())),
            Err(m) => bad(m),
        },
        Subject::Goal => {
            let v = text().unwrap_or_default().to_ascii_lowercase();
            if ["success", "failure", "unknown"].contains(&v.as_str()) {
                Ok(Json::String(v))
            } else {
                bad(format!("`{}` is not a goal result (success, failure, unknown)", value_text(&value)))
            }
        }
        Subject::Status => match text() {
            Some(v) if !v.is_empty() => Ok(Json::String(v)),
            _ => bad("must be a status text such as completed".into()),
        },
        Subject::Duration => match number_of(&value) {
            Some(n) if n >= 0.0 => Ok(num(n)),
            _ => bad("must be a non-negative number of seconds".into()),
        },
        Subject::Field(_) if op.is_order() => match number_of(&value) {
            Some(n) => Ok(num(n)),
            None => bad(format!("`{}` compares numbers", op.as_str())),
        },
        Subject::Field(_) if op == Operator::Contains => match &value {
            Json::Null => bad("`contains` needs a value to look for".into()),
            Json::String(s) if s.trim().is_empty() => bad("`contains` needs a value to look for".into()),
            other => Ok(other.clone()),
        },
        Subject::Field(_) => Ok(match value {
            Json::String(s) => Json::String(s.trim().to_owned()),
            other => other,
        }),
    }
}

/// A number, or text that reads as one (`1,200`, `$40`).
pub(crate) fn number_of(value: &Json) -> Option<f64> {
    match value {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => number(s),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

/// A number as JSON: whole numbers without a fraction (`60`, not `60.0`).
pub(crate) fn num(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 1e15 { Json::from(n as i64) } else { Json::from(n) }
}
