//! Times of day, written or spoken, as 24-hour times.

use chrono::NaiveTime;

use super::numbers::word_number;
use super::{Mention, Word, words};

fn hour_word(word: &str) -> Option<u32> {
    word_number(word)
        .map(|n| n as u32)
        .filter(|h| (0..=12).contains(h))
        .or_else(|| word.parse().ok().filter(|h| *h <= 24))
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
                && h < 24
                && m < 60
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
            let preceded =
                matches!(at(i.wrapping_sub(1)), "at" | "around" | "by" | "until" | "till" | "from" | "for" | "about");
            if pm.is_some() || explicit_oclock {
                found = Some((h, minute, pm, end.max(j.saturating_sub(1)), true));
            } else if preceded && minute > 0 {
                found = Some((h, minute, None, j - 1, true));
            } else if preceded
                && ws[i].text.chars().all(|c| c.is_ascii_digit())
                && !matches!(
                    at(i + 1),
                    "people"
                        | "persons"
                        | "person"
                        | "guests"
                        | "of"
                        | "days"
                        | "nights"
                        | "rooms"
                        | "tickets"
                        | "seats"
                        | "minutes"
                        | "hours"
                        | "dollars"
                )
            {
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
                out.push(Mention {
                    value: Time { time, explicit: explicit || pm.is_some() },
                    start: ws[i].start,
                    end: ws[end.min(ws.len() - 1)].end,
                });
            }
            i = end.max(i) + 1;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_time(text: &str) -> Option<String> {
        times(text).first().map(|m| m.value.time.format("%H:%M").to_string())
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
}
