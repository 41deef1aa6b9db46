//! Emails, phone numbers, numbers (amounts, counts, numeric ids) and identifiers.

use serde_json::Value as Json;

use super::Category;
use super::{Candidate, best, says, weigh};
use crate::analysis::FieldSpec;
use crate::analysis::builtin::doc::Doc;
use crate::analysis::builtin::text::stem;
use crate::analysis::builtin::values;
use crate::calls::event::Speaker;

pub(super) fn extract_emails(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for m in values::emails(&s.raw) {
            candidates.push(Candidate {
                value: Json::from(m.value),
                score: weigh(doc, i, m.start, topic, Some(Speaker::User)),
                sentence: i,
            });
        }
    }
    best(candidates, doc)
}

pub(super) fn extract_phones(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for m in values::phones(&s.raw, doc.phone_country.as_deref()) {
            candidates.push(Candidate {
                value: Json::from(m.value),
                score: weigh(doc, i, m.start, topic, Some(Speaker::User)),
                sentence: i,
            });
        }
    }
    best(candidates, doc)
}

/// Units that say a number counts people.
const PEOPLE: &[&str] = &["people", "person", "persons", "guests", "guest", "of us", "adults", "pax"];

pub(super) fn extract_number(
    doc: &Doc,
    spec: &FieldSpec,
    topic: &[String],
    category: Category,
) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    let people_field = says(
        &format!("{} {}", spec.name, spec.description),
        &["people", "party", "guests", "seats", "passengers", "persons", "group", "attendees"],
    );
    for (i, s) in doc.sentences.iter().enumerate() {
        let time_spans: Vec<(usize, usize)> = values::times(&s.raw).iter().map(|m| (m.start, m.end)).collect();
        let date_spans: Vec<(usize, usize)> =
            values::dates(&s.raw, doc.anchor).iter().map(|m| (m.start, m.end)).collect();
        let phone_spans: Vec<(usize, usize)> =
            values::phones(&s.raw, doc.phone_country.as_deref()).iter().map(|m| (m.start, m.end)).collect();
        for m in values::numbers(&s.raw) {
            let inside = |spans: &[(usize, usize)]| spans.iter().any(|(a, b)| m.start >= *a && m.start < *b);
            if inside(&time_spans) || inside(&date_spans) || inside(&phone_spans) {
                continue;
            }
            let n = &m.value;
            let next_stem = n.next.as_deref().map(stem).unwrap_or_default();
            let mut score = weigh(doc, i, m.start, topic, None);
            match category {
                Category::Amount => {
                    score += if n.currency { 1.5 } else { -0.5 };
                }
                Category::Count => {
                    if n.currency {
                        score -= 2.0;
                    }
                    if topic.contains(&next_stem) {
                        score += 1.5;
                    }
                    if people_field && n.next.as_deref().is_some_and(|w| PEOPLE.contains(&w)) {
                        score += 1.2;
                    }
                    if people_field && matches!(n.prev.as_deref(), Some("for" | "of")) {
                        score += 0.6;
                    }
                    if n.value > 1000.0 || n.value.fract() != 0.0 {
                        score -= 1.5;
                    }
                }
                Category::NumberId => {
                    if n.currency {
                        score -= 2.0;
                    }
                    if n.digits && n.value >= 10.0 {
                        score += 0.8;
                    }
                }
                _ => {}
            }
            if n.value == 1.0
                && !n.digits
                && matches!(n.prev.as_deref(), Some("the" | "this" | "that" | "which" | "any"))
            {
                continue; // "the one", "any one"
            }
            if let Some(num) = serde_json::Number::from_f64(n.value) {
                candidates.push(Candidate { value: Json::Number(num), score, sentence: i });
            }
        }
    }
    candidates.retain(|c| c.score > 1.2);
    best(candidates, doc)
}

pub(super) fn extract_identifier(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let pin = says(&format!("{} {}", spec.name, spec.description), &["pin"]);
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for w in values::words(&s.raw) {
            let digits: String = w.raw.chars().filter(char::is_ascii_digit).collect();
            let alnum_id = w.raw.chars().any(|c| c.is_ascii_digit())
                && w.raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && w.raw.len() >= 4;
            if digits.len() < 3 && !alnum_id {
                continue;
            }
            let after = s.raw[w.end..].trim_start().to_lowercase();
            if w.raw.starts_with('$')
                || after.starts_with("dollar")
                || after.starts_with("bucks")
                || w.raw.contains([',', '.', ':', '/'])
            {
                continue; // money, decimals, times and dates are not ids
            }
            let mut score = weigh(doc, i, w.start, topic, None) + 0.05 * digits.len().min(12) as f64;
            if pin {
                score += if digits.len() == 4 { 1.0 } else { -1.0 };
            }
            candidates.push(Candidate { value: Json::from(w.raw.clone()), score, sentence: i });
        }
    }
    candidates.retain(|c| c.score > 1.5);
    best(candidates, doc)
}
