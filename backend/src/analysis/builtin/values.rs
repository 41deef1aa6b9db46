//! Typed values found in one sentence of a transcript: numbers and amounts, dates
//! resolved against the call's start ("tomorrow", "next Friday", "March 9th"), times,
//! weekdays, email addresses, phone numbers (to E.164) and capitalised names. Each
//! mention keeps where it was found so callers can weigh it by its surroundings.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

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
                || (matches!(d, '.' | ':' | ',' | '/') && prev.is_ascii_digit() && next.is_some_and(|n| n.is_ascii_digit()))
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

const UNITS: [&str; 20] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
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
    let w = w.strip_suffix("st").or_else(|| w.strip_suffix("nd")).or_else(|| w.strip_suffix("rd")).or_else(|| w.strip_suffix("th")).unwrap_or(w);
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
        } else if word_number(&w.text).is_some() || (matches!(w.text.as_str(), "a" | "an") && ws.get(i + 1).is_some_and(|n| matches!(n.text.as_str(), "hundred" | "thousand"))) {
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
                    } else if current % 100.0 >= 20.0 && n < 10.0 && current % 10.0 == 0.0 || current == 0.0 || current % 100.0 == 0.0 && current > 0.0 {
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
                || next.as_deref().is_some_and(|n| matches!(n, "dollars" | "dollar" | "bucks" | "usd" | "euros" | "euro" | "pounds"));
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

const MONTHS: [&str; 12] = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
];

/// A month from its name or a 3+ letter abbreviation ("mar", "sept").
fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    MONTHS.iter().position(|m| *m == w || (w.len() >= 3 && m.starts_with(w))).map(|i| i as u32 + 1)
}

/// A weekday from its name ("tue", "tuesday", "tuesdays").
pub fn weekday(word: &str) -> Option<Weekday> {
    let w = word.trim_end_matches('s');
    Some(match w {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" | "tues" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

/// The weekday's English name.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn ordinal_day(word: &str) -> Option<u32> {
    const ORDINALS: [&str; 31] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
        "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
        "twentieth", "twenty-first", "twenty-second", "twenty-third", "twenty-fourth", "twenty-fifth", "twenty-sixth",
        "twenty-seventh", "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first",
    ];
    if let Some(i) = ORDINALS.iter().position(|o| *o == word) {
        return Some(i as u32 + 1);
    }
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !digits.is_empty() && matches!(suffix, "st" | "nd" | "rd" | "th" | "") {
        return digits.parse().ok().filter(|d| (1..=31).contains(d));
    }
    None
}

/// The next date on or after `from` that falls on `day` (`strictly_after` skips `from`).
fn next_weekday(from: NaiveDate, day: Weekday, strictly_after: bool) -> NaiveDate {
    let mut d = if strictly_after { from + Duration::days(1) } else { from };
    while d.weekday() != day {
        d += Duration::days(1);
    }
    d
}

fn month_day(anchor: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    let year = anchor.year();
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    // A date well in the past is meant for next year ("January 5th" said in December).
    if date < anchor - Duration::days(60) { NaiveDate::from_ymd_opt(year + 1, month, day) } else { Some(date) }
}

fn day_of_month(anchor: NaiveDate, day: u32, next_month: bool) -> Option<NaiveDate> {
    let (y, m) = if next_month || day < anchor.day() {
        if anchor.month() == 12 { (anchor.year() + 1, 1) } else { (anchor.year(), anchor.month() + 1) }
    } else {
        (anchor.year(), anchor.month())
    };
    NaiveDate::from_ymd_opt(y, m, day)
}

/// Every date in `text`, resolved against `anchor` (the call's local start date):
/// "today", "tomorrow", "day after tomorrow", "next Tuesday", "this Saturday", "Monday next
/// week", "Friday", "March 5th", "5th of March", "the 8th of this month", "the 8th",
/// "2019-03-05", "3/5".
pub fn dates(text: &str, anchor: NaiveDate) -> Vec<Mention<NaiveDate>> {
    let ws = words(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let t = ws[i].text.as_str();
        let at = |j: usize| ws.get(j).map(|w| w.text.as_str()).unwrap_or("");
        let mut found: Option<(NaiveDate, usize)> = None;
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            found = Some((d, i));
        } else if t == "today" || t == "tonight" {
            found = Some((anchor, i));
        } else if t == "tomorrow" {
            found = if at(i.wrapping_sub(1)) == "after" && at(i.wrapping_sub(2)) == "day" {
                None
            } else {
                Some((anchor + Duration::days(1), i))
            };
        } else if t == "day" && at(i + 1) == "after" && at(i + 2) == "tomorrow" {
            found = Some((anchor + Duration::days(2), i + 2));
        } else if let Some(day) = weekday(t).filter(|_| t.len() > 3 || t.ends_with('.')) {
            let prev = at(i.wrapping_sub(1));
            let date = if (at(i + 1) == "next" && at(i + 2) == "week") || (prev == "next" && at(i.wrapping_sub(2)) == "week") {
                // "Monday next week": the weekday in the following calendar week.
                let start_of_next_week = next_weekday(anchor, Weekday::Mon, true);
                next_weekday(start_of_next_week, day, false)
            } else {
                next_weekday(anchor, day, prev != "this" && prev != "today")
            };
            let end = if at(i + 1) == "next" && at(i + 2) == "week" { i + 2 } else { i };
            found = Some((date, end));
        } else if let Some(m) = month(t) {
            // "March 5th", "March 5", "March the 5th"
            let (day_word, end) = if at(i + 1) == "the" { (at(i + 2), i + 2) } else { (at(i + 1), i + 1) };
            if let Some(d) = ordinal_day(day_word) {
                found = month_day(anchor, m, d).map(|date| (date, end));
            }
        } else if let Some(d) = ordinal_day(t).filter(|_| !t.chars().all(|c| c.is_ascii_digit()) || at(i + 1) == "of") {
            // "5th of March", "the 8th of this month", "the 8th"
            if at(i + 1) == "of" {
                if let Some(m) = month(at(i + 2)) {
                    found = month_day(anchor, m, d).map(|date| (date, i + 2));
                } else if at(i + 2) == "this" && at(i + 3) == "month" {
                    found = day_of_month(anchor, d, false).map(|date| (date, i + 3));
                } else if at(i + 2) == "next" && at(i + 3) == "month" {
                    found = day_of_month(anchor, d, true).map(|date| (date, i + 3));
                }
            } else if at(i.wrapping_sub(1)) == "the" || at(i.wrapping_sub(1)) == "on" {
                found = day_of_month(anchor, d, false).map(|date| (date, i));
            }
        }
        if found.is_none() && t.contains('/') {
            let parts: Vec<&str> = t.split('/').collect();
            if let (Some(m), Some(d)) = (parts.first().and_then(|p| p.parse().ok()), parts.get(1).and_then(|p| p.parse().ok())) {
                let date = match parts.get(2).and_then(|y| y.parse::<i32>().ok()) {
                    Some(y) => NaiveDate::from_ymd_opt(if y < 100 { 2000 + y } else { y }, m, d),
                    None => month_day(anchor, m, d),
                };
                found = date.map(|date| (date, i));
            }
        }
        if let Some((date, end)) = found {
            out.push(Mention { value: date, start: ws[i].start, end: ws[end].end });
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn hour_word(word: &str) -> Option<u32> {
    word_number(word).map(|n| n as u32).filter(|h| (0..=12).contains(h)).or_else(|| word.parse().ok().filter(|h| *h <= 24))
}

fn meridiem(ws: &[Word], i: usize) -> (Option<bool>, usize) {
    let at = |j: usize| ws.get(j).map(|w| w.text.as_str()).unwrap_or("");
    match at(i) {
        "am" | "a.m" | "a.m." => (Some(false), i),
        "pm" | "p.m" | "p.m." => (Some(true), i),
        "a" if at(i + 1) == "m" => (Some(false), i + 1),
        "p" if at(i + 1) == "m" => (Some(true), i + 1),
        "in" if at(i + 1) == "the" && at(i + 2) == "morning" => (Some(false), i + 2),
        "in" if at(i + 1) == "the" && matches!(at(i + 2), "afternoon" | "evening") => (Some(true), i + 2),
        "at" if at(i + 1) == "night" => (Some(true), i + 1),
        "tonight" | "evening" => (Some(true), i),
        "morning" => (Some(false), i),
        "afternoon" => (Some(true), i),
        "o'clock" | "oclock" => {
            let (m, end) = meridiem(ws, i + 1);
            (m, if m.is_some() { end } else { i })
        }
        _ => (None, i.wrapping_sub(1)),
    }
}

fn to_24h(hour: u32, pm: Option<bool>) -> u32 {
    match pm {
        Some(true) if hour < 12 => hour + 12,
        Some(false) if hour == 12 => 0,
        _ => hour,
    }
}

/// A time mention; `explicit` when am/pm, a 24-hour clock or a part of day said it.
#[derive(Clone, Debug, PartialEq)]
pub struct Time {
    pub time: NaiveTime,
    pub explicit: bool,
}

/// Every time of day in `text`: "18:30", "6:30 pm", "6 pm", "six thirty p m", "eleven a m",
/// "half past six", "quarter to 2 in the afternoon", "noon", "midnight", "at 8" (without am
/// or pm, hours 1-6 are read as afternoon).
pub fn times(text: &str) -> Vec<Mention<Time>> {
    let ws = words(text);
    let mut out = Vec::new();
    let at = |j: usize| ws.get(j).map(|w| w.text.as_str()).unwrap_or("");
    let mut i = 0;
    while i < ws.len() {
        let t = ws[i].text.as_str();
        let mut found: Option<(u32, u32, Option<bool>, usize, bool)> = None; // h, m, pm, end, clock-like
        if t == "noon" || t == "midday" {
            found = Some((12, 0, None, i, true));
        } else if t == "midnight" {
            found = Some((0, 0, None, i, true));
        } else if let Some((h, m)) = t.split_once(':') {
            if let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.get(..2).unwrap_or(m).parse::<u32>())
                && h < 24 && m < 60
            {
                let (pm, end) = meridiem(&ws, i + 1);
                let end = if pm.is_some() { end } else { i };
                found = Some((h, m, pm, end, true));
            }
        } else if (t == "half" || t == "quarter") && matches!(at(i + 1), "past" | "to" | "after" | "til" | "till") {
            if let Some(h) = hour_word(at(i + 2)).filter(|h| (1..=12).contains(h)) {
                let minutes = if t == "half" { 30 } else { 15 };
                let (hour, minute) = if at(i + 1) == "to" || at(i + 1).starts_with("til") {
                    (if h == 1 { 12 } else { h - 1 }, 60 - minutes)
                } else {
                    (h, minutes)
                };
                let (pm, end) = meridiem(&ws, i + 3);
                let end = if pm.is_some() { end } else { i + 2 };
                found = Some((hour, minute, pm, end, true));
            }
        } else if let Some(h) = hour_word(t).filter(|h| (1..=12).contains(h)) {
            // "6 pm", "six thirty pm", "eleven a m", "1:45" handled above
            let mut minute = 0;
            let mut j = i + 1;
            if let Some(m) = word_number(at(j)).filter(|m| *m >= 10.0 && *m < 60.0) {
                minute = m as u32;
                j += 1;
                if let Some(u) = word_number(at(j)).filter(|u| *u >= 1.0 && *u < 10.0 && minute % 10 == 0) {
                    minute += u as u32;
                    j += 1;
                }
            } else if at(j) == "oh" && word_number(at(j + 1)).is_some_and(|u| (1.0..10.0).contains(&u)) {
                minute = word_number(at(j + 1)).map(|u| u as u32).unwrap_or(0);
                j += 2;
            }
            let (pm, end) = meridiem(&ws, j);
            let explicit_oclock = at(j) == "o'clock" || at(j) == "oclock";
            let preceded = matches!(at(i.wrapping_sub(1)), "at" | "around" | "by" | "until" | "till" | "from" | "for" | "about");
            if pm.is_some() || explicit_oclock {
                found = Some((h, minute, pm, end.max(j.saturating_sub(1)), true));
            } else if preceded && minute > 0 {
                found = Some((h, minute, None, j - 1, true));
            } else if preceded && ws[i].text.chars().all(|c| c.is_ascii_digit()) && !matches!(at(i + 1), "people" | "persons" | "person" | "guests" | "of" | "days" | "nights" | "rooms" | "tickets" | "seats" | "minutes" | "hours" | "dollars") {
                // "at 8" — an hour without am/pm
                found = Some((h, 0, None, i, false));
            }
        }
        if let Some((h, m, pm, end, explicit)) = found {
            let mut hour = to_24h(h, pm);
            let mut explicit = explicit && (pm.is_some() || h > 12 || h == 0 || t.contains(':') && h >= 13);
            if pm.is_none() && (1..=6).contains(&hour) && !t.contains(':') {
                hour += 12; // "at 3" in conversation about appointments means the afternoon
                explicit = false;
            }
            if let Some(time) = NaiveTime::from_hms_opt(hour % 24, m, 0) {
                out.push(Mention { value: Time { time, explicit: explicit || pm.is_some() }, start: ws[i].start, end: ws[end.min(ws.len() - 1)].end });
            }
            i = end.max(i) + 1;
        } else {
            i += 1;
        }
    }
    out
}

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
    "thank", "please", "sure", "great", "good", "can", "could", "would", "will", "what", "when", "where", "which", "who",
    "how", "why", "is", "are", "do", "does", "did", "that", "this", "it", "it's", "my", "your", "we", "you", "they", "so",
    "and", "but", "or", "if", "for", "to", "in", "on", "at", "of", "with", "from", "by", "alright", "perfect", "sorry",
    "also", "just", "let", "let's", "there", "here", "then", "now", "well", "oh", "um", "uh", "actually", "maybe",
    "confirming", "confirm", "please", "no,", "nope", "yeah", "yep", "correct", "right", "wonderful", "excellent",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow", "dr", "mr", "mrs", "ms",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "is", "be", "have", "has", "get", "book", "find", "make", "want", "need", "like", "look", "looking", "how's", "what's",
    "enjoy", "sounds", "welcome", "got", "done", "ok.", "id", "ai", "am", "pm", "great,", "awesome", "cool", "fine",
    "thankyou", "bye", "goodbye", "wait", "hold", "one", "two", "three", "okay,", "sir", "madam", "ma'am",
    "could", "should", "shall", "might", "must", "please,", "absolutely", "certainly", "definitely", "exactly",
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
            || (w.raw.chars().all(|c| c.is_ascii_digit()) && ws.get(i + 1).is_some_and(|n| is_cap(n) && !NOT_NAMES.contains(&n.text.as_str())) && w.raw.len() <= 5);
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < ws.len() {
            let n = &ws[j];
            let gap = &text[ws[j - 1].end..n.start];
            if gap.contains(['.', '?', '!', ';', ':']) && !matches!(ws[j - 1].text.as_str(), "dr" | "mr" | "mrs" | "ms" | "st") {
                break;
            }
            let capitalised = is_cap(n) && !matches!(n.text.as_str(), "i" | "i'm" | "i'd");
            let connector = NAME_CONNECTORS.contains(&n.text.as_str()) && ws.get(j + 1).is_some_and(is_cap) && !gap.contains(',');
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

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn first_date(text: &str) -> Option<String> {
        dates(text, day("2019-03-01")).first().map(|m| m.value.to_string())
    }

    fn first_time(text: &str) -> Option<String> {
        times(text).first().map(|m| m.value.time.format("%H:%M").to_string())
    }

    #[test]
    fn dates_from_the_data_set_resolve_against_the_call_start() {
        // 2019-03-01 is a Friday, the anchor of the SGD calls.
        assert_eq!(first_date("I want to make a dinner reservation on March 5th.").as_deref(), Some("2019-03-05"));
        assert_eq!(first_date("a table for 2 people next Tuesday at 6:30 pm").as_deref(), Some("2019-03-05"));
        assert_eq!(first_date("let's schedule a visit on the 8th of this month.").as_deref(), Some("2019-03-08"));
        assert_eq!(first_date("I want to visit on March 7th.").as_deref(), Some("2019-03-07"));
        assert_eq!(first_date("I'd like to pick it up the day after tomorrow").as_deref(), Some("2019-03-03"));
        assert_eq!(first_date("Can I get it tomorrow?").as_deref(), Some("2019-03-02"));
        assert_eq!(first_date("Monday next week works").as_deref(), Some("2019-03-04"));
        assert_eq!(first_date("this Saturday please").as_deref(), Some("2019-03-02"));
        assert_eq!(first_date("on the 14th of March").as_deref(), Some("2019-03-14"));
        assert_eq!(first_date("I need it today").as_deref(), Some("2019-03-01"));
        assert_eq!(first_date("drop it off on the 10th").as_deref(), Some("2019-03-10"));
        assert_eq!(first_date("I can only pay 5 dollars"), None);
    }

    #[test]
    fn times_from_the_data_set_become_24_hour() {
        assert_eq!(first_time("I want a restaurant in San Jose, for 18:30, please.").as_deref(), Some("18:30"));
        assert_eq!(first_time("next Tuesday at 6:30 pm at Ludwig's").as_deref(), Some("18:30"));
        assert_eq!(first_time("uh eleven a m").as_deref(), Some("11:00"));
        assert_eq!(first_time("quarter to 2 in the afternoon").as_deref(), Some("13:45"));
        assert_eq!(first_time("one in the afternoon").as_deref(), Some("13:00"));
        assert_eq!(first_time("Dr. Johnson is available at 8 pm.").as_deref(), Some("20:00"));
        assert_eq!(first_time("twelve pm").as_deref(), Some("12:00"));
        assert_eq!(first_time("at noon").as_deref(), Some("12:00"));
        assert_eq!(first_time("a table for 4 people").as_deref(), None);
    }

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

    #[test]
    fn emails_and_phones_are_found_and_phones_normalised() {
        assert_eq!(emails("cminh730@email.com")[0].value, "cminh730@email.com");
        assert_eq!(phones("(977) 625-2661", Some("1"))[0].value, "+19776252661");
        assert_eq!(phones("you can call them at 408-998-7266", Some("1"))[0].value, "+14089987266");
        assert!(phones("Order ID: 3348917502", Some("1")).is_empty(), "an id is not a phone number");
    }

    #[test]
    fn capitalised_runs_are_candidate_names() {
        let names: Vec<String> = capitalised("Can you get me a table at Ludwig's German Table?").into_iter().map(|m| m.value).collect();
        assert_eq!(names, vec!["Ludwig's German Table"]);
        let names: Vec<String> = capitalised("Hi. My name is Ben. I want an appointment with Dr. Johnson").into_iter().map(|m| m.value).collect();
        assert_eq!(names, vec!["Ben", "Dr. Johnson"]);
        let names: Vec<String> = capitalised("How about 11 Howard in New York?").into_iter().map(|m| m.value).collect();
        assert_eq!(names, vec!["11 Howard", "New York"]);
    }
}
