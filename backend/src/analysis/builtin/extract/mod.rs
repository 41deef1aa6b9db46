//! Field extraction. Each field is read by its type and by what its name and description
//! say it is (a date, a time, an amount, a count, a person's name, a place, an id, free
//! text…). Candidates are collected from every sentence and weighed by how close they are
//! to the field's topic (the same sentence, or the agent's question the customer is
//! answering), by who said it, by whether it is negated, and by recency: what was settled
//! last wins, as when a caller corrects a date and the agent confirms.

use serde_json::Value as Json;

use super::doc::{Doc, Sentence};
mod enums;
use super::text::{STOPWORDS, stem};
use super::values::Mention;
use crate::analysis::{FieldSpec, FieldType, FieldValue};
use crate::calls::event::Speaker;

mod figures;
mod names;
mod text;
mod when;

use figures::{extract_emails, extract_identifier, extract_number, extract_phones};
use names::{extract_customer_name, extract_entity, extract_person, extract_place};
use text::{extract_boolean, extract_free_text, extract_items};
use when::{extract_date_time, extract_dates, extract_times, extract_weekday};

/// What a field holds, read from its type, name and description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Email,
    Phone,
    Date,
    /// A moment: date and time, as a local ISO 8601 date-time (`2026-11-24T15:00`).
    DateTime,
    Weekday,
    Time,
    PersonName,
    CustomerName,
    EntityName,
    Place,
    Identifier,
    Amount,
    Count,
    NumberId,
    FreeText,
    /// Things ordered or requested, as a comma-separated list ("Matcha Latte, Mocha").
    Items,
    Boolean,
    Enum,
}

/// Words of a field's name and description that say what it is but not what it is about.
const GENERIC: &[&str] = &[
    "name", "number", "date", "time", "day", "type", "value", "the", "user", "customer", "caller", "given", "mention",
    "mentioned", "call", "during", "if", "any", "which", "whether", "what", "id", "iso", "yyyy", "mm", "dd", "hh",
    "24h", "hour", "unless", "stated", "take", "takes", "place", "conversation", "tentative", "it", "should", "be",
    "api", "from", "for", "want", "wants", "information", "1", "31", "amount", "of", "to", "a", "an", "or", "and",
    "on", "in", "is",
];

/// The stems a field is about: its name's and description's words minus generic ones.
pub fn topic(spec: &FieldSpec) -> Vec<String> {
    let text = format!("{} {}", spec.name.replace(['.', '_', '-'], " "), spec.description);
    let mut out: Vec<String> = Vec::new();
    for word in text.to_lowercase().split(|c: char| !c.is_alphanumeric()) {
        if word.len() < 3 || GENERIC.contains(&word) || STOPWORDS.contains(&word) {
            continue;
        }
        let s = stem(word);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn says(text: &str, words: &[&str]) -> bool {
    let padded = format!(" {} ", text.to_lowercase().replace(['_', '.', '-', '(', ')', ','], " "));
    words.iter().any(|w| padded.contains(&format!(" {w} ")))
}

/// The category of a field.
pub fn category(spec: &FieldSpec) -> Category {
    let name = spec.name.rsplit('.').next().unwrap_or(&spec.name);
    let all = format!("{name} {}", spec.description);
    match spec.kind {
        FieldType::Enum => return Category::Enum,
        FieldType::Boolean => return Category::Boolean,
        FieldType::Number => {
            if says(&all, &["amount", "price", "cost", "balance", "fee", "dollars", "money", "payment", "total"])
                && !says(&all, &["number of", "quantity", "count"])
            {
                return Category::Amount;
            }
            if says(&all, &["id", "room number", "account number", "booking id", "code", "zip", "pin", "account name"])
                || says(name, &["id"])
            {
                return Category::NumberId;
            }
            return Category::Count;
        }
        FieldType::String => {}
    }
    if says(&all, &["email", "e mail"]) {
        Category::Email
    } else if says(&all, &["phone", "callback number", "mobile", "cell", "telephone"]) {
        Category::Phone
    } else if says(&all, &["datetime", "date and time", "date time", "iso 8601", "timestamp"]) {
        Category::DateTime
    } else if says(&all, &["date", "yyyy", "birthday"]) {
        Category::Date
    } else if says(name, &["day"]) || says(&spec.description, &["day of the week", "weekday"]) {
        Category::Weekday
    } else if says(&all, &["time", "hh", "hour"]) && !says(&all, &["hours"]) {
        Category::Time
    } else if says(
        &all,
        &["id", "pin", "code", "zip", "account number", "order number", "confirmation number", "reference"],
    ) {
        Category::Identifier
    } else if says(name, &["name"]) || says(&spec.description, &["name", "who"]) {
        if says(&all, &["customer", "caller", "your", "full", "first and last", "customer's", "caller's"])
            && !says(&all, &["recipient", "receiver", "contact", "guest"])
        {
            Category::CustomerName
        } else if says(
            &all,
            &[
                "recipient", "receiver", "contact", "guest", "passenger", "person", "payee", "friend", "director",
                "artist", "stylist", "therapist", "driver",
            ],
        ) {
            Category::PersonName
        } else {
            Category::EntityName
        }
    } else if says(
        &all,
        &[
            "city", "location", "area", "destination", "origin", "address", "where", "pickup location", "departure",
            "arrival", "venue", "place", "from", "to", "street", "located",
        ],
    ) {
        Category::Place
    } else if says(&all, &["receiver", "recipient", "payee", "contact"]) {
        Category::PersonName
    } else if says(&all, &["items", "item names", "products", "ordered", "menu item"]) {
        Category::Items
    } else {
        Category::FreeText
    }
}

/// Which end of a range a field is, from its topic ("pickup", "check in", "start").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Start,
    Finish,
    Either,
}

/// Which end of a range `spec` is. For places, arriving is the end of a journey; for dates
/// and times, arriving (at a hotel) starts a stay.
pub fn range_end(spec: &FieldSpec, place: bool) -> End {
    let name = spec.name.rsplit('.').next().unwrap_or(&spec.name);
    let all = format!("{name} {}", spec.description);
    let name_words: Vec<&str> = name.split('_').collect();
    let finish = says(
        &all,
        &[
            "end", "ends", "return", "dropoff", "drop off", "drop", "check out", "checkout", "until", "leave",
            "destination", "receiver", "recipient",
        ],
    ) || name_words.contains(&"to")
        || (place && says(&all, &["arrival", "arrive", "arriving"]));
    let start = says(
        &all,
        &[
            "start", "starts", "pickup", "pick up", "check in", "checkin", "begin", "origin", "originates", "source",
            "departure", "departing",
        ],
    ) || name_words.contains(&"from")
        || (!place && says(&all, &["arrival", "arrive"]));
    match (start, finish) {
        (true, false) => End::Start,
        (false, true) => End::Finish,
        _ => End::Either,
    }
}

/// A candidate value with its weight and where it came from.
#[derive(Clone, Debug)]
struct Candidate {
    value: Json,
    score: f64,
    sentence: usize,
}

/// How much sentence `i` is about `topic`: its own words, and for an answer the question
/// it answers.
fn topical(doc: &Doc, i: usize, topic: &[String]) -> f64 {
    let s = &doc.sentences[i];
    let own = s.hits(topic) as f64;
    let asked: f64 =
        doc.previous_turn(i).iter().filter(|q| q.question).map(|q| q.hits(topic) as f64).fold(0.0, f64::max);
    let first_in_turn = doc.sentences.iter().position(|x| x.turn == s.turn) == Some(i);
    own.min(2.0) + if first_in_turn { asked.min(2.0) * 0.8 } else { asked.min(2.0) * 0.4 }
}

const CONFIRMING: &[&str] = &[
    "confirm", "so you want", "just to confirm", "booked", "reserved", "scheduled", "your reservation",
    "your appointment", "has been", "is set", "you are all set", "got it", "i have", "i've",
];

fn negated_before(s: &Sentence, start: usize) -> bool {
    let before = s.raw[..start.min(s.raw.len())].to_lowercase();
    let words: Vec<&str> =
        before.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    words.iter().rev().take(3).any(|w| matches!(*w, "not" | "no" | "don't" | "isn't" | "never" | "instead"))
}

/// The weight of a value found at `start` in sentence `i`.
fn weigh(doc: &Doc, i: usize, start: usize, topic: &[String], prefer: Option<Speaker>) -> f64 {
    let s = &doc.sentences[i];
    let mut score = 1.0 + topical(doc, i, topic);
    if let Some(who) = prefer {
        score += if s.role == who { 0.6 } else { -0.6 };
    }
    if s.role == Speaker::Agent && CONFIRMING.iter().any(|c| s.norm.contains(&format!(" {c} "))) {
        score += 0.5;
    }
    if negated_before(s, start) {
        score -= 1.5;
    }
    // Later mentions settle earlier ones.
    score + 0.3 * (i as f64 / doc.sentences.len().max(1) as f64)
}

/// The weight of any value in sentence `i` (for enum option mentions).
pub fn sentence_weight(doc: &Doc, i: usize, topic: &[String]) -> f64 {
    weigh(doc, i, 0, topic, None)
}

fn best(mut candidates: Vec<Candidate>, doc: &Doc) -> Option<(Json, String)> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.sentence.cmp(&a.sentence)));
    let top = candidates.into_iter().next()?;
    Some((top.value, doc.sentences[top.sentence].raw.clone()))
}

/// Picks from each sentence's mentions by range end: with two or more values in one
/// sentence, a start field takes the first and an end field the last.
fn ranged<T: Clone>(mentions: &[Mention<T>], end: End, index: usize, text: &str) -> f64 {
    if mentions.len() < 2 {
        let before = text[..mentions[index].start].to_lowercase();
        let last_word = before.split_whitespace().last().unwrap_or("");
        return match (end, last_word) {
            (End::Finish, "until" | "till" | "through" | "to") => 0.8,
            (End::Start, "from" | "starting") => 0.8,
            (End::Start, "until" | "till" | "through") => -0.8,
            (End::Finish, "from" | "starting") => -0.8,
            _ => 0.0,
        };
    }
    match (end, index) {
        (End::Start, 0) => 1.0,
        (End::Finish, i) if i + 1 == mentions.len() => 1.0,
        (End::Either, _) => 0.0,
        _ => -1.0,
    }
}

/// Extracts one field.
pub fn extract(doc: &Doc, spec: &FieldSpec) -> FieldValue {
    let topic = topic(spec);
    let category = category(spec);
    let found = match category {
        Category::Email => extract_emails(doc, &topic),
        Category::Phone => extract_phones(doc, &topic),
        Category::Date => extract_dates(doc, spec, &topic),
        Category::DateTime => extract_date_time(doc, spec, &topic),
        Category::Weekday => extract_weekday(doc, &topic),
        Category::Time => extract_times(doc, spec, &topic),
        Category::CustomerName => extract_customer_name(doc, &topic),
        Category::PersonName => extract_person(doc, &topic),
        Category::EntityName => extract_entity(doc, spec, &topic),
        Category::Items => extract_items(doc),
        Category::Place => extract_place(doc, spec, &topic),
        Category::Identifier => extract_identifier(doc, spec, &topic),
        Category::Amount | Category::Count | Category::NumberId => extract_number(doc, spec, &topic, category),
        Category::FreeText => extract_free_text(doc, &topic),
        Category::Boolean => extract_boolean(doc, &topic),
        Category::Enum => enums::choose(doc, spec, &topic),
    };
    match found {
        Some((value, evidence)) => {
            FieldValue { name: spec.name.clone(), value: spec.coerce(&value), evidence: Some(evidence) }
        }
        None => FieldValue { name: spec.name.clone(), value: Json::Null, evidence: None },
    }
}

#[cfg(test)]
mod tests;
