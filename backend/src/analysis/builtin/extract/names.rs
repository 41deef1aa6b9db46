//! People's names (the caller's and others'), places, and names of venues or providers.

use serde_json::Value as Json;

use super::{Candidate, End, best, range_end, says, topical, weigh};
use crate::analysis::FieldSpec;
use crate::analysis::builtin::doc::{Doc, Sentence};
use crate::analysis::builtin::values;
use crate::calls::event::Speaker;

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
    "and", "i", "i'm", "im", "i'd", "calling", "from", "with", "here", "please", "thanks", "thank", "how", "can",
    "could", "would", "want", "need", "like", "looking", "trying", "just", "so", "but", "the", "a", "an", "to", "for",
    "speaking", "again", "yes", "no", "uh", "um", "um,", "is", "my", "you", "what", "it", "that", "at", "in", "on",
    "of",
];

/// Words after "I am" / "I'm" that are not names.
const NOT_A_NAME: &[&str] = &[
    "looking", "calling", "trying", "interested", "fine", "good", "great", "well", "here", "sorry", "not", "going",
    "so", "a", "an", "the", "just", "also", "wondering", "hoping", "planning", "having", "getting", "sure", "ok",
    "okay", "in", "at", "on", "from", "very", "really", "still", "glad", "happy", "afraid", "done", "all", "ready",
    "available", "new", "thinking", "currently", "actually", "staying", "moving", "travelling", "traveling", "flying",
    "free",
];

pub(super) fn name_after(s: &Sentence) -> Option<String> {
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
                if NAME_STOPS.contains(&w.text.as_str()) || w.raw.chars().any(|c| c.is_ascii_digit()) || name.len() == 3
                {
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

pub(super) fn extract_customer_name(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.role != Speaker::User {
            continue;
        }
        if let Some(name) = name_after(s) {
            candidates.push(Candidate {
                value: Json::from(name),
                score: 3.0 + 0.1 * (i as f64 / doc.sentences.len() as f64),
                sentence: i,
            });
            continue;
        }
        // A short answer to "May I have your name?"
        let asked = doc.previous_turn(i).iter().any(|q| {
            (q.has("your name")
                || q.has("your full name")
                || q.has("your first")
                || q.has("name please")
                || q.has("who am i speaking")
                || q.has("who is this")
                || q.has("name for the"))
                && ![
                    "maiden", "pet", "mother", "father", "doctor", "restaurant", "hotel", "venue", "company", "child",
                    "dog", "cat", "guest", "recipient",
                ]
                .iter()
                .any(|w| q.has(w))
        });
        let first_in_turn = doc.sentences.iter().position(|x| x.turn == s.turn) == Some(i);
        let ws = values::words(&s.raw);
        if asked
            && first_in_turn
            && (1..=4).contains(&ws.len())
            && ws.iter().all(|w| !w.raw.chars().any(|c| c.is_ascii_digit()))
        {
            let kept: Vec<String> = ws
                .iter()
                .filter(|w| {
                    !matches!(
                        w.text.as_str(),
                        "it's"
                            | "its"
                            | "is"
                            | "my"
                            | "name"
                            | "sure"
                            | "yes"
                            | "it"
                            | "uh"
                            | "um"
                            | "hi"
                            | "hello"
                            | "i"
                            | "think"
                            | "i'm"
                            | "this"
                            | "am"
                    )
                })
                .map(|w| w.raw.clone())
                .collect();
            if !kept.is_empty() && kept.len() <= 3 {
                let joined = kept.join(" ");
                let value = if joined.chars().any(char::is_uppercase) { joined } else { values::title_case(&joined) };
                candidates.push(Candidate {
                    value: Json::from(value),
                    score: 2.5 + topical(doc, i, topic) * 0.1,
                    sentence: i,
                });
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

pub(super) fn extract_place(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
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
            if value.starts_with(|ch: char| ch.is_ascii_digit())
                && !says(&spec.description, &["address", "street", "location"])
            {
                c.score -= 0.5;
            }
        }
    }
    best(candidates, doc)
}

pub(super) fn extract_entity(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
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

pub(super) fn extract_person(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = proper_names(doc, topic, None, true);
    for c in &mut candidates {
        let s = &doc.sentences[c.sentence];
        if let Some(pos) = s.raw.find(c.value.as_str().unwrap_or_default()) {
            let prev = s.raw[..pos].to_lowercase();
            if prev.trim_end().ends_with(" to")
                || prev.trim_end().ends_with(" with")
                || prev.trim_end().ends_with(" for")
            {
                c.score += 0.6;
            }
        }
    }
    best(candidates, doc)
}
