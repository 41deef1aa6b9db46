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

/// Every stated outcome, in order, with its sentence. Besides what a sentence states by
/// itself ([`of`]), a read-back that the customer approves carries it out: when the agent
/// asks the customer to check what was agreed (a question with a [`Vocabulary::review`]
/// phrase: "Does your order look right?"), the customer's next turn opens with agreement
/// ([`Vocabulary::agreement`]: "Yep, all good") and says no "no" or "not", and the agent's
/// following turn states no outcome of its own, that turn's last statement is a success
/// ("Great, I'll have that right out"). A later failure still overrides it.
///
/// [`Vocabulary::review`]: super::vocabulary::Vocabulary::review
/// [`Vocabulary::agreement`]: super::vocabulary::Vocabulary::agreement
pub fn all(doc: &Doc) -> Vec<(Outcome, &Sentence)> {
    let stated: Vec<Option<Outcome>> = doc.sentences.iter().map(of).collect();
    let approved = approved_read_backs(doc, &stated);
    doc.sentences
        .iter()
        .zip(stated)
        .enumerate()
        .filter_map(|(i, (s, o))| o.or(approved.contains(&i).then_some(Outcome::Success)).map(|o| (o, s)))
        .collect()
}

/// The sentences (indexes) that carry out a read-back the customer approved: see [`all`].
fn approved_read_backs(doc: &Doc, stated: &[Option<Outcome>]) -> Vec<usize> {
    let v = &*VOCABULARY;
    let turn_of = |t: usize| doc.sentences.iter().enumerate().filter(move |(_, s)| s.turn == t);
    let mut out = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.role != Speaker::Agent || !s.question || !v.review.iter().any(|p| s.has(p)) {
            continue;
        }
        // The review question is the last sentence of its turn; the customer answers next.
        if turn_of(s.turn).any(|(j, _)| j > i) {
            continue;
        }
        let answer: Vec<&Sentence> = turn_of(s.turn + 1).map(|(_, a)| a).collect();
        let agrees = answer.first().is_some_and(|a| {
            a.role == Speaker::User && v.agreement.iter().any(|p| a.norm.starts_with(&format!(" {} ", p.trim())))
        }) && answer.iter().all(|a| !a.has("no") && !a.has("not"));
        if !agrees {
            continue;
        }
        let next: Vec<(usize, &Sentence)> = turn_of(s.turn + 2).collect();
        if next.iter().any(|(j, a)| a.role != Speaker::Agent || stated[*j].is_some()) {
            continue;
        }
        if let Some((j, _)) = next.iter().rev().find(|(_, a)| !a.question) {
            out.push(*j);
        }
    }
    out
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

    fn outcomes(turns: &[(Speaker, &str)]) -> Vec<(Outcome, String)> {
        let doc = Doc::new(&AnalysisRequest {
            transcript: turns
                .iter()
                .map(|(role, text)| Turn { role: *role, text: (*text).to_owned(), start_s: None, end_s: None })
                .collect(),
            timezone: "UTC".into(),
            ..Default::default()
        });
        all(&doc).into_iter().map(|(o, s)| (o, s.raw.clone())).collect()
    }

    #[test]
    fn a_read_back_the_customer_approves_is_carried_out() {
        use Speaker::{Agent, User};
        let order = [(User, "A large latte, please."), (Agent, "Sure. Does your order look right?")];
        let approved =
            outcomes(&[order[0], order[1], (User, "Yep, all good."), (Agent, "Great. We will have it out shortly.")]);
        assert_eq!(approved, [(Outcome::Success, "We will have it out shortly.".to_owned())]);
        // A correction is not agreement, and neither is an answer with "not" in it.
        assert!(outcomes(&[order[0], order[1], (User, "No, make it a decaf."), (Agent, "Okay.")]).is_empty());
        assert!(outcomes(&[order[0], order[1], (User, "Yes, but not with milk."), (Agent, "Okay.")]).is_empty());
        // The agent's own statement decides when it has one.
        let failed = outcomes(&[order[0], order[1], (User, "Yes."), (Agent, "Sorry, we are sold out of lattes.")]);
        assert_eq!(failed, [(Outcome::Failure, "Sorry, we are sold out of lattes.".to_owned())]);
        // A question that reviews nothing is not a read-back.
        assert!(outcomes(&[(Agent, "Would you like a pastry?"), (User, "Yes."), (Agent, "Okay.")]).is_empty());
    }
}
