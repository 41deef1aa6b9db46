//! Reading a platform's JSON leniently: platforms add fields and vary number and string
//! types between versions, so fields are looked up by path and read as what they can be,
//! and only what Aftercall needs is checked (by [`RawCallEvent::validate`]).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::calls::event::{CallEnded, RawCallEvent};
use crate::error::Error;

/// The value at a dotted `path` (`call.call_id`), if any and not null.
pub(crate) fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key)).filter(|v| !v.is_null())
}

/// The text at `path`: a string, or a number or boolean written out.
pub(crate) fn text(value: &Value, path: &str) -> Option<String> {
    match at(value, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The first of `paths` that holds text.
pub(crate) fn first_text(value: &Value, paths: &[&str]) -> Option<String> {
    paths.iter().find_map(|p| text(value, p))
}

/// The number at `path`: a number, or a string holding one.
pub(crate) fn number(value: &Value, path: &str) -> Option<f64> {
    match at(value, path)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The boolean at `path`: `true`/`false`, or a string saying so.
pub(crate) fn boolean(value: &Value, path: &str) -> Option<bool> {
    match at(value, path)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "success" | "successful" | "pass" => Some(true),
            "false" | "no" | "failure" | "failed" | "fail" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The object at `path` (empty when absent or not an object).
pub(crate) fn object(value: &Value, path: &str) -> Map<String, Value> {
    at(value, path).and_then(Value::as_object).cloned().unwrap_or_default()
}

/// The array at `path` (empty when absent or not an array).
pub(crate) fn array<'a>(value: &'a Value, path: &str) -> &'a [Value] {
    at(value, path).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// Unix seconds or milliseconds (told apart by size) as RFC 3339.
pub(crate) fn unix_to_rfc3339(value: f64, millis: bool) -> Option<String> {
    let ms = if millis { value } else { value * 1000.0 };
    DateTime::<Utc>::from_timestamp_millis(ms.round() as i64).map(|t| t.to_rfc3339())
}

/// The first `max` characters of `value`.
fn clip(value: Option<String>, max: usize) -> Option<String> {
    value.map(|v| v.trim().chars().take(max).collect())
}

/// What a platform sends that our own event would refuse, but that must not lose the call:
/// a free-text end reason or status longer than our 64 characters is cut there (the end
/// reason is mapped before, from the whole text), and a number that is not E.164 (a SIP
/// address, `anonymous`) is left out and kept in the dynamic variables as
/// `from_number_raw` / `to_number_raw`.
fn tolerate(mut raw: RawCallEvent) -> RawCallEvent {
    raw.end_reason = clip(raw.end_reason, 64);
    raw.status = clip(raw.status, 64);
    raw.channel = clip(raw.channel, 64);
    let variables = raw.dynamic_variables.get_or_insert_with(Map::new);
    for (number, key) in [(&mut raw.from_number, "from_number_raw"), (&mut raw.to_number, "to_number_raw")] {
        if let Some(value) = number.as_deref().filter(|v| !v.trim().is_empty())
            && crate::types::E164::parse(value).is_err()
        {
            variables.insert(key.to_owned(), Value::String(value.to_owned()));
            *number = None;
        }
    }
    raw
}

/// Validates `raw` as any call-ended event (after [`tolerate`]), naming a bad field by
/// where the platform put it: `renames` maps the start of our field path (`call_id`,
/// `transcript`) onto the platform's (`call.call_id`, `call.transcript_object`).
pub(crate) fn validate(raw: RawCallEvent, renames: &[(&str, &str)]) -> Result<CallEnded, Error> {
    tolerate(raw).validate().map_err(|e| match e {
        Error::Invalid { field, message } => {
            let renamed = renames
                .iter()
                .find(|(ours, _)| field == *ours || field.starts_with(&format!("{ours}[")))
                .map(|(ours, theirs)| format!("{theirs}{}", &field[ours.len()..]))
                .unwrap_or(field);
            Error::Invalid { field: renamed, message }
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_read_leniently_by_path() {
        let v = json!({"a": {"b": "x", "n": "12.5", "t": true, "z": null}, "list": [1]});
        assert_eq!(text(&v, "a.b").as_deref(), Some("x"));
        assert_eq!(number(&v, "a.n"), Some(12.5));
        assert_eq!(boolean(&v, "a.t"), Some(true));
        assert_eq!(at(&v, "a.z"), None);
        assert_eq!(first_text(&v, &["a.missing", "a.b"]).as_deref(), Some("x"));
        assert_eq!(array(&v, "list").len(), 1);
        assert!(array(&v, "a").is_empty());
        assert_eq!(unix_to_rfc3339(1_700_000_000.0, false).as_deref(), Some("2023-11-14T22:13:20+00:00"));
    }

    #[test]
    fn long_texts_are_cut_and_odd_numbers_kept_aside_instead_of_losing_the_call() {
        let raw = RawCallEvent {
            call_id: Some("c".into()),
            agent_id: Some("a".into()),
            end_reason: Some("x".repeat(300)),
            from_number: Some("sip:caller@example.com".into()),
            to_number: Some("+1 415 555 0100".into()),
            transcript: Some(vec![]),
            ..Default::default()
        };
        let call = validate(raw, &[]).unwrap();
        assert_eq!(call.end_reason_raw.map(|r| r.len()), Some(64));
        assert_eq!(call.from_number, None);
        assert_eq!(call.dynamic_variables["from_number_raw"], "sip:caller@example.com");
        assert_eq!(call.to_number.map(|n| n.as_str().to_owned()).as_deref(), Some("+14155550100"));
    }

    #[test]
    fn errors_name_the_platforms_field() {
        let raw = RawCallEvent { agent_id: Some("a".into()), transcript: Some(vec![]), ..Default::default() };
        let err = validate(raw, &[("call_id", "call.call_id")]).unwrap_err();
        assert!(matches!(err, Error::Invalid { ref field, .. } if field == "call.call_id"), "{err:?}");
    }
}
