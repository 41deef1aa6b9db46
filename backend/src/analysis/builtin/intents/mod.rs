//! The intents the built-in analyzer recognises in trigger questions, and the transcript
//! evidence for each. Intents cover the ten starter templates (SPEC section 6) and the
//! common outcome questions of post-call work (bookings, orders, payments, fraud,
//! verification, annoyance, unfulfilled requests, dropped calls).

mod catalog;
pub use catalog::*;

/// Who must have said an evidence phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    Agent,
    Customer,
    Anyone,
}

/// Phrases (normalised: lower case, words separated by single spaces) said by `who`.
#[derive(Debug)]
pub struct Evidence {
    pub who: Who,
    pub phrases: &'static [&'static str],
}

/// How an intent's verdict is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Fires when any evidence phrase occurs, not negated.
    AnyEvidence,
    /// Fires when the agent states success about one of `nouns` (in the statement, or —
    /// for a statement naming no other subject — in what the customer asked for, said with
    /// one of `asks`), and no later failure.
    Outcome { nouns: &'static [&'static str], asks: &'static [&'static str] },
    /// Fires on cues of annoyance or aggression in the customer's turns.
    Annoyance,
    /// Fires when the agent's last outcome statement is a failure, or the customer's request
    /// was never met with a success statement.
    Unfulfilled,
    /// Fires when the call ended abruptly: no closing words in the last turns.
    Abrupt,
}

/// One recognisable intent.
#[derive(Debug)]
pub struct Intent {
    /// Stable name, e.g. `callback`.
    pub name: &'static str,
    /// Phrases in a question that point at this intent; more matches win.
    pub cues: &'static [&'static str],
    /// What was found, for reasons: "a callback request".
    pub label: &'static str,
    pub rule: Rule,
    pub evidence: &'static [Evidence],
    /// Whether its question cues name what a call about it mentions ("refund", "manager",
    /// "invoice"): a cue the question names is then evidence too, said by the customer
    /// ([`named_in`]). No sample call supplies these words; the
    /// admin's question does.
    pub cues_name_subject: bool,
}

/// The cues of `intent` that the normalised `question` names, when its cues name its
/// subject (see [`Intent::cues_name_subject`]); empty otherwise.
pub fn named_in(intent: &Intent, normalized_question: &str) -> Vec<&'static str> {
    if !intent.cues_name_subject {
        return Vec::new();
    }
    intent.cues.iter().copied().filter(|cue| normalized_question.contains(&format!(" {cue} "))).collect()
}

const CLOSINGS: &[&str] = &[
    "bye", "goodbye", "good bye", "have a", "thank", "thank you", "thanks", "appreciate", "see you", "enjoy",
    "pleasure", "take care", "that is all", "that is it", "that s it", "that s all", "that will be all",
    "that is everything", "nothing else", "not now", "welcome", "great day", "nice day", "good day", "good night",
    "cheers", "all set", "later", "glad", "no problem", "anything else",
];

/// The closing words the `Abrupt` rule looks for.
pub fn closings() -> &'static [&'static str] {
    CLOSINGS
}

/// The outcome intent the customer's request is about: the one whose request words the
/// customer's first turns use most (`None` when none or a tie).
pub fn main_request(customer_stems: &[Vec<String>]) -> Option<&'static str> {
    let mut scores: Vec<(&'static str, usize)> = INTENTS
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
    INTENTS
        .iter()
        .filter(|i| !same_family(i.name, name))
        .flat_map(|i| match i.rule {
            Rule::Outcome { nouns, .. } => nouns.iter().copied(),
            _ => [].iter().copied(),
        })
        .collect()
}

/// The intent a question is about: the one with the most cue matches (at least one).
pub fn for_question(normalized_question: &str) -> Option<&'static Intent> {
    let mut best: Option<(&Intent, usize)> = None;
    for intent in INTENTS {
        let score = intent.cues.iter().filter(|cue| normalized_question.contains(&format!(" {cue} "))).count();
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
}
