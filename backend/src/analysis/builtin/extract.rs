//! Field extraction. Each field is read by its type and by what its name and description
//! say it is (a date, a time, an amount, a count, a person's name, a place, an id, free
//! text…). Candidates are collected from every sentence and weighed by how close they are
//! to the field's topic (the same sentence, or the agent's question the customer is
//! answering), by who said it, by whether it is negated, and by recency: what was settled
//! last wins, as when a caller corrects a date and the agent confirms.

use chrono::Datelike;
use serde_json::Value as Json;

use super::doc::{Doc, Sentence};
use super::enums;
use super::text::{STOPWORDS, stem};
use super::values::{self, Mention};
use crate::analysis::{FieldSpec, FieldType, FieldValue};
use crate::calls::event::Speaker;

/// What a field holds, read from its type, name and description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Email,
    Phone,
    Date,
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
    "mentioned", "call", "during", "if", "any", "which", "whether", "what", "id", "iso", "yyyy", "mm", "dd", "hh", "24h",
    "hour", "unless", "stated", "take", "takes", "place", "conversation", "tentative", "it", "should", "be", "api", "from",
    "for", "want", "wants", "information", "1", "31", "amount", "of", "to", "a", "an", "or", "and", "on", "in", "is",
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
            if says(&all, &["amount", "price", "cost", "balance", "fee", "dollars", "money", "payment", "total"]) && !says(&all, &["number of", "quantity", "count"]) {
                return Category::Amount;
            }
            if says(&all, &["id", "room number", "account number", "booking id", "code", "zip", "pin", "account name"]) || says(name, &["id"]) {
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
    } else if says(&all, &["date", "yyyy", "birthday"]) {
        Category::Date
    } else if says(name, &["day"]) || says(&spec.description, &["day of the week", "weekday"]) {
        Category::Weekday
    } else if says(&all, &["time", "hh", "hour"]) && !says(&all, &["hours"]) {
        Category::Time
    } else if says(&all, &["id", "pin", "code", "zip", "account number", "order number", "confirmation number", "reference"]) {
        Category::Identifier
    } else if says(name, &["name"]) || says(&spec.description, &["name", "who"]) {
        if says(&all, &["customer", "caller", "your", "full", "first and last", "customer's", "caller's"]) && !says(&all, &["recipient", "receiver", "contact", "guest"]) {
            Category::CustomerName
        } else if says(&all, &["recipient", "receiver", "contact", "guest", "passenger", "person", "payee", "friend", "director", "artist", "stylist", "therapist", "driver"]) {
            Category::PersonName
        } else {
            Category::EntityName
        }
    } else if says(&all, &["city", "location", "area", "destination", "origin", "address", "where", "pickup location", "departure", "arrival", "venue", "place", "from", "to", "street", "located"]) {
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
    let finish = says(&all, &["end", "ends", "return", "dropoff", "drop off", "drop", "check out", "checkout", "until", "leave", "destination", "receiver", "recipient"])
        || name_words.contains(&"to")
        || (place && says(&all, &["arrival", "arrive", "arriving"]));
    let start = says(&all, &["start", "starts", "pickup", "pick up", "check in", "checkin", "begin", "origin", "originates", "source", "departure", "departing"])
        || name_words.contains(&"from")
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
    let asked: f64 = doc.previous_turn(i).iter().filter(|q| q.question).map(|q| q.hits(topic) as f64).fold(0.0, f64::max);
    let first_in_turn = doc.sentences.iter().position(|x| x.turn == s.turn) == Some(i);
    own.min(2.0) + if first_in_turn { asked.min(2.0) * 0.8 } else { asked.min(2.0) * 0.4 }
}

const CONFIRMING: &[&str] = &[
    "confirm", "so you want", "just to confirm", "booked", "reserved", "scheduled", "your reservation", "your appointment",
    "has been", "is set", "you are all set", "got it", "i have", "i've",
];

fn negated_before(s: &Sentence, start: usize) -> bool {
    let before = s.raw[..start.min(s.raw.len())].to_lowercase();
    let words: Vec<&str> = before.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
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

fn extract_dates(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let end = range_end(spec, false);
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        let found = values::dates(&s.raw, doc.anchor);
        for (k, m) in found.iter().enumerate() {
            let score = weigh(doc, i, m.start, topic, None) + ranged(&found, end, k, &s.raw);
            candidates.push(Candidate { value: Json::from(m.value.format("%Y-%m-%d").to_string()), score, sentence: i });
        }
    }
    best(candidates, doc)
}

fn extract_weekday(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for m in values::dates(&s.raw, doc.anchor) {
            let name = values::weekday_name(m.value.weekday());
            candidates.push(Candidate { value: Json::from(name), score: weigh(doc, i, m.start, topic, None), sentence: i });
        }
    }
    best(candidates, doc)
}

fn extract_times(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let end = range_end(spec, false);
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        let found = values::times(&s.raw);
        for (k, m) in found.iter().enumerate() {
            let explicit = if m.value.explicit { 0.3 } else { 0.0 };
            let score = weigh(doc, i, m.start, topic, None) + ranged(&found, end, k, &s.raw) + explicit;
            candidates.push(Candidate { value: Json::from(m.value.time.format("%H:%M").to_string()), score, sentence: i });
        }
    }
    best(candidates, doc)
}

fn extract_emails(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for m in values::emails(&s.raw) {
            candidates.push(Candidate { value: Json::from(m.value), score: weigh(doc, i, m.start, topic, Some(Speaker::User)), sentence: i });
        }
    }
    best(candidates, doc)
}

fn extract_phones(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for m in values::phones(&s.raw, doc.phone_country.as_deref()) {
            candidates.push(Candidate { value: Json::from(m.value), score: weigh(doc, i, m.start, topic, Some(Speaker::User)), sentence: i });
        }
    }
    best(candidates, doc)
}

/// Units that say a number counts people.
const PEOPLE: &[&str] = &["people", "person", "persons", "guests", "guest", "of us", "adults", "pax"];

fn extract_number(doc: &Doc, spec: &FieldSpec, topic: &[String], category: Category) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    let people_field = says(&format!("{} {}", spec.name, spec.description), &["people", "party", "guests", "seats", "passengers", "persons", "group", "attendees"]);
    for (i, s) in doc.sentences.iter().enumerate() {
        let time_spans: Vec<(usize, usize)> = values::times(&s.raw).iter().map(|m| (m.start, m.end)).collect();
        let date_spans: Vec<(usize, usize)> = values::dates(&s.raw, doc.anchor).iter().map(|m| (m.start, m.end)).collect();
        let phone_spans: Vec<(usize, usize)> = values::phones(&s.raw, doc.phone_country.as_deref()).iter().map(|m| (m.start, m.end)).collect();
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
            if n.value == 1.0 && !n.digits && matches!(n.prev.as_deref(), Some("the" | "this" | "that" | "which" | "any")) {
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

fn extract_identifier(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let pin = says(&format!("{} {}", spec.name, spec.description), &["pin"]);
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for w in values::words(&s.raw) {
            let digits: String = w.raw.chars().filter(char::is_ascii_digit).collect();
            let alnum_id = w.raw.chars().any(|c| c.is_ascii_digit()) && w.raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && w.raw.len() >= 4;
            if digits.len() < 3 && !alnum_id {
                continue;
            }
            let after = s.raw[w.end..].trim_start().to_lowercase();
            if w.raw.starts_with('$') || after.starts_with("dollar") || after.starts_with("bucks") || w.raw.contains([',', '.', ':', '/']) {
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

/// Word sequences after which a caller says their own name.
const NAME_CUES: &[&[&str]] = &[
    &["my", "name", "is"],
    &["name", "is"],
    &["my", "name's"],
    &["name's"],
    &["this", "is"],
    &["i", "am"],
    &["i'm"],
    &["it's"],
    &["call", "me"],
    &["under"],
    &["the", "name"],
];

/// Words that end a name.
const NAME_STOPS: &[&str] = &[
    "and", "i", "i'm", "im", "i'd", "calling", "from", "with", "here", "please", "thanks", "thank", "how", "can", "could",
    "would", "want", "need", "like", "looking", "trying", "just", "so", "but", "the", "a", "an", "to", "for", "speaking",
    "again", "yes", "no", "uh", "um", "um,", "is", "my", "you", "what", "it", "that", "at", "in", "on", "of",
];

/// Words after "I am" / "I'm" that are not names.
const NOT_A_NAME: &[&str] = &[
    "looking", "calling", "trying", "interested", "fine", "good", "great", "well", "here", "sorry", "not", "going", "so",
    "a", "an", "the", "just", "also", "wondering", "hoping", "planning", "having", "getting", "sure", "ok", "okay", "in",
    "at", "on", "from", "very", "really", "still", "glad", "happy", "afraid", "done", "all", "ready", "available", "new",
    "thinking", "currently", "actually", "staying", "moving", "travelling", "traveling", "flying", "free",
];

fn name_after(s: &Sentence) -> Option<String> {
    let ws = values::words(&s.raw);
    let written = s.raw.chars().any(char::is_uppercase);
    for cue in NAME_CUES {
        for start in 0..ws.len() {
            let matches = cue.iter().enumerate().all(|(k, c)| ws.get(start + k).is_some_and(|w| w.text == *c));
            if !matches {
                continue;
            }
            let mut k = start + cue.len();
            if ws.get(k).is_some_and(|w| matches!(w.text.as_str(), "mr" | "mrs" | "ms")) {
                k += 1;
            }
            let mut name: Vec<String> = Vec::new();
            while let Some(w) = ws.get(k) {
                if NAME_STOPS.contains(&w.text.as_str()) || w.raw.chars().any(|c| c.is_ascii_digit()) || name.len() == 3 {
                    break;
                }
                name.push(w.raw.clone());
                k += 1;
                if s.raw[w.end..].starts_with([',', '.', '!', '?', ';']) {
                    break;
                }
            }
            let Some(first) = name.first() else { continue };
            if NOT_A_NAME.contains(&first.to_lowercase().as_str()) {
                continue;
            }
            // In written text ("I am hungry", "this is urgent") only capitalised words count.
            let loose_cue = matches!(cue.first(), Some(&"i" | &"i'm" | &"it's" | &"this" | &"under" | &"call"));
            if loose_cue && written && !first.starts_with(char::is_uppercase) {
                continue;
            }
            let joined = name.join(" ");
            return Some(if joined.chars().any(char::is_uppercase) { joined } else { values::title_case(&joined) });
        }
    }
    None
}

fn extract_customer_name(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.role != Speaker::User {
            continue;
        }
        if let Some(name) = name_after(s) {
            candidates.push(Candidate { value: Json::from(name), score: 3.0 + 0.1 * (i as f64 / doc.sentences.len() as f64), sentence: i });
            continue;
        }
        // A short answer to "May I have your name?"
        let asked = doc.previous_turn(i).iter().any(|q| {
            (q.has("your name") || q.has("your full name") || q.has("your first") || q.has("name please") || q.has("who am i speaking") || q.has("who is this") || q.has("name for the"))
                && !["maiden", "pet", "mother", "father", "doctor", "restaurant", "hotel", "venue", "company", "child", "dog", "cat", "guest", "recipient"].iter().any(|w| q.has(w))
        });
        let first_in_turn = doc.sentences.iter().position(|x| x.turn == s.turn) == Some(i);
        let ws = values::words(&s.raw);
        if asked && first_in_turn && (1..=4).contains(&ws.len()) && ws.iter().all(|w| !w.raw.chars().any(|c| c.is_ascii_digit())) {
            let kept: Vec<String> = ws
                .iter()
                .filter(|w| !matches!(w.text.as_str(), "it's" | "its" | "is" | "my" | "name" | "sure" | "yes" | "it" | "uh" | "um" | "hi" | "hello" | "i" | "think" | "i'm" | "this" | "am"))
                .map(|w| w.raw.clone())
                .collect();
            if !kept.is_empty() && kept.len() <= 3 {
                let joined = kept.join(" ");
                let value = if joined.chars().any(char::is_uppercase) { joined } else { values::title_case(&joined) };
                candidates.push(Candidate { value: Json::from(value), score: 2.5 + topical(doc, i, topic) * 0.1, sentence: i });
            }
        }
    }
    best(candidates, doc)
}

fn proper_names(doc: &Doc, topic: &[String], prefer: Option<Speaker>, exclude_first_person: bool) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        for m in values::capitalised(&s.raw) {
            if exclude_first_person && s.role == Speaker::User && name_after(s).is_some_and(|n| n == m.value) {
                continue;
            }
            let mut score = weigh(doc, i, m.start, topic, prefer);
            let words = m.value.split_whitespace().count();
            score += 0.15 * words.min(4) as f64;
            candidates.push(Candidate { value: Json::from(m.value), score, sentence: i });
        }
    }
    candidates
}

/// How much the preposition before a name says it is a place of the kind the field wants:
/// cities and areas come after "in", venues and addresses after "at".
fn preposition_weight(prev: &str, wants_address: bool) -> f64 {
    match (prev, wants_address) {
        ("in" | "near" | "around" | "of", false) => 1.0,
        ("to" | "from" | "into" | "towards", _) => 0.6,
        ("at" | "on", true) => 1.0,
        ("at", false) => -0.2,
        ("in", true) => 0.4,
        _ => 0.0,
    }
}

fn extract_place(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let end = range_end(spec, true);
    let wants_address = says(&spec.description, &["address", "street"]);
    let mut candidates = proper_names(doc, topic, None, true);
    for c in &mut candidates {
        let s = &doc.sentences[c.sentence];
        let value = c.value.as_str().unwrap_or_default();
        // Places are not rewarded for being long, unlike venue names.
        c.score -= 0.15 * value.split_whitespace().count().min(4) as f64;
        if let Some(pos) = s.raw.find(value) {
            let before = s.raw[..pos].to_lowercase();
            let prev = before.split_whitespace().last().unwrap_or("");
            c.score += preposition_weight(prev, wants_address);
            match (end, prev) {
                (End::Start, "from") | (End::Finish, "to") => c.score += 0.6,
                (End::Start, "to") | (End::Finish, "from") => c.score -= 0.6,
                _ => {}
            }
            if value.starts_with(|ch: char| ch.is_ascii_digit()) && !says(&spec.description, &["address", "street", "location"]) {
                c.score -= 0.5;
            }
        }
    }
    best(candidates, doc)
}

fn extract_entity(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    let wants_address = says(&spec.description, &["address", "street", "location"]);
    let mut candidates = proper_names(doc, topic, None, true);
    for c in &mut candidates {
        let s = &doc.sentences[c.sentence];
        let value = c.value.as_str().unwrap_or_default().to_owned();
        if let Some(pos) = s.raw.find(&value) {
            let before = s.raw[..pos].to_lowercase();
            // Venues come after "at" or "with"; cities after "in".
            match before.split_whitespace().last().unwrap_or("") {
                "at" | "with" | "called" | "named" | "about" => c.score += 0.6,
                "in" | "near" | "around" => c.score -= 0.8,
                _ => {}
            }
        }
        if value.starts_with(|ch: char| ch.is_ascii_digit()) && !wants_address && value.split_whitespace().count() > 2 {
            c.score -= 1.0; // a street address, not a name
        }
    }
    let candidates = candidates.into_iter().filter(|c| c.score > 1.0).collect();
    best(candidates, doc)
}

fn extract_person(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = proper_names(doc, topic, None, true);
    for c in &mut candidates {
        let s = &doc.sentences[c.sentence];
        if let Some(pos) = s.raw.find(c.value.as_str().unwrap_or_default()) {
            let prev = s.raw[..pos].to_lowercase();
            if prev.trim_end().ends_with(" to") || prev.trim_end().ends_with(" with") || prev.trim_end().ends_with(" for") {
                c.score += 0.6;
            }
        }
    }
    best(candidates, doc)
}

/// Words that introduce what a customer orders.
const ORDER_VERBS: &[&[&str]] = &[
    &["i", "want"], &["i", "would", "like"], &["i'd", "like"], &["can", "i", "get"], &["could", "i", "get"],
    &["can", "i", "have"], &["i'll", "have"], &["i", "will", "have"], &["i", "need"], &["give", "me"], &["get", "me"],
    &["order"], &["i'll", "take"], &["like", "to", "order"],
];

/// Singular of a plural noun ("Lattes" → "Latte", "Cappuccinos" → "Cappuccino").
fn singular(word: &str) -> String {
    if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

/// Items ordered: the noun phrases after "I want / I'd like / can I get" and a quantity
/// or article in the customer's turns, up to "please", "with" or punctuation; plurals made
/// singular, capitalised words preferred.
fn extract_items(doc: &Doc) -> Option<(Json, String)> {
    let mut items: Vec<String> = Vec::new();
    let mut evidence = String::new();
    for s in doc.sentences.iter().filter(|s| s.role == Speaker::User) {
        let ws = values::words(&s.raw);
        for start in 0..ws.len() {
            let Some(verb) = ORDER_VERBS.iter().find(|v| v.iter().enumerate().all(|(k, w)| ws.get(start + k).is_some_and(|x| x.text == *w))) else { continue };
            let mut k = start + verb.len();
            let mut phrase: Vec<String> = Vec::new();
            while let Some(w) = ws.get(k) {
                let t = w.text.as_str();
                // "I would like a, let's see…": a pause before the item, not an item.
                if phrase.is_empty() && k > 0 && s.raw[ws[k - 1].end..w.start].contains([',', '.', '!', '?']) {
                    break;
                }
                if phrase.is_empty() && (matches!(t, "a" | "an" | "one" | "the" | "some" | "to" | "order" | "get") || values::word_number(t).is_some() || t.chars().all(|c| c.is_ascii_digit())) {
                    k += 1;
                    continue;
                }
                if matches!(t, "please" | "with" | "and" | "to" | "for" | "if" | "but" | "that" | "it" | "too") || s.raw[ws[k.saturating_sub(1)].end..w.start].contains([',', '.', '!', '?']) && !phrase.is_empty() {
                    break;
                }
                phrase.push(w.raw.clone());
                k += 1;
                if phrase.len() == 4 {
                    break;
                }
            }
            // Capitalised menu names, or the whole phrase when nothing is capitalised.
            let caps: Vec<String> = phrase.iter().filter(|w| w.starts_with(char::is_uppercase)).cloned().collect();
            let chosen = if caps.is_empty() { phrase } else { caps };
            if let Some(last) = chosen.last() {
                let mut words = chosen.clone();
                let n = words.len();
                words[n - 1] = singular(last);
                let item = words.join(" ");
                if !items.iter().any(|i| i.eq_ignore_ascii_case(&item)) && item.chars().any(char::is_alphabetic) {
                    items.push(item);
                    if evidence.is_empty() {
                        evidence = s.raw.clone();
                    }
                }
            }
        }
    }
    // In written transcripts menu names are capitalised: keep those when there are any.
    if items.iter().any(|i| i.starts_with(char::is_uppercase)) {
        items.retain(|i| i.starts_with(char::is_uppercase));
    }
    (!items.is_empty()).then(|| (Json::from(items.join(", ")), evidence))
}

/// Leading filler a free-text answer can lose.
const FILLER_STARTS: &[&str] = &["well,", "well", "um,", "um", "uh,", "uh", "yes,", "yes", "yeah,", "yeah", "so,", "so", "ok,", "ok", "okay,", "okay", "sure,", "sure", "hi,", "hi", "hello,", "hello"];

fn clean_answer(text: &str) -> String {
    let mut t = text.trim();
    loop {
        let lower = t.to_lowercase();
        let Some(f) = FILLER_STARTS.iter().find(|f| lower.starts_with(*f) && lower[f.len()..].starts_with([' ', ','])) else { break };
        t = t[f.len()..].trim_start_matches([',', ' ']);
    }
    t.trim_end_matches(['.', '!']).trim().to_owned()
}

fn extract_free_text(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.role != Speaker::User || s.norm.split_whitespace().count() < 2 {
            continue;
        }
        let asked: f64 = doc.previous_turn(i).iter().filter(|q| q.question).map(|q| q.hits(topic) as f64).fold(0.0, f64::max);
        let own = s.hits(topic) as f64;
        let score = asked * 1.2 + own;
        if score <= 0.0 {
            continue;
        }
        candidates.push(Candidate { value: Json::from(clean_answer(&s.raw)), score: score + 0.05 * s.norm.split_whitespace().count().min(20) as f64 / 20.0, sentence: i });
    }
    best(candidates, doc)
}

const YES: &[&str] = &["yes", "yeah", "yep", "sure", "please", "definitely", "of course", "correct", "that's right", "i do", "i would", "absolutely", "ok", "okay", "yup", "i will", "we do", "we will", "sounds good"];
const NO: &[&str] = &["no", "nope", "not", "don't", "do not", "won't", "nah", "without", "none", "never", "neither"];

fn polarity(text: &str) -> Option<bool> {
    let norm = format!(" {} ", super::text::normalize(text).trim());
    let yes = YES.iter().any(|w| norm.contains(&format!(" {} ", super::text::normalize(w).trim())));
    let no = NO.iter().any(|w| norm.contains(&format!(" {} ", super::text::normalize(w).trim())));
    match (yes, no) {
        (_, true) => Some(false),
        (true, false) => Some(true),
        _ => None,
    }
}

fn extract_boolean(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        let hits = s.hits(topic);
        if hits == 0 {
            continue;
        }
        if s.question && s.role == Speaker::Agent {
            // The answer to the agent's yes/no question about the topic.
            if let Some(answer) = doc.next_turn(i).first()
                && let Some(p) = polarity(&answer.raw)
            {
                candidates.push(Candidate { value: Json::Bool(p), score: 2.0 + hits as f64 + 0.01 * i as f64, sentence: i });
            }
        } else if s.role == Speaker::User {
            let negated = super::text::NEGATORS.iter().any(|n| s.has(n));
            candidates.push(Candidate { value: Json::Bool(!negated), score: 1.0 + hits as f64 + 0.01 * i as f64, sentence: i });
        } else if !s.question {
            let negated = super::text::NEGATORS.iter().any(|n| s.has(n));
            candidates.push(Candidate { value: Json::Bool(!negated), score: 0.8 + hits as f64 + 0.01 * i as f64, sentence: i });
        }
    }
    best(candidates, doc)
}

/// Extracts one field.
pub fn extract(doc: &Doc, spec: &FieldSpec) -> FieldValue {
    let topic = topic(spec);
    let category = category(spec);
    let found = match category {
        Category::Email => extract_emails(doc, &topic),
        Category::Phone => extract_phones(doc, &topic),
        Category::Date => extract_dates(doc, spec, &topic),
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
        Some((value, evidence)) => FieldValue { name: spec.name.clone(), value: spec.coerce(&value), evidence: Some(evidence) },
        None => FieldValue { name: spec.name.clone(), value: Json::Null, evidence: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{AnalysisRequest, CallFacts};
    use crate::calls::event::Turn;

    fn doc(turns: &[(&str, &str)]) -> Doc {
        let transcript = turns
            .iter()
            .map(|(r, t)| Turn { role: if *r == "a" { Speaker::Agent } else { Speaker::User }, text: (*t).to_owned(), start_s: None, end_s: None })
            .collect();
        Doc::new(&AnalysisRequest {
            transcript,
            started_at: chrono::DateTime::parse_from_rfc3339("2019-03-01T15:34:00Z").ok().map(|d| d.with_timezone(&chrono::Utc)),
            timezone: "UTC".into(),
            call: CallFacts { phone_country: Some("1".into()), ..Default::default() },
            ..Default::default()
        })
    }

    fn value(d: &Doc, name: &str, kind: FieldType, description: &str) -> Json {
        extract(d, &FieldSpec::new(name, kind, description, vec![])).value
    }

    fn restaurant() -> Doc {
        doc(&[
            ("u", "I want to make a dinner reservation on March 5th."),
            ("a", "What area are you looking in? What time do you want the reservation for?"),
            ("u", "I want a restaurant in San Jose, for 18:30, please."),
            ("a", "Which restaurant do you want to book a table at?"),
            ("u", "Can you get me a table at Ludwig's German Table?"),
            ("a", "So you want a table for 2 people next Tuesday at 6:30 pm at Ludwig's German Table in San Jose?"),
            ("u", "Yes, that's right."),
            ("a", "Your table has been reserved."),
        ])
    }

    #[test]
    fn a_restaurant_booking_yields_its_slots() {
        let d = restaurant();
        assert_eq!(value(&d, "date", FieldType::String, "Tentative date of restaurant reservation (ISO date YYYY-MM-DD)"), Json::from("2019-03-05"));
        assert_eq!(value(&d, "time", FieldType::String, "Tentative time of restaurant reservation (24h HH:MM)"), Json::from("18:30"));
        assert_eq!(value(&d, "number_of_seats", FieldType::Number, "Number of seats to reserve at the restaurant"), serde_json::json!(2));
        assert_eq!(value(&d, "restaurant_name", FieldType::String, "Name of the restaurant"), Json::from("Ludwig's German Table"));
        assert_eq!(value(&d, "location", FieldType::String, "City where the restaurant is located"), Json::from("San Jose"));
    }

    #[test]
    fn names_emails_phones_and_ids_come_from_the_customer() {
        let d = doc(&[
            ("a", "sure, may I have your name please?"),
            ("u", "Crystal Minh"),
            ("a", "ok, may I have your username, email address and order ID please?"),
            ("u", "cminh730@email.com"),
            ("u", "Order ID: 3348917502"),
            ("a", "I'd just need your phone number."),
            ("u", "(977) 625-2661"),
        ]);
        assert_eq!(value(&d, "customer_name", FieldType::String, "Customer's full name."), Json::from("Crystal Minh"));
        assert_eq!(value(&d, "customer_email", FieldType::String, "Customer's email address if given."), Json::from("cminh730@email.com"));
        assert_eq!(value(&d, "order_id", FieldType::String, "Order ID mentioned by the customer."), Json::from("3348917502"));
        assert_eq!(value(&d, "callback_number", FieldType::String, "Phone number the customer gave for a callback."), Json::from("+19776252661"));
    }

    #[test]
    fn spoken_lower_case_names_and_amounts_are_read() {
        let d = doc(&[
            ("a", "hello this is harper valley national bank my name is linda how can i help you today"),
            ("u", "hi my name is robert johnson i would like to transfer money between my accounts"),
            ("a", "how much would you like to transfer"),
            ("u", "one hundred and thirty five dollars from savings to checking"),
        ]);
        assert_eq!(value(&d, "customer_name", FieldType::String, "Caller's first and last name."), Json::from("Robert Johnson"));
        assert_eq!(value(&d, "transfer_amount", FieldType::Number, "transfer amount"), serde_json::json!(135));
    }

    #[test]
    fn free_text_is_the_answer_to_the_question_about_it() {
        let d = doc(&[
            ("a", "Could you describe your symptoms, please?"),
            ("u", "I have had a headache, dizziness and muscle weakness for two days now."),
            ("a", "Alright, Dr. Johnson is available at 8 pm."),
        ]);
        let v = value(&d, "symptoms", FieldType::String, "Symptoms (doctor_schedule)");
        assert_eq!(v, Json::from("I have had a headache, dizziness and muscle weakness for two days now"));
    }

    #[test]
    fn booleans_are_the_answer_to_a_yes_no_question() {
        let d = doc(&[("a", "Would you like to add insurance?"), ("u", "No, thank you.")]);
        assert_eq!(value(&d, "add_insurance", FieldType::Boolean, "Whether to purchase insurance"), Json::Bool(false));
        let d = doc(&[("a", "Do you need parking?"), ("u", "Yes please, for two cars.")]);
        assert_eq!(value(&d, "need_parking", FieldType::Boolean, "Need Parking"), Json::Bool(true));
    }

    #[test]
    fn ordered_items_and_identifiers_are_read() {
        let d = doc(&[("u", "Hi, I want two Matcha Lattes please.")]);
        assert_eq!(value(&d, "order_items", FieldType::String, "Drinks ordered, comma-separated menu item names."), Json::from("Matcha Latte"));
        let d = doc(&[("u", "Hi, so I would like a, lets see now, I would like a Macchiato. Yes, a Macchiato to go please.")]);
        assert_eq!(value(&d, "order_items", FieldType::String, "Drinks ordered, comma-separated menu item names."), Json::from("Macchiato"));
        let d = doc(&[
            ("a", "Can you tell me your account number, please?"),
            ("u", "Someone took $500 from my account. It's 68318931"),
        ]);
        assert_eq!(value(&d, "account_number", FieldType::String, "Account Number (bank_fraud_report)"), Json::from("68318931"));
        let d = doc(&[("a", "Right, and your PIN as well please."), ("u", "My PIN is 7402.")]);
        assert_eq!(value(&d, "pin", FieldType::String, "PIN (bank_fraud_report)"), Json::from("7402"));
        let d = doc(&[("a", "What room are you in?"), ("u", "Sure. We are in room 351.")]);
        assert_eq!(value(&d, "room_number", FieldType::Number, "Room Number (hotel_service_request)"), serde_json::json!(351));
    }

    #[test]
    fn places_and_weekdays_are_read() {
        let d = doc(&[("u", "I'm traveling from Paris to San Francisco.")]);
        assert_eq!(value(&d, "origin_city", FieldType::String, "City in which the journey originates"), Json::from("Paris"));
        assert_eq!(value(&d, "destination_city", FieldType::String, "City in which the journey ends"), Json::from("San Francisco"));
        let d = doc(&[("a", "what day would you like for your appointment"), ("u", "monday")]);
        assert_eq!(value(&d, "appointment_day", FieldType::String, "day"), Json::from("Monday"));
    }

    #[test]
    fn range_fields_take_their_end_of_a_range() {
        let d = doc(&[("u", "I need a car from March 4th until March 9th.")]);
        assert_eq!(value(&d, "pickup_date", FieldType::String, "Date of rental car pickup"), Json::from("2019-03-04"));
        assert_eq!(value(&d, "dropoff_date", FieldType::String, "Date of rental car drop-off"), Json::from("2019-03-09"));
    }
}
