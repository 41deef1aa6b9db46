//! What the agent says happened: a statement of success ("Your table has been reserved",
//! "I have made your appointment", "It will be ready in a few minutes", "Your transfer is
//! now complete") or of failure ("I wasn't able to update your booking", "That date doesn't
//! work", "I cannot authenticate you"). Questions and offers are neither.

use super::doc::{Doc, Sentence};
use super::vocabulary::VOCABULARY;
use crate::calls::event::Speaker;

/// The outcome a sentence states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

/// Whether `word` only appears negated or as something still to do ("not booked", "to
/// complete", "I will book", "let me transfer").
fn negated_near(s: &Sentence, word: &str) -> bool {
    let words: Vec<&str> = s.norm.split_whitespace().collect();
    let uses: Vec<usize> = words.iter().enumerate().filter(|(_, w)| **w == word).map(|(i, _)| i).collect();
    !uses.is_empty()
        && uses.iter().all(|&i| {
            let before = &words[i.saturating_sub(3)..i];
            before.iter().any(|p| matches!(*p, "not" | "never" | "no" | "unable"))
                || words.get(i.wrapping_sub(1)).is_some_and(|p| {
                    matches!(*p, "to" | "will" | "can" | "could" | "shall" | "would" | "me" | "should" | "being" | "be")
                })
        })
}

/// The outcome an agent sentence states, if any.
pub fn of(s: &Sentence) -> Option<Outcome> {
    if s.role != Speaker::Agent || s.question {
        return None;
    }
    let v = &*VOCABULARY;
    // Words tying a failure to the caller's request (rather than a detail: "it's not
    // furnished, unfortunately").
    let about_request = v.request_words.iter().any(|w| s.has(w));
    let strong = v.failure.iter().any(|p| s.has(p));
    let weak = v.failure_about_request.iter().any(|p| s.has(p));
    let failure = strong || (weak && about_request);
    if failure {
        return Some(Outcome::Failure);
    }
    let done = v.done.iter().any(|w| s.has(w) && !negated_near(s, w)) || v.fulfilment.iter().any(|p| s.has(p));
    if done && !failure {
        return Some(Outcome::Success);
    }
    None
}

/// Every stated outcome, in order, with its sentence.
pub fn all(doc: &Doc) -> Vec<(Outcome, &Sentence)> {
    doc.sentences.iter().filter_map(|s| of(s).map(|o| (o, s))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalysisRequest;
    use crate::calls::event::Turn;

    fn agent(text: &str) -> Option<Outcome> {
        let doc = Doc::new(&AnalysisRequest {
            transcript: vec![Turn { role: Speaker::Agent, text: text.to_owned(), start_s: None, end_s: None }],
            timezone: "UTC".into(),
            ..Default::default()
        });
        doc.sentences.iter().find_map(of)
    }

    #[test]
    fn agents_statements_of_success_from_the_data_set() {
        for text in [
            "Your table has been reserved.",
            "Your car was reserved.",
            "I have made your appointment.",
            "Table booked!",
            "You are now scheduled in.",
            "Your transfer is now complete",
            "Your transfer is successfully initiated.",
            "Ok, great. It will be at the coffee bar in a couple of minutes.",
            "i have scheduled your appointment for monday at eleven a m",
            "Your report has been successfully submitted.",
        ] {
            assert_eq!(agent(text), Some(Outcome::Success), "{text}");
        }
    }

    #[test]
    fn agents_statements_of_failure_from_the_data_set() {
        for text in [
            "Unfortunately I wasn't able to update your booking, sorry.",
            "I am so sorry. That date doesn't work.",
            "Sorry, I was unable to make an appointment at Great Clips.",
            "I am sorry, but I cannot authenticate you with the information you have provided.",
        ] {
            assert_eq!(agent(text), Some(Outcome::Failure), "{text}");
        }
        assert_eq!(agent("Shall I book it for you?"), None, "an offer is not an outcome");
        assert_eq!(agent("It's not furnished unfortunately"), None, "a detail is not the request");
    }
}
