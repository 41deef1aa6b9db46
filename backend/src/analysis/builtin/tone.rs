//! How the call went for the customer: annoyance, a request left unfulfilled, an abrupt end.

#[allow(unused_imports)]
use super::*;

/// Annoyance or aggression: cue words, shouting (words in capitals, "!!") and impatience,
/// adding up over the customer's turns.
pub(crate) fn judge_annoyance(doc: &Doc) -> Judgment {
    let mut total = 0.0;
    let mut strongest: Option<(f64, &str)> = None;
    let mut shouting = 0.0;
    for s in doc.sentences.iter().filter(|s| s.role == Speaker::User) {
        let annoyance = super::vocabulary::VOCABULARY.annoyance;
        let mut score: f64 = annoyance.iter().filter(|(w, _)| s.has(w)).map(|(_, weight)| weight).sum();
        let caps = s
            .raw
            .split_whitespace()
            .filter(|w| {
                w.len() >= 4
                    && w.chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
                    && w.chars().filter(|c| c.is_alphabetic()).count() >= 4
            })
            .count();
        if caps > 0 || s.raw.contains("!!") || s.raw.contains("??") {
            shouting += 1.0;
            score += 0.5;
        }
        total += score;
        if score > 0.0 && strongest.is_none_or(|(best, _)| score > best) {
            strongest = Some((score, &s.raw));
        }
    }
    total += (shouting - 1.0f64).max(0.0) * 0.5;
    match strongest {
        Some((_, raw)) if total >= 2.0 => Judgment::Yes(format!("The customer said {}", quote(raw))),
        _ => Judgment::No("The customer stayed calm.".to_owned()),
    }
}

/// The last outcome the agent stated decides: a failure without a later success means
/// the request was not fulfilled.
pub(crate) fn judge_unfulfilled(doc: &Doc) -> Judgment {
    match outcome::all(doc).last() {
        Some((outcome::Outcome::Failure, s)) => {
            Judgment::Yes(format!("the agent's last outcome was a failure: {}", quote(&s.raw)))
        }
        Some((outcome::Outcome::Success, s)) => {
            Judgment::No(format!("The agent confirmed the outcome: {}", quote(&s.raw)))
        }
        None => Judgment::Unknown("No request outcome found in the transcript.".to_owned()),
    }
}

/// A call that ended without closing words in its last two turns ended abruptly, as does
/// one whose platform reported a disconnect or an error.
pub(crate) fn judge_abrupt(doc: &Doc, call: &CallFacts) -> Judgment {
    let raw = call.end_reason_raw.as_deref().unwrap_or("").to_lowercase();
    if raw.contains("disconnect") || raw.contains("drop") || matches!(call.end_reason.as_str(), "error" | "inactivity")
    {
        return Judgment::Yes(format!(
            "The call ended with “{}”.",
            call.end_reason_raw.as_deref().unwrap_or(&call.end_reason)
        ));
    }
    // Without such a report: an unanswered question at the very end, and no closing words
    // in the last three turns.
    let last_turn = doc.sentences.last().map(|s| s.turn).unwrap_or(0);
    let tail: Vec<&doc::Sentence> = doc.sentences.iter().filter(|s| s.turn + 3 > last_turn).collect();
    let closed = tail.iter().any(|s| intents::closings().iter().any(|c| s.has(c)));
    let hanging = doc.sentences.last().is_some_and(|s| s.question);
    if closed || tail.is_empty() || !hanging {
        Judgment::No("The call ended normally.".to_owned())
    } else {
        let last = tail.last().map(|s| quote(&s.raw)).unwrap_or_default();
        Judgment::Yes(format!("The call ended on an unanswered question: {last}"))
    }
}
