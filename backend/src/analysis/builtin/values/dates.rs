//! Dates resolved against the call's start, and weekdays.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::{Mention, words};

const MONTHS: [&str; 12] = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december",
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
            let date = if (at(i + 1) == "next" && at(i + 2) == "week")
                || (prev == "next" && at(i.wrapping_sub(2)) == "week")
            {
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
            if let (Some(m), Some(d)) =
                (parts.first().and_then(|p| p.parse().ok()), parts.get(1).and_then(|p| p.parse().ok()))
            {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn first_date(text: &str) -> Option<String> {
        dates(text, day("2019-03-01")).first().map(|m| m.value.to_string())
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
}
