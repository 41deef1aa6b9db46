//! When a predicted value counts as the gold one: exact (normalised text, numbers, phone digits) or lenient (word overlap).

#[allow(unused_imports)]
use super::*;

/// Lower case, words of letters and digits separated by single spaces.
pub fn normalize(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn as_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

pub(crate) fn as_number(value: &Json) -> Option<f64> {
    match value {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().replace([',', '$'], "").parse().ok(),
        _ => None,
    }
}

pub(crate) fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

pub(crate) fn looks_like_phone(text: &str) -> bool {
    let d = digits(text);
    d.len() >= 7 && text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

/// Whether `predicted` equals `gold` after normalisation.
pub fn exact_match(predicted: &Json, gold: &Json) -> bool {
    if predicted.is_null() || gold.is_null() {
        return false;
    }
    if let (Some(a), Some(b)) = (as_number(predicted), as_number(gold))
        && (a - b).abs() < 1e-6
    {
        return true;
    }
    let (p, g) = (as_text(predicted), as_text(gold));
    if looks_like_phone(&p) && looks_like_phone(&g) {
        let (dp, dg) = (digits(&p), digits(&g));
        let tail = |d: &str| d.chars().rev().take(10).collect::<String>();
        return tail(&dp) == tail(&dg);
    }
    let (np, ng) = (normalize(&p), normalize(&g));
    !np.is_empty() && np == ng
}

/// Word-set similarity: shared words over the smaller set (so "headache and dizziness"
/// matches a longer description of the same symptoms).
pub(crate) fn overlap(a: &str, b: &str) -> f64 {
    let wa: std::collections::BTreeSet<&str> = a.split_whitespace().collect();
    let wb: std::collections::BTreeSet<&str> = b.split_whitespace().collect();
    if wa.is_empty() || wb.is_empty() {
        return 0.0;
    }
    wa.intersection(&wb).count() as f64 / wa.len().min(wb.len()) as f64
}

/// Exact, or equal to an alternative, or a fuzzy word match (at least half the words).
pub fn lenient_match(predicted: &Json, gold: &GoldField) -> bool {
    if exact_match(predicted, &gold.value) {
        return true;
    }
    if predicted.is_null() {
        return false;
    }
    if gold.alternatives.iter().flatten().any(|alt| exact_match(predicted, alt)) {
        return true;
    }
    let p = normalize(&as_text(predicted));
    let candidates = std::iter::once(&gold.value).chain(gold.alternatives.iter().flatten());
    candidates.map(|g| normalize(&as_text(g))).any(|g| !g.is_empty() && overlap(&p, &g) >= 0.5)
}
