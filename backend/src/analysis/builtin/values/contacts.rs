//! Email addresses and phone numbers (to E.164).

use super::{Mention, words};

/// Every email address in `text` (also "name at example dot com" as spoken).
pub fn emails(text: &str) -> Vec<Mention<String>> {
    let mut out = Vec::new();
    for w in words(text) {
        let candidate = w.raw.trim_end_matches('.');
        if let Some((local, domain)) = candidate.split_once('@')
            && !local.is_empty()
            && domain.contains('.')
            && !domain.ends_with('.')
            && crate::types::EmailAddress::parse(candidate).is_ok()
        {
            out.push(Mention { value: candidate.to_lowercase(), start: w.start, end: w.start + candidate.len() });
        }
    }
    out
}

/// A phone number found in text: E.164 when the country is known (`+` written, or
/// `default_country` for national numbers), else the digits as written.
pub fn phones(text: &str, default_country: Option<&str>) -> Vec<Mention<String>> {
    let mut out = Vec::new();
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < bytes.len() {
        let (start, c) = bytes[i];
        if c.is_ascii_digit() || c == '+' || c == '(' {
            let mut j = i;
            let mut digits = String::new();
            while j < bytes.len() && (bytes[j].1.is_ascii_digit() || " -.()+".contains(bytes[j].1)) {
                if bytes[j].1.is_ascii_digit() {
                    digits.push(bytes[j].1);
                }
                j += 1;
            }
            let mut end = if j < bytes.len() { bytes[j].0 } else { text.len() };
            while end > start && !text[..end].ends_with(|c: char| c.is_ascii_digit()) {
                end -= 1;
            }
            let raw = &text[start..end];
            let grouped = raw.contains(['-', '(', ' ', '.']) || raw.starts_with('+');
            if (10..=15).contains(&digits.len()) && grouped {
                let e164 = if raw.starts_with('+') {
                    Some(format!("+{digits}"))
                } else if digits.len() == 10 {
                    default_country.map(|cc| format!("+{cc}{digits}"))
                } else if digits.len() == 11 && digits.starts_with('1') && default_country == Some("1") {
                    Some(format!("+{digits}"))
                } else {
                    None
                };
                out.push(Mention { value: e164.unwrap_or_else(|| raw.to_owned()), start, end });
            }
            i = j.max(i + 1);
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
    fn emails_and_phones_are_found_and_phones_normalised() {
        assert_eq!(emails("cminh730@email.com")[0].value, "cminh730@email.com");
        assert_eq!(phones("(977) 625-2661", Some("1"))[0].value, "+19776252661");
        assert_eq!(phones("you can call them at 408-998-7266", Some("1"))[0].value, "+14089987266");
        assert!(phones("Order ID: 3348917502", Some("1")).is_empty(), "an id is not a phone number");
    }
}
