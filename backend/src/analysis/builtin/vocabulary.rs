//! The built-in analyzer's trigger vocabulary: the intents a question can name, the
//! phrases that show each one in a transcript, the annoyance cues with their weights, the
//! closing words and the outcome statements' phrases. They live in the versioned data
//! file `data/triggers.toml` (compiled in), where every entry gives its reason; this
//! module reads and checks it once, on first use.
//!
//! The file's rules (its header, and README "Evaluation"): no transcript cue may be said in
//! exactly one sample call (`aftercall eval DIR --cues`), rules are designed on the
//! `tune` half and reported on the `check` half, and `version` changes with every edit.

use std::sync::LazyLock;

use serde::Deserialize;

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
    /// ([`super::intents::named_in`]). No sample call supplies these words; the admin's
    /// question does.
    pub cues_name_subject: bool,
    /// Whether it names a failure ("a failed identity verification"): a question is read
    /// as this intent only when it has a failure word ([`Vocabulary::question_failure_words`]).
    pub asks_failure: bool,
}

/// The vocabulary, as compiled in.
pub const SOURCE: &str = include_str!("data/triggers.toml");

/// The parsed vocabulary; its slices live for the whole process (read once).
#[derive(Debug)]
pub struct Vocabulary {
    /// The file's `version`: which vocabulary a verdict was judged with.
    pub version: u32,
    /// Every intent, in priority order for ties.
    pub intents: &'static [Intent],
    /// `(cue, weight)`: a customer's sentence adds the weights of its cues.
    pub annoyance: &'static [(&'static str, f64)],
    pub closings: &'static [&'static str],
    /// Words by which a question asks about a failure ([`Intent::asks_failure`]).
    pub question_failure_words: &'static [&'static str],
    /// Words by which a question about an outcome asks for its absence.
    pub question_absence_words: &'static [&'static str],
    /// How a topic question is read.
    pub topic: TopicWords,
    pub done: &'static [&'static str],
    pub fulfilment: &'static [&'static str],
    pub failure: &'static [&'static str],
    pub failure_about_request: &'static [&'static str],
    pub request_words: &'static [&'static str],
    /// An agent's question asking the customer to check what was agreed before it goes
    /// ahead ("Does your order look right?"): see [`super::outcome::all`].
    pub review: &'static [&'static str],
    /// How a customer's answer agrees ("yes", "looks good"), said at its start.
    pub agreement: &'static [&'static str],
}

/// The compiled-in vocabulary. A malformed file cannot ship: the unit tests read it.
pub static VOCABULARY: LazyLock<Vocabulary> =
    LazyLock::new(|| parse(SOURCE).unwrap_or_else(|e| panic!("backend/src/analysis/builtin/data/triggers.toml: {e}")));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    intent: Vec<IntentEntry>,
    annoyance: Vec<AnnoyanceEntry>,
    closings: List,
    question_failure_words: List,
    question_absence_words: List,
    topic: TopicLists,
    outcome: OutcomeLists,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct List {
    reason: String,
    phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum RuleName {
    AnyEvidence,
    Outcome,
    Annoyance,
    Unfulfilled,
    Abrupt,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum WhoName {
    Agent,
    Customer,
    Anyone,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentEntry {
    name: String,
    label: String,
    rule: RuleName,
    reason: String,
    cues_name_subject: bool,
    #[serde(default)]
    asks_failure: bool,
    cues: List,
    nouns: Option<List>,
    asks: Option<List>,
    #[serde(default)]
    evidence: Vec<EvidenceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceEntry {
    who: WhoName,
    reason: String,
    phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnnoyanceEntry {
    reason: String,
    weight: f64,
    cues: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicLists {
    markers: List,
    endings: List,
    generic: List,
    related: Vec<RelatedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RelatedEntry {
    reason: String,
    topic: Vec<String>,
    said: Vec<String>,
}

/// Words that count as saying a topic word (the vocabulary file's `[[topic.related]]`):
/// a topic question naming one of `topic` ("a vehicle") is answered by a caller saying
/// one of `said` ("car", "van"). Written from general English (synonyms, and the common
/// kinds of a thing), never from sample calls.
#[derive(Debug)]
pub struct Related {
    /// The words of a question's topic this entry widens.
    pub topic: &'static [&'static str],
    /// The words that count as saying them (besides the question's own word).
    pub said: &'static [&'static str],
}

/// The words of topic questions (the vocabulary file's `[topic]`).
#[derive(Debug)]
pub struct TopicWords {
    /// Words after which a question names its topic ("about", "regarding").
    pub markers: &'static [&'static str],
    /// Endings before which it names its topic ("discussed", "brought up").
    pub endings: &'static [&'static str],
    /// Words dropped from a topic's text ("matter", "thing").
    pub generic: &'static [&'static str],
    /// What else counts as saying a topic word.
    pub related: &'static [Related],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeLists {
    done: List,
    fulfilment: List,
    failure: List,
    failure_about_request: List,
    request_words: List,
    review: List,
    agreement: List,
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn leak_all<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

/// Checks that `reason` says something and that every phrase is normalised (lower-case
/// letters, digits and apostrophe-free words separated by single spaces), as the
/// transcript's text is when phrases are matched.
fn checked(at: &str, reason: &str, phrases: Vec<String>) -> Result<&'static [&'static str], String> {
    if reason.trim().is_empty() {
        return Err(format!("{at}: the reason is empty"));
    }
    if phrases.is_empty() {
        return Err(format!("{at}: no phrases"));
    }
    for phrase in &phrases {
        let normal = !phrase.is_empty()
            && phrase.split(' ').all(|w| !w.is_empty() && w.chars().all(|c| c.is_lowercase() || c.is_ascii_digit()));
        if !normal {
            return Err(format!("{at}: “{phrase}” is not normalised (lower case, single spaces, no punctuation)"));
        }
    }
    Ok(leak_all(phrases.into_iter().map(leak).collect()))
}

fn list(at: &str, list: List) -> Result<&'static [&'static str], String> {
    checked(at, &list.reason, list.phrases)
}

/// Parses and checks a vocabulary file.
///
/// Errors (naming the entry): TOML that does not match the layout, an empty reason or
/// phrase list, a phrase that is not normalised, two intents with one name, an outcome
/// intent without nouns and request words, an evidence intent without evidence, or a
/// `[[topic.related]]` entry with a phrase of several words.
pub fn parse(text: &str) -> Result<Vocabulary, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut intents = Vec::new();
    for entry in file.intent {
        let at = format!("intent {}", entry.name);
        if intents.iter().any(|i: &Intent| i.name == entry.name) {
            return Err(format!("{at}: defined twice"));
        }
        if entry.reason.trim().is_empty() {
            return Err(format!("{at}: the reason is empty"));
        }
        let rule = match (entry.rule, entry.nouns, entry.asks) {
            (RuleName::Outcome, Some(nouns), Some(asks)) => {
                Rule::Outcome { nouns: list(&format!("{at} nouns"), nouns)?, asks: list(&format!("{at} asks"), asks)? }
            }
            (RuleName::Outcome, _, _) => return Err(format!("{at}: an outcome intent needs nouns and asks")),
            (_, Some(_), _) | (_, _, Some(_)) => return Err(format!("{at}: only outcome intents have nouns and asks")),
            (RuleName::AnyEvidence, ..) if entry.evidence.is_empty() => {
                return Err(format!("{at}: an evidence intent needs evidence"));
            }
            (RuleName::AnyEvidence, ..) => Rule::AnyEvidence,
            (RuleName::Annoyance, ..) => Rule::Annoyance,
            (RuleName::Unfulfilled, ..) => Rule::Unfulfilled,
            (RuleName::Abrupt, ..) => Rule::Abrupt,
        };
        let mut evidence = Vec::new();
        for (n, e) in entry.evidence.into_iter().enumerate() {
            let who = match e.who {
                WhoName::Agent => Who::Agent,
                WhoName::Customer => Who::Customer,
                WhoName::Anyone => Who::Anyone,
            };
            evidence
                .push(Evidence { who, phrases: checked(&format!("{at} evidence {}", n + 1), &e.reason, e.phrases)? });
        }
        intents.push(Intent {
            name: leak(entry.name),
            cues: list(&format!("{at} cues"), entry.cues)?,
            label: leak(entry.label),
            rule,
            evidence: leak_all(evidence),
            cues_name_subject: entry.cues_name_subject,
            asks_failure: entry.asks_failure,
        });
    }
    let mut annoyance = Vec::new();
    for (n, entry) in file.annoyance.into_iter().enumerate() {
        if !entry.weight.is_finite() || entry.weight <= 0.0 {
            return Err(format!("annoyance {}: the weight must be above 0", n + 1));
        }
        for cue in checked(&format!("annoyance {}", n + 1), &entry.reason, entry.cues)? {
            annoyance.push((*cue, entry.weight));
        }
    }
    let outcome = file.outcome;
    Ok(Vocabulary {
        version: file.version,
        intents: leak_all(intents),
        annoyance: leak_all(annoyance),
        closings: list("closings", file.closings)?,
        question_failure_words: list("question_failure_words", file.question_failure_words)?,
        question_absence_words: list("question_absence_words", file.question_absence_words)?,
        topic: TopicWords {
            markers: list("topic.markers", file.topic.markers)?,
            endings: list("topic.endings", file.topic.endings)?,
            generic: list("topic.generic", file.topic.generic)?,
            related: leak_all(
                file.topic
                    .related
                    .into_iter()
                    .enumerate()
                    .map(|(n, e)| {
                        let at = format!("topic.related {}", n + 1);
                        if let Some(w) = e.topic.iter().chain(&e.said).find(|w| w.contains(' ')) {
                            return Err(format!("{at}: “{w}” is not one word"));
                        }
                        Ok(Related {
                            topic: checked(&format!("{at} topic"), &e.reason, e.topic)?,
                            said: checked(&format!("{at} said"), &e.reason, e.said)?,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?,
            ),
        },
        done: list("outcome.done", outcome.done)?,
        fulfilment: list("outcome.fulfilment", outcome.fulfilment)?,
        failure: list("outcome.failure", outcome.failure)?,
        failure_about_request: list("outcome.failure_about_request", outcome.failure_about_request)?,
        request_words: list("outcome.request_words", outcome.request_words)?,
        review: list("outcome.review", outcome.review)?,
        agreement: list("outcome.agreement", outcome.agreement)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_vocabulary_is_valid() {
        let v = parse(SOURCE).unwrap_or_else(|e| panic!("{e}"));
        assert!(v.version >= 2);
        assert!(v.intents.iter().any(|i| i.name == "fraud" && i.rule == Rule::AnyEvidence));
        assert!(v.annoyance.iter().any(|(c, w)| *c == "fed up" && *w == 2.0));
        assert!(v.failure_about_request.contains(&"unfortunately"));
    }

    #[test]
    fn a_bad_entry_is_refused_by_name() {
        let without_reason = SOURCE.replacen(
            "reason = \"Farewells, thanks and wrap-up phrases that end a finished conversation.\"",
            "reason = \" \"",
            1,
        );
        assert_eq!(parse(&without_reason).err().as_deref(), Some("closings: the reason is empty"));
        let shouting = SOURCE.replacen("\"fed up\"", "\"Fed Up!\"", 1);
        let err = parse(&shouting).err().unwrap_or_default();
        // "fed up" is first a complaint's evidence phrase.
        assert!(err.starts_with("intent complaint evidence 1: “Fed Up!” is not normalised"), "{err}");
        let twice = format!(
            "{SOURCE}\n[[intent]]\nname = \"fraud\"\nlabel = \"x\"\nrule = \"abrupt\"\nreason = \"x\"\ncues_name_subject = false\n[intent.cues]\nreason = \"x\"\nphrases = [\"x\"]\n"
        );
        assert_eq!(parse(&twice).err().as_deref(), Some("intent fraud: defined twice"));
        // Related topic words are compared as stems of single words.
        let phrase = SOURCE.replacen("said = [\"hire\", ", "said = [\"hire a\", ", 1);
        assert_eq!(parse(&phrase).err().as_deref(), Some("topic.related 1: “hire a” is not one word"));
        let no_reason =
            SOURCE.replacen("reason = \"Hiring, renting and leasing name one arrangement.\"", "reason = \"\"", 1);
        assert_eq!(parse(&no_reason).err().as_deref(), Some("topic.related 1 topic: the reason is empty"));
    }
}
