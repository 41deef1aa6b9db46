//! The built-in analyzer ("Built-in (offline)"): deterministic, no network. It summarises
//! extractively and judges trigger questions by recognising the question's intent and
//! looking for that intent's evidence in the right speaker's turns, with negation
//! awareness; a question with no known intent is judged by its own topic words.

mod intents;
mod summary;
pub mod text;

use async_trait::async_trait;

use self::intents::{Intent, Rule, Who};
use self::text::{content_stems, find_phrase, normalize, sentences, stem};
use super::{AnalysisOutput, AnalysisRequest, Analyzer, AnalyzerError, TriggerQuestion, Usage, Verdict};
use crate::calls::event::{Speaker, Turn};

/// The offline analyzer.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltinAnalyzer;

#[async_trait]
impl Analyzer for BuiltinAnalyzer {
    fn name(&self) -> &'static str {
        "builtin"
    }

    async fn analyze(
        &self,
        request: &AnalysisRequest,
    ) -> Result<(AnalysisOutput, Option<Usage>), AnalyzerError> {
        Ok((analyze(request), None))
    }
}

/// The analysis, synchronously (the evaluation command and tests call it directly).
pub fn analyze(request: &AnalysisRequest) -> AnalysisOutput {
    let turns = Prepared::new(&request.transcript);
    AnalysisOutput {
        summary: summary::summarize(&request.transcript),
        verdicts: request.triggers.iter().map(|t| judge(&turns, t)).collect(),
    }
}

/// A turn with its normalised sentences.
struct PreparedTurn<'a> {
    role: Speaker,
    sentences: Vec<(String, String)>,
    _turn: &'a Turn,
}

struct Prepared<'a> {
    turns: Vec<PreparedTurn<'a>>,
}

impl<'a> Prepared<'a> {
    fn new(transcript: &'a [Turn]) -> Self {
        let turns = transcript
            .iter()
            .map(|turn| PreparedTurn {
                role: turn.role,
                sentences: sentences(&turn.text)
                    .into_iter()
                    .map(|s| {
                        let n = normalize(&s);
                        (s, n)
                    })
                    .collect(),
                _turn: turn,
            })
            .collect();
        Self { turns }
    }

    /// Sentences spoken by `who`, in order, with their turn index.
    fn said_by(&self, who: Who) -> impl Iterator<Item = (usize, &str, &str)> {
        self.turns.iter().enumerate().filter(move |(_, t)| match who {
            Who::Agent => t.role == Speaker::Agent,
            Who::Customer => t.role == Speaker::User,
            Who::Anyone => true,
        })
        .flat_map(|(i, t)| t.sentences.iter().map(move |(raw, norm)| (i, raw.as_str(), norm.as_str())))
    }
}

fn speaker_name(who: Who) -> &'static str {
    match who {
        Who::Agent => "The agent",
        Who::Customer => "The customer",
        Who::Anyone => "The call",
    }
}

fn quote(text: &str) -> String {
    let trimmed: String = text.trim().chars().take(140).collect();
    if text.trim().chars().count() > 140 { format!("“{trimmed}…”") } else { format!("“{trimmed}”") }
}

fn judge(turns: &Prepared<'_>, trigger: &TriggerQuestion) -> Verdict {
    let question = normalize(&trigger.question);
    let (fired, reason) = match intents::for_question(&question) {
        Some(intent) => {
            tracing::trace!(intent = intent.name, question = %trigger.question, "trigger intent");
            judge_intent(turns, intent)
        }
        None => judge_by_topic(turns, &trigger.question),
    };
    Verdict { key: trigger.key.clone(), fired, reason }
}

fn judge_intent(turns: &Prepared<'_>, intent: &Intent) -> (bool, String) {
    match intent.rule {
        Rule::AnyEvidence => {
            let mut negated: Option<(Who, String)> = None;
            for evidence in intent.evidence {
                for (_, raw, norm) in turns.said_by(evidence.who) {
                    // An agent's question is an offer ("Shall we call you back?"), not an
                    // outcome; a customer's question is a request and counts.
                    if evidence.who == Who::Agent && raw.trim_end().ends_with('?') {
                        continue;
                    }
                    for phrase in evidence.phrases {
                        let (found, was_negated) = find_phrase(norm, phrase);
                        if found.is_some() {
                            let who = match evidence.who {
                                Who::Anyone => "It was said",
                                other => speaker_name(other),
                            };
                            let verb = if evidence.who == Who::Anyone { ":" } else { " said" };
                            return (true, format!("{who}{verb} {}", quote(raw)));
                        }
                        if was_negated && negated.is_none() {
                            negated = Some((evidence.who, raw.to_owned()));
                        }
                    }
                }
            }
            match negated {
                Some((who, raw)) => (
                    false,
                    format!("{} said {}, which rules out {}.", speaker_name(who), quote(&raw), intent.label),
                ),
                None => (false, format!("No sign of {} in the transcript.", intent.label)),
            }
        }
        Rule::Unfulfilled => judge_unfulfilled(turns),
        Rule::Abrupt => judge_abrupt(turns),
    }
}

/// The last agent outcome statement decides: a failure without a later success means the
/// request was not fulfilled.
fn judge_unfulfilled(turns: &Prepared<'_>) -> (bool, String) {
    let mut last: Option<(bool, &str)> = None;
    for (_, raw, norm) in turns.said_by(Who::Agent) {
        let success = intents::SUCCESS.iter().any(|p| find_phrase(norm, p).0.is_some());
        let failure = intents::FAILURE.iter().any(|p| norm.contains(&format!(" {p} ")));
        if success {
            last = Some((true, raw));
        } else if failure {
            last = Some((false, raw));
        }
    }
    match last {
        Some((false, raw)) => (true, format!("The agent's last outcome was a failure: {}", quote(raw))),
        Some((true, raw)) => (false, format!("The agent confirmed the outcome: {}", quote(raw))),
        None => (false, "No failed request found in the transcript.".to_owned()),
    }
}

/// A call that ends without closing words in its last two turns ended abruptly.
fn judge_abrupt(turns: &Prepared<'_>) -> (bool, String) {
    let tail: Vec<&PreparedTurn<'_>> = turns.turns.iter().rev().take(2).collect();
    let closed = tail.iter().any(|t| {
        t.sentences.iter().any(|(_, norm)| intents::closings().iter().any(|c| norm.contains(&format!(" {c} "))))
    });
    if closed || tail.is_empty() {
        (false, "The call ended with closing words.".to_owned())
    } else {
        let last = tail
            .first()
            .and_then(|t| t.sentences.last())
            .map(|(raw, _)| quote(raw))
            .unwrap_or_default();
        (true, format!("The call ended without a closing; last words: {last}"))
    }
}

/// For questions no intent covers: the sentence sharing most of the question's topic words
/// (at least half of them) is the evidence.
fn judge_by_topic(turns: &Prepared<'_>, question: &str) -> (bool, String) {
    let topic = content_stems(question);
    if topic.is_empty() {
        return (false, "The question names no topic the built-in analyzer can look for.".to_owned());
    }
    let needed = topic.len().div_ceil(2);
    let mut best: Option<(usize, &str)> = None;
    for (_, raw, norm) in turns.said_by(Who::Anyone) {
        let words: Vec<String> = norm.split_whitespace().map(stem).collect();
        let hits = topic.iter().filter(|t| words.contains(t)).count();
        if hits >= needed && best.is_none_or(|(h, _)| hits > h) {
            best = Some((hits, raw));
        }
    }
    match best {
        Some((_, raw)) => (true, format!("The transcript mentions it: {}", quote(raw))),
        None => (false, format!("The transcript does not mention {}.", topic.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: Speaker, text: &str) -> Turn {
        Turn { role, text: text.to_owned(), start_s: None, end_s: None }
    }

    fn verdict(transcript: Vec<Turn>, question: &str) -> Verdict {
        let request = AnalysisRequest {
            transcript,
            started_at: None,
            timezone: "UTC".into(),
            agent_name: "A".into(),
            triggers: vec![TriggerQuestion { key: "k".into(), question: question.into() }],
        };
        analyze(&request).verdicts.remove(0)
    }

    #[test]
    fn a_callback_request_fires_and_quotes_the_customer() {
        let v = verdict(
            vec![turn(Speaker::Agent, "How can I help?"), turn(Speaker::User, "Could you call me back tomorrow at 3? I'm driving.")],
            "Did the customer ask to be called back?",
        );
        assert!(v.fired, "{v:?}");
        assert!(v.reason.contains("call me back tomorrow"), "{}", v.reason);
    }

    #[test]
    fn a_negated_callback_does_not_fire() {
        let v = verdict(
            vec![turn(Speaker::Agent, "Shall we call you back?"), turn(Speaker::User, "No, don't call me back, I'm all set. Bye.")],
            "Did the customer ask to be called back?",
        );
        assert!(!v.fired, "{v:?}");
    }

    #[test]
    fn booking_needs_the_agent_to_confirm_it() {
        let asked = verdict(
            vec![turn(Speaker::User, "I'd like to book a table for two."), turn(Speaker::Agent, "Sorry, we are fully booked tonight.")],
            "Did the agent confirm a booking during the call?",
        );
        assert!(!asked.fired, "{asked:?}");
        let confirmed = verdict(
            vec![turn(Speaker::User, "I'd like to book a table for two."), turn(Speaker::Agent, "Done, your reservation is confirmed for 7 pm.")],
            "Did the agent confirm a booking during the call?",
        );
        assert!(confirmed.fired, "{confirmed:?}");
    }

    #[test]
    fn unknown_questions_fall_back_to_their_topic_words() {
        let v = verdict(
            vec![turn(Speaker::User, "My parcel arrived damaged."), turn(Speaker::Agent, "I'm sorry to hear that.")],
            "Did the customer mention a damaged parcel?",
        );
        assert!(v.fired, "{v:?}");
    }
}
