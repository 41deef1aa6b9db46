//! Enum fields. Options that are values ("Dr. Johnson", "checking", "8 pm", "Friday",
//! "10th") are found where the call mentions them — literally, by a word only that option
//! has ("Hilton" for "Hilton Hotel"), or as the same time, weekday or day of the month.
//! Options that name concepts ("ReserveRestaurant", "bank_fraud_report", "healthcare")
//! are scored by the vocabulary of their words in what the customer asked for, with the
//! transaction preferred over the look-up that led to it.

use chrono::{Datelike, Timelike};
use serde_json::Value as Json;

use super::super::doc::Doc;
use super::super::lexicon;
use super::super::text::{normalize, stem};
use super::super::values;
use crate::analysis::FieldSpec;
use crate::calls::event::Speaker;

/// An option's words, split at case changes, `_`, `/`, `-` and spaces ("ReserveRestaurant"
/// → "reserve restaurant").
pub fn option_words(option: &str) -> Vec<String> {
    let mut spaced = String::new();
    let mut prev_lower = false;
    for c in option.chars() {
        if c.is_uppercase() && prev_lower {
            spaced.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        spaced.push(if c.is_alphanumeric() { c } else { ' ' });
    }
    normalize(&spaced).split_whitespace().map(str::to_owned).collect()
}

struct Scored {
    option: usize,
    score: f64,
    sentence: usize,
}

/// How the word before an option's mention fits a range field ("from savings" for a
/// source account, "to checking" for a destination).
fn range_fit(before: &str, end: super::End) -> f64 {
    use super::End;
    let prev = before.split_whitespace().last().unwrap_or("").to_lowercase();
    match (end, prev.as_str()) {
        (End::Start, "from") | (End::Finish, "to" | "into") => 0.8,
        (End::Start, "to" | "into") | (End::Finish, "from") => -0.8,
        _ => 0.0,
    }
}

fn literal_scores(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Vec<Scored> {
    let end = super::range_end(spec, true);
    let option_words: Vec<Vec<String>> = spec.options.iter().map(|o| option_words(o)).collect();
    // Words that appear in exactly one option identify it alone.
    let distinctive = |i: usize| -> Vec<String> {
        option_words[i]
            .iter()
            .filter(|w| w.len() > 2 && !matches!(w.as_str(), "the" | "and" | "hotel" | "inn" | "venue" | "dr" | "club"))
            .filter(|w| option_words.iter().enumerate().all(|(j, ow)| j == i || !ow.contains(w)))
            .cloned()
            .collect()
    };
    let option_times: Vec<Option<(u32, u32)>> = spec
        .options
        .iter()
        .map(|o| {
            values::times(o).first().filter(|m| m.value.explicit).map(|m| (m.value.time.hour(), m.value.time.minute()))
        })
        .collect();
    let option_days: Vec<Option<chrono::Weekday>> =
        spec.options.iter().map(|o| values::weekday(&o.to_lowercase())).collect();
    let option_dom: Vec<Option<u32>> = spec
        .options
        .iter()
        .map(|o| {
            let t = o.trim().to_lowercase();
            let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            (matches!(&t[digits.len()..], "st" | "nd" | "rd" | "th") && !digits.is_empty())
                .then(|| digits.parse().ok())
                .flatten()
        })
        .collect();

    let mut out = Vec::new();
    for (si, s) in doc.sentences.iter().enumerate() {
        let base = super::sentence_weight(doc, si, topic);
        for (oi, words) in option_words.iter().enumerate() {
            if words.is_empty() {
                continue;
            }
            let phrase = words.join(" ");
            let lower = s.raw.to_lowercase();
            let fit = lower.find(&phrase).map(|at| range_fit(&lower[..at], end)).unwrap_or(0.0);
            if s.has(&phrase) {
                out.push(Scored { option: oi, score: base + 1.0 + 0.1 * words.len() as f64 + fit, sentence: si });
            } else if distinctive(oi).iter().any(|w| s.has(w)) {
                out.push(Scored { option: oi, score: base + 0.6, sentence: si });
            }
        }
        if option_times.iter().any(Option::is_some) {
            for m in values::times(&s.raw) {
                let hm = (m.value.time.hour(), m.value.time.minute());
                if let Some(oi) = option_times.iter().position(|t| *t == Some(hm)) {
                    out.push(Scored {
                        option: oi,
                        score: base + 0.9 + if m.value.explicit { 0.3 } else { 0.0 },
                        sentence: si,
                    });
                }
            }
        }
        if option_days.iter().any(Option::is_some) || option_dom.iter().any(Option::is_some) {
            for m in values::dates(&s.raw, doc.anchor) {
                // A weekday said by name beats one worked out from "today".
                let named = values::weekday(&s.raw[m.start..m.end].to_lowercase()).is_some();
                if let Some(oi) = option_days.iter().position(|d| *d == Some(m.value.weekday())) {
                    out.push(Scored { option: oi, score: base + 0.9 + if named { 0.6 } else { 0.0 }, sentence: si });
                }
                if let Some(oi) = option_dom.iter().position(|d| *d == Some(m.value.day())) {
                    out.push(Scored { option: oi, score: base + 0.9, sentence: si });
                }
            }
            for w in values::words(&s.raw) {
                let digits = w.text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                if !digits.is_empty()
                    && matches!(&w.text[digits.len()..], "st" | "nd" | "rd" | "th")
                    && let Ok(d) = digits.parse::<u32>()
                    && let Some(oi) = option_dom.iter().position(|x| *x == Some(d))
                {
                    out.push(Scored { option: oi, score: base + 0.7, sentence: si });
                }
            }
        }
    }
    out
}

/// How strongly the call is about each option's concepts.
fn concept_scores(doc: &Doc, spec: &FieldSpec) -> Vec<f64> {
    let department = spec.description.to_lowercase().contains("department");
    let transaction_asked = doc.sentences.iter().any(|s| {
        s.role == Speaker::User
            && ["book", "reserv", "schedul", "transfer", "send", "pay", "buy", "order", "make", "rent", "set"]
                .iter()
                .any(|v| s.stems.iter().any(|w| w == v))
    }) || doc.sentences.iter().any(|s| {
        s.role == Speaker::Agent
            && !s.question
            && ["booked", "reserved", "scheduled", "confirmed", "transferred", "sent", "placed", "made"]
                .iter()
                .any(|w| s.has(w))
    });
    spec.options
        .iter()
        .map(|option| {
            let words = option_words(option);
            let stems: Vec<String> =
                words.iter().map(|w| stem(w)).filter(|w| !matches!(w.as_str(), "and" | "the" | "of")).collect();
            if stems.is_empty() {
                return 0.0;
            }
            let mut total = 0.0;
            let mut matched = 0;
            let mut customer_seen = 0;
            let weights: Vec<f64> = doc
                .sentences
                .iter()
                .map(|s| match s.role {
                    Speaker::User => {
                        customer_seen += 1;
                        if customer_seen <= 3 { 1.0 } else { 0.5 }
                    }
                    Speaker::Agent if s.question => 0.6,
                    Speaker::Agent => 0.4,
                })
                .collect();
            for (k, st) in stems.iter().enumerate() {
                let mut vocab: Vec<&str> = if department {
                    lexicon::department(st).map(<[&str]>::to_vec).unwrap_or_default()
                } else {
                    lexicon::related(st)
                };
                if vocab.is_empty() {
                    vocab = lexicon::related(st);
                }
                let vocab: Vec<String> = vocab.iter().map(|v| stem(v)).collect();
                // Evidence across the whole call, customers' first words counting most.
                let mut evidence = 0.0;
                for (s, w) in doc.sentences.iter().zip(&weights) {
                    let own: f64 = if s.stems.iter().any(|x| x == st) { 1.0 } else { 0.0 };
                    let related = vocab.iter().filter(|v| s.stems.iter().any(|x| x == *v)).count().min(2) as f64 * 0.6;
                    evidence += w * own.max(related);
                }
                let evidence: f64 = evidence.min(3.0);
                // The first word of a call reason is usually its verb.
                let weight = if k == 0 && stems.len() > 1 { 0.8 } else { 1.0 };
                total += evidence * weight;
                if evidence > 0.0 {
                    matched += 1;
                }
            }
            if matched == 0 {
                return 0.0;
            }
            let mut score = total / stems.len() as f64 + 0.3 * matched as f64 / stems.len() as f64;
            if let Some(first) = stems.first() {
                if transaction_asked && lexicon::TRANSACTIONAL.contains(&first.as_str()) {
                    score += 0.3;
                }
                if transaction_asked && matches!(first.as_str(), "find" | "search" | "get" | "check") && stems.len() > 1
                {
                    score -= 0.2;
                }
            }
            score
        })
        .collect()
}

/// Whether the options are concept labels (a department, a call reason, an intent) rather
/// than values said in the call: identifier-like options, or a description that says so.
pub fn is_concept_enum(spec: &FieldSpec) -> bool {
    let description = spec.description.to_lowercase();
    let says_concept =
        ["department", "reason", "goal", "intent", "purpose", "category", "topic", "kind of call", "type of call"]
            .iter()
            .any(|w| description.contains(w));
    let identifiers = spec.options.iter().filter(|o| {
        o.contains('_')
            || o.contains('/')
            || (!o.contains(' ') && o.chars().skip(1).any(char::is_uppercase) && o.chars().any(char::is_lowercase))
    });
    says_concept || identifiers.count() * 2 > spec.options.len()
}

/// Options that stand for "none of the others".
fn is_fallback(option: &str) -> bool {
    matches!(option.trim().to_lowercase().as_str(), "other" | "others" | "unknown" | "none" | "n/a")
}

/// Chooses an option, with the sentence that decided it.
pub fn choose(doc: &Doc, spec: &FieldSpec, topic: &[String]) -> Option<(Json, String)> {
    if spec.options.is_empty() {
        return None;
    }
    if spec.options.len() == 1 {
        return Some((Json::from(spec.options[0].clone()), String::new()));
    }
    if !is_concept_enum(spec) {
        let mut literal = literal_scores(doc, spec, topic);
        literal.retain(|l| !is_fallback(&spec.options[l.option]));
        literal.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.sentence.cmp(&a.sentence)));
        if let Some(top) = literal.first().filter(|t| t.score > 1.2) {
            return Some((Json::from(spec.options[top.option].clone()), doc.sentences[top.sentence].raw.clone()));
        }
    }
    let scores = concept_scores(doc, spec);
    let (best, score) = scores.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    if *score > 0.3 {
        let evidence = doc
            .sentences
            .iter()
            .find(|s| s.role == Speaker::User && s.norm.split_whitespace().count() >= 3)
            .map(|s| s.raw.clone())
            .unwrap_or_default();
        return Some((Json::from(spec.options[best].clone()), evidence));
    }
    spec.options.iter().find(|o| is_fallback(o)).map(|o| (Json::from(o.clone()), String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{AnalysisRequest, FieldType};
    use crate::calls::event::Turn;

    fn doc(turns: &[(&str, &str)], start: &str) -> Doc {
        let transcript = turns
            .iter()
            .map(|(r, t)| Turn {
                role: if *r == "a" { Speaker::Agent } else { Speaker::User },
                text: (*t).to_owned(),
                start_s: None,
                end_s: None,
            })
            .collect();
        Doc::new(&AnalysisRequest {
            transcript,
            started_at: chrono::DateTime::parse_from_rfc3339(start).ok().map(|d| d.with_timezone(&chrono::Utc)),
            timezone: "UTC".into(),
            ..Default::default()
        })
    }

    fn pick(d: &Doc, name: &str, description: &str, options: &[&str]) -> Option<Json> {
        let spec =
            FieldSpec::new(name, FieldType::Enum, description, options.iter().map(|o| (*o).to_owned()).collect());
        choose(d, &spec, &crate::analysis::builtin::extract::topic(&spec)).map(|(v, _)| v)
    }

    #[test]
    fn value_options_are_found_where_the_call_says_them() {
        // STAR: a doctor's appointment.
        let d = doc(
            &[
                ("u", "Hi. My name is Ben. I want an appointment with the doctor"),
                ("a", "What doctor would you like to see?"),
                ("u", "Dr. Johnson. Please make it quick"),
                ("a", "Alright, Dr. Johnson is available at 8 pm. Can I book the appointment for you?"),
            ],
            "2020-05-22T19:37:46Z",
        );
        assert_eq!(
            pick(&d, "doctor_name", "Doctor Name (doctor_schedule)", &["Dr. Johnson", "Dr. Morgan", "Dr. Alexis"]),
            Some(Json::from("Dr. Johnson"))
        );
        let hours = ["12 am", "1 am", "7 pm", "8 pm", "9 pm"];
        assert_eq!(pick(&d, "start_time_hour", "Start Time Hour (doctor_schedule)", &hours), Some(Json::from("8 pm")));
        // A weekday said by name beats "today".
        let d = doc(
            &[("a", "What day of the week would you like?"), ("u", "Today as soon as possible if you can. Sunday.")],
            "2020-05-25T20:11:13Z",
        );
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
        assert_eq!(pick(&d, "day", "Day (doctor_schedule)", &days), Some(Json::from("Sunday")));
        // A word only one option has identifies it.
        let d = doc(&[("u", "I'm staying at the Hilton, room 301.")], "2020-05-25T20:11:13Z");
        assert_eq!(
            pick(&d, "hotel_name", "Hotel Name", &["Shadyside Inn", "Hilton Hotel", "Hyatt Hotel"]),
            Some(Json::from("Hilton Hotel"))
        );
        // HVB: accounts.
        let d = doc(&[("u", "one hundred and thirty five dollars from savings to checking")], "2020-06-01T23:58:17Z");
        assert_eq!(
            pick(&d, "transfer_from_account", "transfer source account", &["checking", "savings"]),
            Some(Json::from("savings"))
        );
    }

    #[test]
    fn concept_options_are_scored_by_vocabulary() {
        let d = doc(
            &[
                ("u", "I want to make a dinner reservation on March 5th."),
                ("a", "What area are you looking in?"),
                ("u", "Can you get me a table at Ludwig's German Table?"),
                ("a", "Your table has been reserved."),
            ],
            "2019-03-01T15:34:00Z",
        );
        assert_eq!(
            pick(
                &d,
                "call_reason",
                "The customer's main goal for the call (SGD intent name).",
                &["FindRestaurants", "ReserveRestaurant"]
            ),
            Some(Json::from("ReserveRestaurant"))
        );
        let departments = ["appointments", "banking", "car_rental", "other", "real_estate", "reservations", "travel"];
        assert_eq!(
            pick(&d, "department", "Which department should handle this call.", &departments),
            Some(Json::from("reservations"))
        );
        let d = doc(
            &[
                ("u", "Someone took $500 from my account. Can you help?"),
                ("a", "Could you provide a detailed fraud report now, please?"),
            ],
            "2020-05-25T20:11:13Z",
        );
        let reasons = ["bank_balance", "bank_fraud_report", "doctor_schedule", "hotel_book", "plane_book", "ride_book"];
        assert_eq!(
            pick(&d, "call_reason", "The customer's main goal for the call (STAR task).", &reasons),
            Some(Json::from("bank_fraud_report"))
        );
        let d = doc(&[("u", "Hello, what's the weather like?")], "2020-05-25T20:11:13Z");
        assert_eq!(
            pick(&d, "department", "Which department should handle this call.", &["banking", "travel", "other"]),
            Some(Json::from("other")),
            "nothing fits: the fallback"
        );
    }

    #[test]
    fn option_names_split_into_words() {
        assert_eq!(option_words("ReserveRestaurant"), vec!["reserve", "restaurant"]);
        assert_eq!(option_words("bank_fraud_report"), vec!["bank", "fraud", "report"]);
        assert_eq!(option_words("product_defect/return_size"), vec!["product", "defect", "return", "size"]);
        assert_eq!(option_words("Dr. Johnson"), vec!["dr", "johnson"]);
    }
}
