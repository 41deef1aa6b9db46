//! Free text answers, ordered items and yes/no answers.

use serde_json::Value as Json;

use super::{Candidate, best};
use crate::analysis::builtin::doc::Doc;
use crate::analysis::builtin::values;
use crate::calls::event::Speaker;

/// Words that introduce what a customer orders.
const ORDER_VERBS: &[&[&str]] = &[
    &["i", "want"],
    &["i", "would", "like"],
    &["i'd", "like"],
    &["can", "i", "get"],
    &["could", "i", "get"],
    &["can", "i", "have"],
    &["i'll", "have"],
    &["i", "will", "have"],
    &["i", "need"],
    &["give", "me"],
    &["get", "me"],
    &["order"],
    &["i'll", "take"],
    &["like", "to", "order"],
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
pub(super) fn extract_items(doc: &Doc) -> Option<(Json, String)> {
    let mut items: Vec<String> = Vec::new();
    let mut evidence = String::new();
    for s in doc.sentences.iter().filter(|s| s.role == Speaker::User) {
        let ws = values::words(&s.raw);
        for start in 0..ws.len() {
            let Some(verb) = ORDER_VERBS
                .iter()
                .find(|v| v.iter().enumerate().all(|(k, w)| ws.get(start + k).is_some_and(|x| x.text == *w)))
            else {
                continue;
            };
            let mut k = start + verb.len();
            let mut phrase: Vec<String> = Vec::new();
            while let Some(w) = ws.get(k) {
                let t = w.text.as_str();
                // "I would like a, let's see…": a pause before the item, not an item.
                if phrase.is_empty() && k > 0 && s.raw[ws[k - 1].end..w.start].contains([',', '.', '!', '?']) {
                    break;
                }
                if phrase.is_empty()
                    && (matches!(t, "a" | "an" | "one" | "the" | "some" | "to" | "order" | "get")
                        || values::word_number(t).is_some()
                        || t.chars().all(|c| c.is_ascii_digit()))
                {
                    k += 1;
                    continue;
                }
                if matches!(t, "please" | "with" | "and" | "to" | "for" | "if" | "but" | "that" | "it" | "too")
                    || s.raw[ws[k.saturating_sub(1)].end..w.start].contains([',', '.', '!', '?']) && !phrase.is_empty()
                {
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
const FILLER_STARTS: &[&str] = &[
    "well,", "well", "um,", "um", "uh,", "uh", "yes,", "yes", "yeah,", "yeah", "so,", "so", "ok,", "ok", "okay,",
    "okay", "sure,", "sure", "hi,", "hi", "hello,", "hello",
];

fn clean_answer(text: &str) -> String {
    let mut t = text.trim();
    loop {
        let lower = t.to_lowercase();
        let Some(f) = FILLER_STARTS.iter().find(|f| lower.starts_with(*f) && lower[f.len()..].starts_with([' ', ',']))
        else {
            break;
        };
        t = t[f.len()..].trim_start_matches([',', ' ']);
    }
    t.trim_end_matches(['.', '!']).trim().to_owned()
}

pub(super) fn extract_free_text(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
    let mut candidates = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.role != Speaker::User || s.norm.split_whitespace().count() < 2 {
            continue;
        }
        let asked: f64 =
            doc.previous_turn(i).iter().filter(|q| q.question).map(|q| q.hits(topic) as f64).fold(0.0, f64::max);
        let own = s.hits(topic) as f64;
        let score = asked * 1.2 + own;
        if score <= 0.0 {
            continue;
        }
        candidates.push(Candidate {
            value: Json::from(clean_answer(&s.raw)),
            score: score + 0.05 * s.norm.split_whitespace().count().min(20) as f64 / 20.0,
            sentence: i,
        });
    }
    best(candidates, doc)
}

const YES: &[&str] = &[
    "yes", "yeah", "yep", "sure", "please", "definitely", "of course", "correct", "that's right", "i do", "i would",
    "absolutely", "ok", "okay", "yup", "i will", "we do", "we will", "sounds good",
];
const NO: &[&str] = &["no", "nope", "not", "don't", "do not", "won't", "nah", "without", "none", "never", "neither"];

fn polarity(text: &str) -> Option<bool> {
    let norm = format!(" {} ", crate::analysis::builtin::text::normalize(text).trim());
    let yes = YES.iter().any(|w| norm.contains(&format!(" {} ", crate::analysis::builtin::text::normalize(w).trim())));
    let no = NO.iter().any(|w| norm.contains(&format!(" {} ", crate::analysis::builtin::text::normalize(w).trim())));
    match (yes, no) {
        (_, true) => Some(false),
        (true, false) => Some(true),
        _ => None,
    }
}

pub(super) fn extract_boolean(doc: &Doc, topic: &[String]) -> Option<(Json, String)> {
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
                candidates.push(Candidate {
                    value: Json::Bool(p),
                    score: 2.0 + hits as f64 + 0.01 * i as f64,
                    sentence: i,
                });
            }
        } else if s.role == Speaker::User {
            let negated = crate::analysis::builtin::text::NEGATORS.iter().any(|n| s.has(n));
            candidates.push(Candidate {
                value: Json::Bool(!negated),
                score: 1.0 + hits as f64 + 0.01 * i as f64,
                sentence: i,
            });
        } else if !s.question {
            let negated = crate::analysis::builtin::text::NEGATORS.iter().any(|n| s.has(n));
            candidates.push(Candidate {
                value: Json::Bool(!negated),
                score: 0.8 + hits as f64 + 0.01 * i as f64,
                sentence: i,
            });
        }
    }
    best(candidates, doc)
}
