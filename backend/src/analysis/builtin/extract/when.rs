//! Dates, weekdays and times.

use chrono::Datelike;
use serde_json::Value as Json;

use super::{Candidate, best, range_end, ranged, weigh};
use crate::analysis::FieldSpec;
use crate::analysis::builtin::doc::Doc;
use crate::analysis::builtin::values;

pub(super) fn extract_dates(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let end = range_end(spec, false);
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        let found = values::dates(&s.raw, doc.anchor);
        for (k, m) in found.iter().enumerate() {
            let score = weigh(doc, i, m.start, topic, None) + ranged(&found, end, k, &s.raw);
            candidates.push(Candidate {
                value: Json::from(m.value.format("%Y-%m-%d").to_string()),
                score,
                sentence: i,
            });
        }
    }
    best(candidates, doc)
}

pub(super) fn extract_weekday(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for m in values::dates(&s.raw, doc.anchor) {
            let name = values::weekday_name(m.value.weekday());
            candidates.push(Candidate {
                value: Json::from(name),
                score: weigh(doc, i, m.start, topic, None),
                sentence: i,
            });
        }
    }
    best(candidates, doc)
}

pub(super) fn extract_times(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let end = range_end(spec, false);
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        let found = values::times(&s.raw);
        for (k, m) in found.iter().enumerate() {
            let explicit = if m.value.explicit { 0.3 } else { 0.0 };
            let score = weigh(doc, i, m.start, topic, None) + ranged(&found, end, k, &s.raw) + explicit;
            candidates.push(Candidate {
                value: Json::from(m.value.time.format("%H:%M").to_string()),
                score,
                sentence: i,
            });
        }
    }
    best(candidates, doc)
}

/// A moment: the best date and the best time joined as a local ISO 8601 date-time
/// (`YYYY-MM-DDTHH:MM`). A time without a date is on the call's (local) day; a date without
/// a time stays a date.
pub(super) fn extract_date_time(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let date = extract_dates(doc, spec, topic);
    let time = extract_times(doc, spec, topic);
    match (date, time) {
        (Some((d, evidence)), Some((t, _))) => Some((Json::from(format!("{}T{}", d.as_str()?, t.as_str()?)), evidence)),
        (Some(d), None) => Some(d),
        (None, Some((t, evidence))) => {
            Some((Json::from(format!("{}T{}", doc.anchor.format("%Y-%m-%d"), t.as_str()?)), evidence))
        }
        (None, None) => None,
    }
}
