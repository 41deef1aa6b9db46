//! The intents the built-in analyzer recognises in trigger questions, and the transcript
//! evidence for each. Intents cover the ten starter templates (SPEC section 6) and the
//! common outcome questions of post-call work (bookings, orders, payments, fraud,
//! verification, annoyance, unfulfilled requests, dropped calls).

use super::vocabulary::VOCABULARY;
pub use super::vocabulary::{Intent, Rule, Who};

/// Every intent, in priority order for ties (the vocabulary file's `[[intent]]`s).
pub fn all() -> &'static [Intent] {
    VOCABULARY.intents
}

/// The cues of `intent` that the normalised `question` names, when its cues name its
/// subject (see [`Intent::cues_name_subject`]); empty otherwise.
pub fn named_in(intent: &Intent, normalized_question: &str) -> Vec<&'static str> {
    if !intent.cues_name_subject {
        return Vec::new();
    }
    intent.cues.iter().copied().filter(|cue| normalized_question.contains(&format!(" {cue} "))).collect()
}

/// The closing words the `Abrupt` rule looks for.
pub fn closings() -> &'static [&'static str] {
    VOCABULARY.closings
}

/// The outcome intent the customer's request is about: the one whose request words the
/// customer's first turns use most (`None` when none or a tie).
pub fn main_request(customer_stems: &[Vec<String>]) -> Option<&'static str> {
    let mut scores: Vec<(&'static str, usize)> = all()
        .iter()
        .filter_map(|i| match i.rule {
            Rule::Outcome { asks, .. } => Some((
                i.name,
                customer_stems
                    .iter()
                    .map(|stems| asks.iter().filter(|a| stems.iter().any(|s| *s == super::text::stem(a))).count())
                    .sum(),
            )),
            _ => None,
        })
        .collect();
    // Ties go to the intent listed first: an appointment is the more specific booking.
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    scores.first().filter(|(_, n)| *n > 0).map(|(name, _)| *name)
}

/// Outcome intents that are kinds of one another share their subjects: an appointment is
/// a booking.
pub fn same_family(a: &str, b: &str) -> bool {
    fn family(n: &str) -> &str {
        if matches!(n, "booking" | "appointment") { "booking" } else { n }
    }
    family(a) == family(b)
}

/// The subject nouns of the outcome intents outside `name`'s family.
pub fn foreign_nouns(name: &str) -> Vec<&'static str> {
    all()
        .iter()
        .filter(|i| !same_family(i.name, name))
        .flat_map(|i| match i.rule {
            Rule::Outcome { nouns, .. } => nouns.iter().copied(),
            _ => [].iter().copied(),
        })
        .collect()
}

/// The intent a question is about: the one whose cues the question names with the most
/// words (at least one cue), the first listed on a tie; an intent that names a failure
/// ([`Intent::asks_failure`]) only when the question has a failure word. Words, not cues,
/// are counted because a longer cue is the more specific reading: in "a transaction they
/// did not recognise", fraud's "did not recognise" (three words) outweighs a payment's
/// "transaction" (one).
pub fn for_question(normalized_question: &str) -> Option<&'static Intent> {
    let mut best: Option<(&Intent, usize)> = None;
    let asks_failure =
        VOCABULARY.question_failure_words.iter().any(|w| normalized_question.contains(&format!(" {w} ")));
    for intent in all().iter().filter(|i| !i.asks_failure || asks_failure) {
        let score: usize = intent
            .cues
            .iter()
            .filter(|cue| normalized_question.contains(&format!(" {cue} ")))
            .map(|cue| cue.split(' ').count())
            .sum();
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((intent, score));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::builtin::text::normalize;

    fn intent(q: &str) -> &'static str {
        for_question(&normalize(q)).map(|i| i.name).unwrap_or("none")
    }

    #[test]
    fn starter_template_questions_find_their_intent() {
        assert_eq!(intent("Did the customer ask to be called back?"), "callback");
        assert_eq!(intent("Was an appointment booked?"), "appointment");
        assert_eq!(intent("Did the customer complain?"), "complaint");
        assert_eq!(intent("Did the customer place an order that the agent confirmed?"), "order");
        assert_eq!(intent("Did the customer ask for a demo?"), "demo_request");
        assert_eq!(intent("Did the customer report fraud or an unauthorized transaction?"), "fraud");
        assert_eq!(
            intent("Did the call end abruptly before the conversation was finished (disconnect)?"),
            "call_incomplete"
        );
    }

    #[test]
    fn the_intent_whose_cues_the_question_names_with_more_words_wins() {
        // "transaction" names a payment (one word), "did not recognise" a fraud (three).
        assert_eq!(intent("Did the customer mention a transaction they did not recognise?"), "fraud");
        assert_eq!(intent("Was a payment processed successfully?"), "payment");
        // A failure word and "security check" name a failed verification.
        assert_eq!(intent("Did the caller fail the security check?"), "verification_failed");
        assert_eq!(intent("Did the caller pass the security check?"), "verification_passed");
        assert_eq!(intent("Did the line drop before the conversation ended?"), "call_incomplete");
        assert_eq!(intent("Was the customer promised that someone will be in touch?"), "callback");
        assert_eq!(intent("Was the agent unable to do what the customer asked?"), "request_unfulfilled");
    }
}
