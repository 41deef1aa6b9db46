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

/// How the built-in analyzer reads a trigger question, a goal or a route condition.
#[derive(Clone, Debug)]
pub enum Reading {
    /// An outcome or event it has rules for (a confirmed booking, a callback request…),
    /// with the intent's cues the question names as evidence ([`intents::named_in`]:
    /// "refund" in "Did the caller ask about a refund?"), and whether the question asks
    /// for the outcome's absence ([`negates_outcome`]: "Did the call end without a
    /// confirmed booking?").
    Intent { intent: &'static Intent, named: Vec<&'static str>, negated: bool },
    /// Whether the call was about one of the alternatives ("a taxi, a ride or a bus").
    Topic(Topic),
    /// Neither: the question is answered Unknown on every call, and never fires.
    NotUnderstood,
}

/// A topic question's subject: as written, and as alternatives of topic-word stems.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    /// The words after "about" (or before "discussed"), as the question has them.
    pub text: String,
    /// Each alternative's stems; one alternative found makes the call about the topic.
    pub alternatives: Vec<Vec<String>>,
}

impl Reading {
    /// What the reading checks, for the admin: "checks the call for a confirmed booking",
    /// "checks whether the call was about: a hotel stay", or that it is not understood.
    pub fn describe(&self) -> String {
        match self {
            Reading::Intent { intent, negated: true, .. } => {
                format!("checks that the call ended without {}", intent.label)
            }
            Reading::Intent { intent, named, .. } if !named.is_empty() => format!(
                "checks the call for {} (or {} said)",
                intent.label,
                named.iter().map(|n| format!("“{n}”")).collect::<Vec<_>>().join(" or ")
            ),
            Reading::Intent { intent, .. } => format!("checks the call for {}", intent.label),
            Reading::Topic(topic) => format!("checks whether the call was about: {}", topic.text),
            Reading::NotUnderstood => NOT_UNDERSTOOD.to_owned(),
        }
    }
}

/// The reason of every verdict on a question the built-in analyzer cannot read.
pub const NOT_UNDERSTOOD: &str = "not understood by the built-in analyzer, which answers Unknown (never fires); configure an AI provider in Settings";

/// Reads `question` (a trigger question, a goal or a route condition). A question about
/// a topic ("Was the call about …", "Did the caller mention …", "Was … discussed?") is a
/// topic question, unless its topic is one of the intents found by mention alone (a billing
/// question, a complaint…), whose evidence is richer than the topic's own words; asking
/// *about* an outcome (a booking) asks whether it came up, not whether it was achieved. An
/// intent cue before the marker ("complain about …") makes it a question about that intent.
/// Any other question is read by its intent, and one with neither is not understood.
pub fn read_question(question: &str) -> Reading {
    // Commas separate alternatives ("a taxi, a ride or a bus"); normalising drops them.
    let normalized = normalize(&question.replace(',', " or "));
    // "Did the customer complain about the service?" asks about a complaint: a cue before
    // the topic marker names the intent.
    if let Some((before, topic)) = topic_text(&normalized)
        && intents::for_question(&format!("{before} ")).is_none()
    {
        if let Some(intent) = intents::for_question(&format!(" {topic} "))
            && intent.rule == Rule::AnyEvidence
        {
            return Reading::Intent { intent, named: intents::named_in(intent, &format!(" {topic} ")), negated: false };
        }
        let alternatives = topic_alternatives(&topic);
        if !alternatives.is_empty() {
            // "a, or b" became "a or or b".
            return Reading::Topic(Topic { text: topic.replace(" or or ", " or "), alternatives });
        }
        // A topic of generic words only ("Did the caller need help?"): read the question
        // by its intent, as if it named no topic.
    }
    let normalized = normalize(question);
    match intents::for_question(&normalized) {
        Some(intent) => Reading::Intent {
            intent,
            named: intents::named_in(intent, &normalized),
            negated: negates_outcome(intent, &normalized),
        },
        None => Reading::NotUnderstood,
    }
}

/// The words before the topic and the topic's words of a normalised question, if it is a
/// question about a topic.
fn topic_text(normalized: &str) -> Option<(String, String)> {
    let topic = &super::vocabulary::VOCABULARY.topic;
    for marker in topic.markers {
        let marker = format!(" {marker} ");
        if let Some(at) = normalized.find(&marker) {
            let rest = normalized[at + marker.len()..].trim();
            if !rest.is_empty() {
                return Some((normalized[..at].to_owned(), rest.to_owned()));
            }
        }
    }
    for ending in topic.endings {
        if let Some(body) = normalized.strip_suffix(&format!("{ending} ")).and_then(|b| b.strip_suffix(' ').or(Some(b)))
        {
            // Drop the question's first word ("was", "were", "is", "has"…) and a "there".
            let words: Vec<&str> = body.split_whitespace().skip(1).filter(|w| *w != "there").collect();
            if !words.is_empty() {
                return Some((String::new(), words.join(" ")));
            }
        }
    }
    None
}

/// Words that open a noun phrase of its own: an alternative that starts with one ("a hotel
/// or a room for the night") names a thing by itself.
const DETERMINERS: &[&str] = &["a", "an", "the", "my", "your", "his", "her", "its", "our", "their", "another"];

/// The alternatives of a topic ("a doctor or a medical matter"), each as its topic-word
/// stems. A bare one-word alternative beside a longer one shares the longer one's other
/// words: "a property to rent or buy" is a property to rent or a property to buy. One with
/// its own article ("a hotel or a room for the night") stands alone.
fn topic_alternatives(topic: &str) -> Vec<Vec<String>> {
    let parts: Vec<(Vec<String>, bool)> = topic
        .split(" or ")
        // The topic is normalised already: its generic words are dropped before stemming.
        .map(|part| {
            let generic = super::vocabulary::VOCABULARY.topic.generic;
            let own = part.split_whitespace().next().is_some_and(|w| DETERMINERS.contains(&w));
            (content_stems(&part.split(' ').filter(|w| !generic.contains(w)).collect::<Vec<_>>().join(" ")), own)
        })
        .filter(|(stems, _)| !stems.is_empty())
        .collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, (part, own)) in parts.iter().enumerate() {
        let neighbour = if i == 0 { parts.get(1) } else { parts.get(i - 1) }.map(|(stems, _)| stems);
        match neighbour {
            Some(longer) if part.len() == 1 && longer.len() > 1 && !own => {
                let mut shared = longer.clone();
                if i == 0 {
                    shared[0] = part[0].clone();
                } else {
                    let last = shared.len() - 1;
                    shared[last] = part[0].clone();
                }
                out.push(shared);
            }
            _ => out.push(part.clone()),
        }
    }
    out.dedup();
    out
}

/// Judges a yes/no question about the call.
pub fn judge(doc: &Doc, call: &CallFacts, question: &str) -> Judgment {
    judge_reading(doc, call, &read_question(question))
}

/// Whether the normalised `question` asks whether `intent`'s outcome (a booking, an order,
/// a payment…) did *not* happen: "Did the call end without a confirmed booking?", "Was no
/// appointment scheduled?", "Did the order fail?" (the vocabulary's
/// `question_absence_words`). Only outcome intents have an absence to
/// ask for; the others name a failure or an event themselves (an unfulfilled request, a
/// failed verification, a complaint).
pub fn negates_outcome(intent: &Intent, normalized_question: &str) -> bool {
    matches!(intent.rule, Rule::Outcome { .. })
        && super::vocabulary::VOCABULARY
            .question_absence_words
            .iter()
            .any(|w| normalized_question.contains(&format!(" {w} ")))
}

/// Judges a question already read with [`read_question`].
pub fn judge_reading(doc: &Doc, call: &CallFacts, reading: &Reading) -> Judgment {
    match reading {
        Reading::Intent { intent, named, negated } => {
            tracing::trace!(intent = intent.name, negated, "question intent");
            let judgment = judge_intent(doc, call, intent, named);
            if !negated {
                return judgment;
            }
            // Asked for the absence: a stated failure, or no success stated at all, is a
            // yes; a success is a no.
            match judgment {
                Judgment::Yes(reason) => Judgment::No(reason),
                Judgment::No(reason) | Judgment::Unknown(reason) => Judgment::Yes(reason),
            }
        }
        Reading::Topic(topic) => judge_topic(doc, topic),
        Reading::NotUnderstood => Judgment::Unknown(format!("The question is {NOT_UNDERSTOOD}.")),
    }
}

/// The vocabulary's `[[topic.related]]` entries as stems, `(topic stems, said stems)`:
/// stemmed once, not for every call judged.
static RELATED_STEMS: std::sync::LazyLock<Vec<(Vec<String>, Vec<String>)>> = std::sync::LazyLock::new(|| {
    let stems = |words: &[&str]| words.iter().map(|w| super::text::stem(w)).collect();
    super::vocabulary::VOCABULARY.topic.related.iter().map(|r| (stems(r.topic), stems(r.said))).collect()
});

/// The stems that count as saying the topic word `stem`: itself, and the words the
/// vocabulary's `[[topic.related]]` entries relate to it ("vehicl" → car, van…).
pub(crate) fn said_for(stem: &str) -> Vec<String> {
    let mut out = vec![stem.to_owned()];
    for (topic, said) in RELATED_STEMS.iter() {
        if topic.iter().any(|t| t == stem) {
            for word in said {
                if !out.contains(word) {
                    out.push(word.clone());
                }
            }
        }
    }
    out
}

/// A topic question: the call is about an alternative when enough of its words are said
/// (all of one or two words, two of three, three of four…), at least one by the customer,
/// whose sentence is the evidence. A word counts as said when it or a word related to it
/// ([`said_for`]) is. Otherwise the customer did not bring it up.
pub(crate) fn judge_topic(doc: &Doc, topic: &Topic) -> Judgment {
    for alternative in &topic.alternatives {
        let needed = if alternative.len() <= 2 { alternative.len() } else { (alternative.len() * 2).div_ceil(3) };
        let words: Vec<Vec<String>> = alternative.iter().map(|stem| said_for(stem)).collect();
        let in_sentence = |s: &doc::Sentence, word: &Vec<String>| word.iter().any(|w| s.stems.contains(w));
        let said = |word: &Vec<String>| doc.sentences.iter().any(|s| in_sentence(s, word));
        if words.iter().filter(|word| said(word)).count() < needed {
            continue;
        }
        let evidence = said_by(doc, Who::Customer)
            .map(|s| (words.iter().filter(|word| in_sentence(s, word)).count(), s))
            .filter(|(hits, _)| *hits > 0)
            .max_by_key(|(hits, s)| (*hits, std::cmp::Reverse(s.turn)));
        if let Some((_, s)) = evidence {
            return Judgment::Yes(format!("The customer said {}", quote(&s.raw)));
        }
    }
    Judgment::No(format!("The customer did not bring up {}.", topic.text))
}

/// Judges `intent` on the call; `named` are the intent's cues the question named, evidence
/// too for an evidence intent when the customer says them.
pub(crate) fn judge_intent(doc: &Doc, call: &CallFacts, intent: &Intent, named: &[&'static str]) -> Judgment {
    match intent.rule {
        Rule::AnyEvidence => {
            let mut negated: Option<(Who, String)> = None;
            // The words the question names count in the customer's turns: the admin asks
            // what the caller brought up.
            let lists =
                intent.evidence.iter().map(|e| (e.who, e.phrases)).chain(std::iter::once((Who::Customer, named)));
            for (who, phrases) in lists {
                for s in said_by(doc, who) {
                    // An agent's question is an offer ("Shall we call you back?"), not an
                    // outcome; a customer's question is a request and counts.
                    if who == Who::Agent && s.question {
                        continue;
                    }
                    for phrase in phrases {
                        let (found, was_negated) = find_phrase(&s.norm, phrase);
                        if found.is_some() {
                            let reason = match who {
                                Who::Anyone => format!("It was said: {}", quote(&s.raw)),
                                who => format!("{} said {}", speaker_name(who), quote(&s.raw)),
                            };
                            return Judgment::Yes(reason);
                        }
                        if was_negated && negated.is_none() {
                            negated = Some((who, s.raw.clone()));
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

/// The stems of the vocabulary's `outcome.done` words ("booked" → "book"), stemmed once.
static DONE_STEMS: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| super::vocabulary::VOCABULARY.done.iter().map(|d| super::text::stem(d)).collect());

/// The last outcome the agent stated about the intent's subject decides: success, or a
/// failure after any success. A statement counts when it names one of the intent's `nouns`,
/// when its done word is one of the intent's `asks` ("It's booked!" for a booking), or, for
/// a statement naming no other intent's subject, when the customer's first words asked for
/// this outcome.
pub(crate) fn judge_outcome(doc: &Doc, intent: &Intent, nouns: &[&str], asks: &[&str]) -> Judgment {
    let first_turns: Vec<Vec<String>> =
        doc.sentences.iter().filter(|s| s.role == Speaker::User).take(4).map(|s| s.stems.clone()).collect();
    let main = intents::main_request(&first_turns);
    // Bookings include appointments.
    let asked = main.is_some_and(|m| intents::same_family(m, intent.name))
        && (main == Some(intent.name) || intent.name == "booking");
    let others = intents::foreign_nouns(intent.name);
    // A statement whose verb is the intent's own ("It's booked!", "The car has been
    // reserved", "It has been ordered"): a done word with the stem of a request word.
    let ask_stems: Vec<String> = asks.iter().map(|a| super::text::stem(a)).collect();
    let verb_named = |s: &doc::Sentence| {
        s.stems.iter().any(|w| DONE_STEMS.contains(w) && ask_stems.contains(w)) && !others.iter().any(|n| s.has(n))
    };
    let mut last: Option<(outcome::Outcome, &doc::Sentence)> = None;
    for (o, s) in outcome::all(doc) {
        let own = nouns.iter().any(|n| s.has(n)) || verb_named(s);
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
