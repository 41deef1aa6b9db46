//! Numbers in digits and words, with currency and the words around them.

use super::{Mention, words};

const UNITS: [&str; 20] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
];
const TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// The value of a number word ("seven", "forty"), if it is one.
pub fn word_number(word: &str) -> Option<f64> {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    if let Some(i) = UNITS.iter().position(|u| *u == w) {
        return Some(i as f64);
    }
    if let Some(i) = TENS.iter().position(|t| !t.is_empty() && *t == w) {
        return Some((i * 10) as f64);
    }
    if let Some((a, b)) = w.split_once('-') {
        let tens = TENS.iter().position(|t| !t.is_empty() && *t == a)?;
        let unit = UNITS.iter().position(|u| *u == b).filter(|u| (1..10).contains(u))?;
        return Some((tens * 10 + unit) as f64);
    }
    match w {
        "a" | "an" | "single" => None,
        "dozen" => Some(12.0),
        "couple" => Some(2.0),
        _ => None,
    }
}

fn digit_number(word: &str) -> Option<f64> {
    let w = word.trim_start_matches('$');
    let w = w
        .strip_suffix("st")
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))
        .or_else(|| w.strip_suffix("th"))
        .unwrap_or(w);
    if w.is_empty() || !w.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let cleaned = w.replace(',', "");
    if cleaned.chars().all(|c| c.is_ascii_digit() || c == '.') && cleaned.matches('.').count() <= 1 {
        cleaned.parse().ok()
    } else {
        None
    }
}

/// A number mention.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    pub value: f64,
    /// Written with a currency sign or followed by dollars/bucks/euros.
    pub currency: bool,
    /// The word after the number (lower case), e.g. "people".
    pub next: Option<String>,
    /// The word before the number.
    pub prev: Option<String>,
    /// Written in digits.
    pub digits: bool,
}

/// Every number in `text`: digits ("1,250.50", "$300", "5th"), number words
/// ("twenty five", "a hundred", "two thousand"), with currency and neighbouring words.
pub fn numbers(text: &str) -> Vec<Mention<Number>> {
    let ws = words(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let w = &ws[i];
        let mut value = None;
        let mut end_i = i;
        let mut digits = false;
        if let Some(v) = digit_number(&w.text) {
            value = Some(v);
            digits = true;
            // "3 thousand", "1.5 million"
            if let Some(next) = ws.get(i + 1) {
                let scale = match next.text.as_str() {
                    "hundred" => 100.0,
                    "thousand" | "k" => 1000.0,
                    "million" => 1_000_000.0,
                    _ => 1.0,
                };
                if scale > 1.0 {
                    value = Some(v * scale);
                    end_i = i + 1;
                }
            }
        } else if word_number(&w.text).is_some()
            || (matches!(w.text.as_str(), "a" | "an")
                && ws.get(i + 1).is_some_and(|n| matches!(n.text.as_str(), "hundred" | "thousand")))
        {
            // Number words: accumulate "two hundred and fifty", "twenty five".
            let mut total = 0.0;
            let mut current = 0.0;
            let mut j = i;
            let mut any = false;
            while j < ws.len() {
                let t = ws[j].text.as_str();
                if let Some(n) = word_number(t).filter(|_| t != "couple" || j == i) {
                    if t == "dozen" {
                        current = if current == 0.0 { 12.0 } else { current * 12.0 };
                    } else if current % 100.0 >= 20.0 && n < 10.0 && current % 10.0 == 0.0
                        || current == 0.0
                        || current % 100.0 == 0.0 && current > 0.0
                    {
                        current += n;
                    } else {
                        break;
                    }
                    any = true;
                } else if matches!(t, "a" | "an") && j == i {
                    current = 1.0;
                } else if t == "hundred" && (any || current > 0.0) {
                    current = current.max(1.0) * 100.0;
                    any = true;
                } else if t == "thousand" && (any || current > 0.0) {
                    total += current.max(1.0) * 1000.0;
                    current = 0.0;
                    any = true;
                } else if t == "and" && any && ws.get(j + 1).is_some_and(|n| word_number(&n.text).is_some()) {
                    // "two hundred and fifty"
                } else {
                    break;
                }
                j += 1;
            }
            if any {
                value = Some(total + current);
                end_i = j - 1;
            }
        }
        if let Some(v) = value {
            let next = ws.get(end_i + 1).map(|n| n.text.clone());
            let prev = i.checked_sub(1).map(|p| ws[p].text.clone());
            let currency = w.raw.starts_with('$')
                || text[..w.start].ends_with('$')
                || next
                    .as_deref()
                    .is_some_and(|n| matches!(n, "dollars" | "dollar" | "bucks" | "usd" | "euros" | "euro" | "pounds"));
            out.push(Mention {
                value: Number { value: v, currency, next, prev, digits },
                start: w.start,
                end: ws[end_i].end,
            });
            i = end_i + 1;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_in_digits_and_words_with_currency() {
        let n = numbers("Some criminal withdrew 300 dollars from an ATM");
        assert_eq!(n[0].value.value, 300.0);
        assert!(n[0].value.currency);
        let n = numbers("Send $1,250.50 to Philip");
        assert_eq!(n[0].value.value, 1250.5);
        assert!(n[0].value.currency);
        let n = numbers("a table for two people");
        assert_eq!(n[0].value.value, 2.0);
        assert_eq!(n[0].value.next.as_deref(), Some("people"));
        assert_eq!(numbers("twenty five guests")[0].value.value, 25.0);
        assert_eq!(numbers("two hundred and fifty dollars")[0].value.value, 250.0);
    }
}
