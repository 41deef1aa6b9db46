//! Judging a trigger question: the intent it asks about, said by whom, and what the transcript shows of it.

#[allow(unused_imports)]
use super::*;

/// A three-valued judgment with its one-line reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgment {
    /// The transcript shows it.
    Yes(String),
    /// The transcript shows the opposite (refused, negated, failed).
    No(String),
    /// The transcript does not say.
    Unknown(String),
}

impl Judgment {
    pub(crate) fn is_yes(&self) -> bool {
        matches!(self, Judgment::Yes(_))
    }

    pub(crate) fn reason(&self) -> &str {
        match self {
            Judgment::Yes(r) | Judgment::No(r) | Judgment::Unknown(r) => r,
        }
    }
}

pub(crate) fn speaker_name(who: Who) -> &'static str {
    match who {
        Who::Agent => "The agent",
        Who::Customer => "The customer",
        Who::Anyone => "The call",
    }
}

pub(crate) fn quote(text: &str) -> String {
    let trimmed: String = text.trim().chars().take(140).collect();
    if text.trim().chars().count() > 140 { format!("“{trimmed}…”") } else { format!("“{trimmed}”") }
}

pub(crate) fn said_by(doc: &Doc, who: Who) -> impl Iterator<Item = &doc::Sentence> {
    doc.sentences.iter().filter(move |s| match who {
        Who::Agent => s.role == Speaker::Agent,
        Who::Customer => s.role == Speaker::User,
        Who::Anyone => true,
    })
}

/// Judges a yes/no question about the call.
pub fn judge(doc: &Doc, call: &CallFacts, question: &str) -> Judgment {
    let normalized = normalize(question);
    match intents::for_question(&normalized) {
        Some(intent) => {
            tracing::trace!(intent = intent.name, question, "question intent");
            judge_intent(doc, call, intent)
        }
        None => judge_by_topic(doc, question),
    }
}

pub(crate) fn judge_intent(doc: &Doc, call: &CallFacts, intent: &Intent) -> Judgment {
    match intent.rule {
        Rule::AnyEvidence => {
            let mut negated: Option<(Who, String)> = None;
            for evidence in intent.evidence {
                for s in said_by(doc, evidence.who) {
                    // An agent's question is an offer ("Shall we call you back?"), not an
                    // outcome; a customer's question is a request and counts.
                    if evidence.who == Who::Agent && s.question {
                        continue;
                    }
                    for phrase in evidence.phrases {
                        let (found, was_negated) = find_phrase(&s.norm, phrase);
                        if found.is_some() {
                            let reason = match evidence.who {
                                Who::Anyone => format!("It was said: {}", quote(&s.raw)),
                                who => format!("{} said {}", speaker_name(who), quote(&s.raw)),
                            };
                            return Judgment::Yes(reason);
                        }
                        if was_negated && negated.is_none() {
                            negated = Some((evidence.who, s.raw.clone()));
                        }
                    }
                }
            }
            match negated {
                Some((who, raw)) => Judgment::No(format!(
                    "{} said {}, which rules out {}.",
                    speaker_name(who),
                    quote(&raw),
                    intent.label
                )),
                None => match judge_unfulfilled(doc) {
                    Judgment::Yes(reason) => Judgment::No(format!("No sign of {}; {reason}", intent.label)),
                    _ => Judgment::Unknown(format!("No sign of {} in the transcript.", intent.label)),
                },
            }
        }
        Rule::Outcome { nouns, asks } => judge_outcome(doc, intent, nouns, asks),
        Rule::Annoyance => judge_annoyance(doc),
        Rule::Unfulfilled => judge_unfulfilled(doc),
        Rule::Abrupt => judge_abrupt(doc, call),
    }
}

/// The last outcome the agent stated about the intent's subject decides: success, or a
/// failure after any success.
pub(crate) fn judge_outcome(doc: &Doc, intent: &Intent, nouns: &[&str], _asks: &[&str]) -> Judgment {
    let first_turns: Vec<Vec<String>> =
        doc.sentences.iter().filter(|s| s.role == Speaker::User).take(4).map(|s| s.stems.clone()).collect();
    let main = intents::main_request(&first_turns);
    // Bookings include appointments.
    let asked = main.is_some_and(|m| intents::same_family(m, intent.name))
        && (main == Some(intent.name) || intent.name == "booking");
    let others = intents::foreign_nouns(intent.name);
    let mut last: Option<(outcome::Outcome, &doc::Sentence)> = None;
    for (o, s) in outcome::all(doc) {
        let own = nouns.iter().any(|n| s.has(n));
        // A generic statement ("It will be ready soon") is about what the customer asked
        // for, unless it names another subject.
        let generic = asked && !others.iter().any(|n| s.has(n));
        if own || generic {
            last = Some((o, s));
        }
    }
    match last {
        Some((outcome::Outcome::Success, s)) => Judgment::Yes(format!("The agent said {}", quote(&s.raw))),
        Some((outcome::Outcome::Failure, s)) => Judgment::No(format!(
            "The agent said {}, so there was no {}.",
            quote(&s.raw),
            intent.label.trim_start_matches("a ").trim_start_matches("an ")
        )),
        None => Judgment::Unknown(format!("No sign of {} in the transcript.", intent.label)),
    }
}

/// For questions no intent covers: the sentence sharing most of the question's topic words
/// (at least half of them) is the evidence.
pub(crate) fn judge_by_topic(doc: &Doc, question: &str) -> Judgment {
    let topic = content_stems(question);
    if topic.is_empty() {
        return Judgment::Unknown("The question names no topic the built-in analyzer can look for.".to_owned());
    }
    let needed = topic.len().div_ceil(2);
    let mut best: Option<(usize, &str)> = None;
    for s in &doc.sentences {
        let hits = topic.iter().filter(|t| s.stems.iter().any(|w| w == *t)).count();
        if hits >= needed && best.is_none_or(|(h, _)| hits > h) {
            best = Some((hits, &s.raw));
        }
    }
    match best {
        Some((_, raw)) => Judgment::Yes(format!("The transcript mentions it: {}", quote(raw))),
        None => Judgment::Unknown(format!("The transcript does not mention {}.", topic.join(", "))),
    }
}
