//! Every cue the built-in analyzer looks for in a transcript, and in how many calls of a
//! labelled folder each one occurs: `aftercall eval DIR --cues` prints it, and a cue that
//! occurs in exactly one call fails it (issue 12: a cue taken from a single sample call
//! raises that call's score and says nothing about calls nobody has read).
//!
//! Cues that occur in no sample call are general knowledge (insults, closings) and pass;
//! cues in two calls or more are shared by several callers and pass.

use super::doc::Doc;
use super::intents::Rule;
use super::text::stem;
use super::vocabulary::VOCABULARY;
use crate::analysis::AnalysisRequest;

/// One named list of transcript cues (`intent fraud: customer evidence`, `annoyance`, …).
#[derive(Clone, Debug)]
pub struct CueList {
    pub name: String,
    pub cues: Vec<&'static str>,
}

/// How often one cue occurs in a set of calls.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CueCount {
    /// The [`CueList::name`] it belongs to.
    pub list: String,
    pub cue: &'static str,
    /// Calls in which some sentence holds it (as whole words, or for a one-word cue its
    /// stem among the sentence's stems).
    pub calls: usize,
    /// The index (in the requests given) of the first call that holds it.
    pub first_call: Option<usize>,
}

/// Every list of cues the analyzer matches against what was said: each intent's evidence
/// phrases and outcome nouns and request words, the annoyance cues, the closing words, the
/// words related to topic words, and the outcome statements' success and failure phrases.
pub fn transcript_cues() -> Vec<CueList> {
    let mut lists = Vec::new();
    let v = &*VOCABULARY;
    for intent in v.intents {
        for (i, evidence) in intent.evidence.iter().enumerate() {
            lists.push(CueList {
                name: format!("intent {}: evidence {} ({:?})", intent.name, i + 1, evidence.who),
                cues: evidence.phrases.to_vec(),
            });
        }
        if let Rule::Outcome { nouns, asks } = intent.rule {
            lists.push(CueList { name: format!("intent {}: outcome nouns", intent.name), cues: nouns.to_vec() });
            lists.push(CueList { name: format!("intent {}: request words", intent.name), cues: asks.to_vec() });
        }
    }
    lists.push(CueList { name: "annoyance".into(), cues: v.annoyance.iter().map(|(c, _)| *c).collect() });
    lists.push(CueList { name: "closings".into(), cues: v.closings.to_vec() });
    for related in v.topic.related {
        lists.push(CueList {
            name: format!("topic related to “{}”", related.topic[0]), cues: related.said.to_vec()
        });
    }
    let outcome = [
        ("done", v.done),
        ("fulfilment", v.fulfilment),
        ("failure", v.failure),
        ("failure about the request", v.failure_about_request),
        ("request words", v.request_words),
        ("review", v.review),
        ("agreement", v.agreement),
    ];
    for (name, cues) in outcome {
        lists.push(CueList { name: format!("outcome: {name}"), cues: cues.to_vec() });
    }
    lists
}

/// In how many of `requests` each cue of [`transcript_cues`] occurs (any speaker).
pub fn occurrences(requests: &[AnalysisRequest]) -> Vec<CueCount> {
    let docs: Vec<Doc> = requests.iter().map(Doc::new).collect();
    let mut out = Vec::new();
    for list in transcript_cues() {
        for cue in list.cues {
            let one_word = !cue.trim().contains(' ');
            let cue_stem = stem(cue.trim());
            let holding: Vec<usize> = docs
                .iter()
                .enumerate()
                .filter(|(_, d)| d.sentences.iter().any(|s| s.has(cue) || (one_word && s.stems.contains(&cue_stem))))
                .map(|(i, _)| i)
                .collect();
            out.push(CueCount {
                list: list.name.clone(),
                cue,
                calls: holding.len(),
                first_call: holding.first().copied(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_is_named_and_holds_cues() {
        let lists = transcript_cues();
        assert!(lists.iter().any(|l| l.name == "annoyance"));
        assert!(lists.iter().any(|l| l.name.starts_with("intent fraud")));
        assert!(lists.iter().all(|l| !l.cues.is_empty()), "an empty cue list");
    }
}
