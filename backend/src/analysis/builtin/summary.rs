//! Extractive summary: what the customer wanted, what the agent last did about it, and
//! how long the call was — each taken from the transcript, never invented.

use super::text::{normalize, sentences};
use crate::calls::event::{Speaker, Turn};

const FILLER: &[&str] = &[
    " hi ", " hello ", " hey ", " thanks ", " thank you ", " yes ", " no ", " ok ", " okay ", " sure ", " bye ",
    " goodbye ", " great ", " perfect ", " alright ",
];

/// A sentence is substantive when it has at least four words and is not only pleasantries.
fn substantive(sentence: &str) -> bool {
    let norm = normalize(sentence);
    let words = norm.split_whitespace().count();
    let filler = FILLER.iter().filter(|f| norm.contains(*f)).count();
    words >= 4 && filler * 3 < words
}

fn clip(text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max {
        return t.to_owned();
    }
    let cut: String = t.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

/// Two or three sentences: the customer's first substantive request, the agent's last
/// substantive statement, and the length in turns. Empty transcripts summarise as such.
pub fn summarize(transcript: &[Turn]) -> String {
    if transcript.is_empty() {
        return "The call has no transcript.".to_owned();
    }
    let first_request =
        transcript.iter().filter(|t| t.role == Speaker::User).flat_map(|t| sentences(&t.text)).find(|s| substantive(s));
    let last_outcome = transcript
        .iter()
        .rev()
        .filter(|t| t.role == Speaker::Agent)
        .flat_map(|t| sentences(&t.text).into_iter().rev())
        .find(|s| substantive(s) && !s.trim_end().ends_with('?'));
    let mut parts = Vec::new();
    if let Some(r) = first_request {
        parts.push(format!("The customer said: “{}”", clip(&r, 160)));
    }
    if let Some(o) = last_outcome {
        parts.push(format!("The agent concluded: “{}”", clip(&o, 160)));
    }
    parts.push(format!("The call had {} turns.", transcript.len()));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: Speaker, text: &str) -> Turn {
        Turn { role, text: text.to_owned(), start_s: None, end_s: None }
    }

    #[test]
    fn the_summary_quotes_the_request_and_the_outcome() {
        let s = summarize(&[
            turn(Speaker::Agent, "Hi! How can I help you?"),
            turn(Speaker::User, "Hi! I need to return an item, can you help me with that?"),
            turn(Speaker::Agent, "Unfortunately we cannot accept the return after 90 days."),
            turn(Speaker::Agent, "Anything else?"),
            turn(Speaker::User, "No, bye."),
        ]);
        assert!(s.contains("I need to return an item"), "{s}");
        assert!(s.contains("cannot accept the return"), "{s}");
        assert!(s.contains("5 turns"), "{s}");
    }
}
