//! Capitalised runs of words: candidate proper names.

use super::{Mention, Word, words};

/// Title-cases a lower-case name ("linda garcia" → "Linda Garcia").
pub fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Capitalised words that do not start a name.
const NOT_NAMES: &[&str] = &[
    "i", "i'm", "i'd", "i'll", "i've", "a", "an", "the", "yes", "no", "ok", "okay", "hi", "hello", "hey", "thanks",
    "thank", "please", "sure", "great", "good", "can", "could", "would", "will", "what", "when", "where", "which",
    "who", "how", "why", "is", "are", "do", "does", "did", "that", "this", "it", "it's", "my", "your", "we", "you",
    "they", "so", "and", "but", "or", "if", "for", "to", "in", "on", "at", "of", "with", "from", "by", "alright",
    "perfect", "sorry", "also", "just", "let", "let's", "there", "here", "then", "now", "well", "oh", "um", "uh",
    "actually", "maybe", "confirming", "confirm", "please", "no,", "nope", "yeah", "yep", "correct", "right",
    "wonderful", "excellent", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "tomorrow", "dr", "mr", "mrs", "ms", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "is", "be", "have", "has", "get", "book", "find", "make", "want",
    "need", "like", "look", "looking", "how's", "what's", "enjoy", "sounds", "welcome", "got", "done", "ok.", "id",
    "ai", "am", "pm", "great,", "awesome", "cool", "fine", "thankyou", "bye", "goodbye", "wait", "hold", "one", "two",
    "three", "okay,", "sir", "madam", "ma'am", "could", "should", "shall", "might", "must", "please,", "absolutely",
    "certainly", "definitely", "exactly",
];

/// Connectors allowed inside a capitalised name ("Bank of America", "Ludwig's German Table").
const NAME_CONNECTORS: &[&str] = &["of", "the", "de", "la", "del", "and", "&"];

/// Runs of capitalised words (and digits leading into them, as in "11 Howard"): candidate
/// proper names. Sentence-initial common words and titles are skipped; honorifics are kept
/// ("Dr. Johnson").
pub fn capitalised(text: &str) -> Vec<Mention<String>> {
    let ws = words(text);
    let mut out = Vec::new();
    let mut i = 0;
    let is_cap = |w: &Word| w.raw.chars().next().is_some_and(char::is_uppercase);
    while i < ws.len() {
        let w = &ws[i];
        let starts = (is_cap(w) && !NOT_NAMES.contains(&w.text.as_str()))
            || (matches!(w.text.as_str(), "dr" | "mr" | "mrs" | "ms") && ws.get(i + 1).is_some_and(is_cap))
            || (w.raw.chars().all(|c| c.is_ascii_digit())
                && ws.get(i + 1).is_some_and(|n| is_cap(n) && !NOT_NAMES.contains(&n.text.as_str()))
                && w.raw.len() <= 5);
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < ws.len() {
            let n = &ws[j];
            let gap = &text[ws[j - 1].end..n.start];
            if gap.contains(['.', '?', '!', ';', ':'])
                && !matches!(ws[j - 1].text.as_str(), "dr" | "mr" | "mrs" | "ms" | "st")
            {
                break;
            }
            let capitalised = is_cap(n) && !matches!(n.text.as_str(), "i" | "i'm" | "i'd");
            let connector =
                NAME_CONNECTORS.contains(&n.text.as_str()) && ws.get(j + 1).is_some_and(is_cap) && !gap.contains(',');
            if capitalised || connector {
                j += 1;
            } else {
                break;
            }
        }
        let end = ws[j - 1].end;
        let name = text[w.start..end].trim_end_matches(['\'', 's']).to_owned();
        let name = if text[w.start..end].ends_with("'s") && j - i == 1 { name } else { text[w.start..end].to_owned() };
        out.push(Mention { value: name, start: w.start, end });
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalised_runs_are_candidate_names() {
        let names: Vec<String> =
            capitalised("Can you get me a table at Ludwig's German Table?").into_iter().map(|m| m.value).collect();
        assert_eq!(names, vec!["Ludwig's German Table"]);
        let names: Vec<String> = capitalised("Hi. My name is Ben. I want an appointment with Dr. Johnson")
            .into_iter()
            .map(|m| m.value)
            .collect();
        assert_eq!(names, vec!["Ben", "Dr. Johnson"]);
        let names: Vec<String> = capitalised("How about 11 Howard in New York?").into_iter().map(|m| m.value).collect();
        assert_eq!(names, vec!["11 Howard", "New York"]);
    }
}
