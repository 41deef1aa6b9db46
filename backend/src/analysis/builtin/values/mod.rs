//! Typed values found in one sentence of a transcript: numbers and amounts, dates
//! resolved against the call's start ("tomorrow", "next Friday", "March 9th"), times,
//! weekdays, email addresses, phone numbers (to E.164) and capitalised names. Each
//! mention keeps where it was found so callers can weigh it by its surroundings.

mod contacts;
mod dates;
mod names;
mod numbers;
mod times;

pub use contacts::{emails, phones};
pub use dates::{dates, weekday, weekday_name};
pub use names::{capitalised, title_case};
pub use numbers::{Number, numbers, word_number};
pub use times::{Time, times};

/// A value found at `start..end` (byte offsets in the searched text).
#[derive(Clone, Debug, PartialEq)]
pub struct Mention<T> {
    pub value: T,
    pub start: usize,
    pub end: usize,
}

/// A lower-cased word with its byte span in the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub raw: String,
    pub start: usize,
    pub end: usize,
}

/// Splits into words, keeping byte spans. A word is letters and digits, with `'`, `-`
/// and `_` inside it, `.`, `:`, `,` and `/` between digits ("1,250.50", "18:30", "3/5"),
/// and `@`/`.` inside an email address; a leading `$` stays attached.
pub fn words(text: &str) -> Vec<Word> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !(c.is_alphanumeric() || (c == '$' && chars.get(i + 1).is_some_and(|(_, n)| n.is_ascii_digit()))) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut has_at = false;
        while j < chars.len() {
            let d = chars[j].1;
            let prev = chars[j - 1].1;
            let next = chars.get(j + 1).map(|(_, n)| *n);
            let next_alnum = next.is_some_and(char::is_alphanumeric);
            let keep = d.is_alphanumeric()
                || (matches!(d, '\'' | '’' | '-' | '_') && next_alnum && prev.is_alphanumeric())
                || (matches!(d, '.' | ':' | ',' | '/')
                    && prev.is_ascii_digit()
                    && next.is_some_and(|n| n.is_ascii_digit()))
                || (d == '@' && next_alnum && prev.is_alphanumeric())
                || (d == '.' && has_at && next_alnum);
            if !keep {
                break;
            }
            has_at |= d == '@';
            j += 1;
        }
        let end = if j < chars.len() { chars[j].0 } else { text.len() };
        let raw = text[start..end].to_owned();
        out.push(Word { text: raw.to_lowercase().replace('’', "'"), raw, start, end });
        i = j;
    }
    out
}
