//! Text normalisation for the built-in analyzer: lower-casing, contraction expansion,
//! sentence splitting, crude stemming and negation scope.

/// Lower-cases, expands English contractions (`can't` → `can not`) and keeps letters,
/// digits and single spaces, so phrase matching works on word boundaries.
pub fn normalize(text: &str) -> String {
    let lower = text.to_lowercase().replace(['’', '‘'], "'");
    let expanded = lower
        .replace("won't", "will not")
        .replace("can't", "can not")
        .replace("cannot", "can not")
        .replace("n't", " not")
        .replace("'re", " are")
        .replace("'ve", " have")
        .replace("'ll", " will")
        .replace("'m", " am")
        .replace("'d", " would");
    let mut out = String::with_capacity(expanded.len() + 2);
    out.push(' ');
    let mut last_space = true;
    for ch in expanded.chars() {
        if ch.is_alphanumeric() {
            out.push(ch);
            last_space = false;
        } else if !last_space {
            out.push(' ');
            last_space = true;
        }
    }
    if !last_space {
        out.push(' ');
    }
    out
}

/// Splits text into sentences at `.`, `!`, `?` and newlines (keeping the punctuation).
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        current.push(ch);
        let boundary = match ch {
            '!' | '?' | '\n' => true,
            // A period ends a sentence when followed by whitespace (not in "3.5" or "e.g"),
            // unless it ends a title before a name ("Dr. Johnson", "Mrs. Smith").
            '.' => chars.peek().is_none_or(|c| c.is_whitespace()) && !ends_with_title(&current),
            _ => false,
        };
        if boundary {
            let s = current.trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
            current.clear();
        }
    }
    let s = current.trim();
    if !s.is_empty() {
        out.push(s.to_owned());
    }
    out
}

/// Titles written with a period before a name (English usage).
const TITLES: &[&str] = &["dr", "mr", "mrs", "ms", "mx", "prof", "st", "sr", "jr", "capt", "lt", "gen", "rev", "hon"];

/// Whether `text` (ending with a period) ends with a title such as "Dr.".
fn ends_with_title(text: &str) -> bool {
    let word = text.trim_end_matches('.').rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    TITLES.iter().any(|t| word.eq_ignore_ascii_case(t))
}

/// Words that negate what follows them within a short window.
pub const NEGATORS: &[&str] =
    &["not", "no", "never", "nothing", "without", "unable", "neither", "nor", "none", "unfortunately"];

/// Whether the phrase found at byte `at` of the normalised `text` is negated: a negator
/// among the three words before it.
pub fn negated_at(text: &str, at: usize) -> bool {
    let before = &text[..at.min(text.len())];
    before.split_whitespace().rev().take(3).any(|w| NEGATORS.contains(&w))
}

/// Finds `phrase` (normalised, matched on word boundaries) in the normalised `text`;
/// returns the byte offset of the first match that is not negated, and whether any match
/// was negated.
pub fn find_phrase(text: &str, phrase: &str) -> (Option<usize>, bool) {
    let needle = format!(" {} ", phrase.trim());
    let mut negated = false;
    let mut from = 0;
    while let Some(pos) = text[from..].find(&needle) {
        let at = from + pos;
        if negated_at(text, at + 1) {
            negated = true;
        } else {
            return (Some(at), negated);
        }
        from = at + 1;
    }
    (None, negated)
}

/// A crude English stem: strips common inflections so `booked`, `booking` and `books`
/// meet at `book`, and `reserve`, `reserved` and `reservation` at `reserv`.
pub fn stem(word: &str) -> String {
    let w = word.to_lowercase();
    for suffix in ["ations", "ation", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"] {
        if let Some(base) = w.strip_suffix(suffix)
            && base.len() >= 3
        {
            return match suffix {
                "ies" => format!("{base}y"),
                _ => base.to_owned(),
            };
        }
    }
    // A silent final e: "reserve" → "reserv", like "reserved".
    match w.strip_suffix('e') {
        Some(base) if base.len() >= 4 && !base.ends_with('e') => base.to_owned(),
        _ => w,
    }
}

/// Words that carry no topic in a trigger question.
pub const STOPWORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "at", "by", "from", "did", "does", "do",
    "was", "were", "is", "are", "be", "been", "has", "have", "had", "will", "would", "could", "should", "can",
    "during", "call", "caller", "customer", "agent", "user", "they", "their", "them", "he", "she", "it", "its", "this",
    "that", "any", "some", "someone", "about", "into", "out", "up", "as", "if", "what", "which", "who", "whether",
    "ask", "asked", "request", "requested", "want", "wanted", "get", "got", "make", "made", "conversation", "there",
    "than", "then", "so", "such", "very", "more", "less", "also", "after", "before",
];

/// The topic words of a question: normalised, without stopwords, stemmed.
pub fn content_stems(question: &str) -> Vec<String> {
    let mut out: Vec<String> =
        normalize(question).split_whitespace().filter(|w| w.len() > 2 && !STOPWORDS.contains(w)).map(stem).collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contractions_expand_and_punctuation_becomes_spaces() {
        assert_eq!(normalize("I can't, won't; didn't!"), " i can not will not did not ");
    }

    #[test]
    fn phrases_match_on_word_boundaries_and_see_negation() {
        let text = normalize("I have not booked it. Later: booked!");
        let (found, negated) = find_phrase(&text, "booked");
        assert!(found.is_some());
        assert!(negated);
        let text = normalize("no, it was not booked");
        assert_eq!(find_phrase(&text, "booked"), (None, true));
        assert_eq!(find_phrase(&normalize("rebooked"), "booked"), (None, false));
    }

    #[test]
    fn sentences_split_on_terminal_punctuation_only() {
        assert_eq!(sentences("It costs 3.5 dollars. Okay? Yes!"), vec!["It costs 3.5 dollars.", "Okay?", "Yes!"]);
        // A title's period is not a sentence's end.
        assert_eq!(
            sentences("Unfortunately Dr. Johnson is away. Mrs. Lee can see you."),
            vec!["Unfortunately Dr. Johnson is away.", "Mrs. Lee can see you."]
        );
        assert_eq!(sentences("Call Dr."), vec!["Call Dr."]);
    }

    #[test]
    fn stems_meet() {
        assert_eq!(stem("booked"), "book");
        assert_eq!(stem("booking"), "book");
        assert_eq!(stem("companies"), "company");
        assert_eq!(stem("reserve"), stem("reserved"));
        assert_eq!(stem("schedule"), stem("scheduling"));
        assert_eq!(stem("reservation"), "reserv");
    }
}
