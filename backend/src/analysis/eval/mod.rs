//! Evaluation against a labelled folder laid out like the development set:
//! `events/<call_id>.json` (call-ended events), `gold/<call_id>.json` (labels) and
//! `triggers.json` (trigger id → question).
//!
//! A questions file (`aftercall eval --triggers FILE`) replaces the folder's questions: each
//! is scored against a trigger's gold (a paraphrase) or against the call's source domain
//! from `manifest.jsonl` (a topic question), see [`Dataset::use_questions`];
//! [`Dataset::only_datasets`] keeps the calls of some source datasets, so rules tuned on
//! some datasets are reported on the others.
//!
//! Scoring follows the set's README: triggers are scored only where the gold is not null,
//! per trigger (precision, recall, F1) and as the macro-F1 over the triggers with a
//! positive (gold or predicted) among the calls scored; fields are
//! scored only where the gold status is `annotated`, per field type, *exact* (the value,
//! after normalising case, spacing and punctuation; numbers numerically; phone numbers by
//! their digits) and *lenient* (also any of the gold's surface-form alternatives, or a
//! fuzzy match of the words, which the STAR labels need: agents typed them).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::{AnalysisOutput, AnalysisRequest, CallFacts, FieldSpec, FieldType, TriggerQuestion};
use crate::calls::event::{CallEnded, RawCallEvent};

mod dataset;
pub use dataset::*;
mod matching;
pub use matching::*;

/// Precision, recall and F1 of one trigger.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TriggerScore {
    pub true_positives: u32,
    pub false_positives: u32,
    pub false_negatives: u32,
    pub true_negatives: u32,
    /// Calls (with a gold answer) where the analyzer abstained (an unknown verdict).
    pub unknown: u32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Accuracy of one field type.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FieldScore {
    pub annotated: u32,
    pub exact: u32,
    pub lenient: u32,
    pub exact_rate: f64,
    pub lenient_rate: f64,
}

/// Latency percentiles, milliseconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// The whole report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub analyzer: String,
    pub calls: usize,
    /// The source datasets of the calls scored, sorted.
    pub datasets: Vec<String>,
    /// The half of the fixed split scored ([`Dataset::only_half`]); `None` = both.
    pub half: Option<Half>,
    pub failed: usize,
    pub triggers: BTreeMap<String, TriggerScore>,
    pub macro_f1: f64,
    pub fields: BTreeMap<String, FieldScore>,
    pub exact_overall: f64,
    pub lenient_overall: f64,
    pub latency: Latency,
    /// Field mismatches for inspection: `call_id`, field, gold, predicted.
    pub field_errors: Vec<(String, String, Json, Json)>,
    /// Trigger mismatches: `call_id`, trigger, gold, reason.
    pub trigger_errors: Vec<(String, String, bool, String)>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Scores `outputs` (one per case, `None` when the analysis failed) with their latencies.
pub fn score(dataset: &Dataset, outputs: &[(Option<AnalysisOutput>, f64)], analyzer: &str) -> Report {
    let mut report = Report {
        analyzer: analyzer.to_owned(),
        calls: dataset.cases.len(),
        datasets: dataset.datasets(),
        half: dataset.half,
        ..Default::default()
    };
    for id in dataset.triggers.keys() {
        report.triggers.insert(id.clone(), TriggerScore::default());
    }
    let mut latencies: Vec<f64> = Vec::new();
    for (case, (output, ms)) in dataset.cases.iter().zip(outputs) {
        latencies.push(*ms);
        let Some(output) = output else {
            report.failed += 1;
            continue;
        };
        for (id, target) in &dataset.gold {
            let Some(gold) = case.gold_for(target) else { continue };
            let Some(score) = report.triggers.get_mut(id) else { continue };
            let verdict = output.verdict(id);
            let predicted = verdict.is_some_and(|v| v.fired);
            if verdict.is_some_and(|v| v.unknown) {
                score.unknown += 1;
            }
            match (predicted, gold) {
                (true, true) => score.true_positives += 1,
                (true, false) => score.false_positives += 1,
                (false, true) => score.false_negatives += 1,
                (false, false) => score.true_negatives += 1,
            }
            if predicted != gold {
                let reason = verdict.map(|v| v.reason.clone()).unwrap_or_default();
                report.trigger_errors.push((case.call_id.clone(), id.clone(), gold, reason));
            }
        }
        for spec in &case.fields {
            let Some(gold) = case.gold_fields.get(&spec.name) else { continue };
            if gold.status != "annotated" {
                continue;
            }
            let predicted =
                output.fields.iter().find(|f| f.name == spec.name).map(|f| f.value.clone()).unwrap_or(Json::Null);
            let score = report.fields.entry(spec.kind.as_str().to_owned()).or_default();
            score.annotated += 1;
            let exact = exact_match(&predicted, &gold.value);
            if exact {
                score.exact += 1;
            }
            if exact || lenient_match(&predicted, gold) {
                score.lenient += 1;
            }
            if !exact {
                report.field_errors.push((case.call_id.clone(), spec.name.clone(), gold.value.clone(), predicted));
            }
        }
    }
    for s in report.triggers.values_mut() {
        let tp = f64::from(s.true_positives);
        s.precision = if s.true_positives + s.false_positives == 0 {
            0.0
        } else {
            tp / f64::from(s.true_positives + s.false_positives)
        };
        s.recall = if s.true_positives + s.false_negatives == 0 {
            0.0
        } else {
            tp / f64::from(s.true_positives + s.false_negatives)
        };
        s.f1 =
            if s.precision + s.recall == 0.0 { 0.0 } else { 2.0 * s.precision * s.recall / (s.precision + s.recall) };
    }
    // A question with no positive, gold or predicted, among the calls scored (a rare one
    // on a few datasets) has no F1 and is left out of the macro-F1.
    let scored: Vec<f64> = report
        .triggers
        .values()
        .filter(|s| s.true_positives + s.false_positives + s.false_negatives > 0)
        .map(|s| s.f1)
        .collect();
    report.macro_f1 = if scored.is_empty() { 0.0 } else { scored.iter().sum::<f64>() / scored.len() as f64 };
    let (mut annotated, mut exact, mut lenient) = (0u32, 0u32, 0u32);
    for s in report.fields.values_mut() {
        s.exact_rate = if s.annotated == 0 { 0.0 } else { f64::from(s.exact) / f64::from(s.annotated) };
        s.lenient_rate = if s.annotated == 0 { 0.0 } else { f64::from(s.lenient) / f64::from(s.annotated) };
        annotated += s.annotated;
        exact += s.exact;
        lenient += s.lenient;
    }
    report.exact_overall = if annotated == 0 { 0.0 } else { f64::from(exact) / f64::from(annotated) };
    report.lenient_overall = if annotated == 0 { 0.0 } else { f64::from(lenient) / f64::from(annotated) };
    latencies.sort_by(|a, b| a.total_cmp(b));
    report.latency = Latency {
        p50_ms: percentile(&latencies, 50.0),
        p90_ms: percentile(&latencies, 90.0),
        p99_ms: percentile(&latencies, 99.0),
        max_ms: latencies.last().copied().unwrap_or(0.0),
    };
    report
}

/// The report as a table for the terminal.
pub fn render(report: &Report) -> String {
    let half = match report.half {
        Some(Half::Tune) => " · tune half",
        Some(Half::Check) => " · check half",
        None => "",
    };
    let mut out = format!(
        "analyzer {} · {} calls ({} failed) · datasets {}{half}\n\n",
        report.analyzer,
        report.calls,
        report.failed,
        report.datasets.join(", ")
    );
    out.push_str(&format!(
        "{:<32} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6} {:>7}\n",
        "trigger", "TP", "FP", "FN", "prec", "recall", "F1", "unknown"
    ));
    for (id, s) in &report.triggers {
        if s.true_positives + s.false_positives + s.false_negatives == 0 {
            out.push_str(&format!(
                "{:<32} {:>5} {:>5} {:>5} {:>6} {:>6} {:>6} {:>7}\n",
                id, 0, 0, 0, "—", "—", "—", s.unknown
            ));
            continue;
        }
        out.push_str(&format!(
            "{:<32} {:>5} {:>5} {:>5} {:>6.3} {:>6.3} {:>6.3} {:>7}\n",
            id, s.true_positives, s.false_positives, s.false_negatives, s.precision, s.recall, s.f1, s.unknown
        ));
    }
    out.push_str(&format!("{:<32} {:>42.3}\n\n", "macro-F1", report.macro_f1));
    out.push_str(&format!(
        "{:<12} {:>9} {:>7} {:>8} {:>7} {:>9}\n",
        "field type", "annotated", "exact", "exact%", "lenient", "lenient%"
    ));
    for (kind, s) in &report.fields {
        out.push_str(&format!(
            "{:<12} {:>9} {:>7} {:>7.1}% {:>7} {:>8.1}%\n",
            kind,
            s.annotated,
            s.exact,
            s.exact_rate * 100.0,
            s.lenient,
            s.lenient_rate * 100.0
        ));
    }
    out.push_str(&format!(
        "{:<12} {:>9} {:>7} {:>7.1}% {:>7} {:>8.1}%\n\n",
        "all",
        report.fields.values().map(|s| s.annotated).sum::<u32>(),
        report.fields.values().map(|s| s.exact).sum::<u32>(),
        report.exact_overall * 100.0,
        report.fields.values().map(|s| s.lenient).sum::<u32>(),
        report.lenient_overall * 100.0
    ));
    out.push_str(&format!(
        "latency p50 {:.1} ms · p90 {:.1} ms · p99 {:.1} ms · max {:.1} ms\n",
        report.latency.p50_ms, report.latency.p90_ms, report.latency.p99_ms, report.latency.max_ms
    ));
    out
}

/// The single-call cue check of a folder ([`crate::analysis::builtin::cues`]): how many of
/// the built-in analyzer's transcript cues occur in no call, in exactly one (listed, with
/// that call) and in several. `aftercall eval DIR --cues` fails when a cue is in one call.
#[derive(Clone, Debug, Serialize)]
pub struct CueReport {
    pub calls: usize,
    pub cues: usize,
    pub in_no_call: usize,
    pub in_several_calls: usize,
    /// Each cue held by exactly one call, with that call's id.
    pub in_one_call: Vec<(crate::analysis::builtin::cues::CueCount, String)>,
}

/// Counts the built-in analyzer's transcript cues over `dataset`'s calls.
pub fn cue_report(dataset: &Dataset) -> CueReport {
    let requests: Vec<AnalysisRequest> = dataset.cases.iter().map(|c| request(c, &dataset.triggers)).collect();
    let counts = crate::analysis::builtin::cues::occurrences(&requests);
    let in_one_call = counts
        .iter()
        .filter(|c| c.calls == 1)
        .map(|c| (c.clone(), c.first_call.map(|i| dataset.cases[i].call_id.clone()).unwrap_or_default()))
        .collect();
    CueReport {
        calls: dataset.cases.len(),
        cues: counts.len(),
        in_no_call: counts.iter().filter(|c| c.calls == 0).count(),
        in_several_calls: counts.iter().filter(|c| c.calls > 1).count(),
        in_one_call,
    }
}

/// [`CueReport`] for the terminal.
pub fn render_cues(report: &CueReport) -> String {
    let mut out = format!(
        "{} transcript cues over {} calls: {} in no call, {} in several, {} in exactly one\n",
        report.cues,
        report.calls,
        report.in_no_call,
        report.in_several_calls,
        report.in_one_call.len()
    );
    for (count, call) in &report.in_one_call {
        out.push_str(&format!("  {:<44} {:<28} {}\n", count.list, format!("“{}”", count.cue), call));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_split_follows_the_fnv_1a_hash_of_the_call_id() {
        // FNV-1a 64 test vectors: "a" → 0xaf63dc4c8601ec8c (even), "b" → 0x…f1a5 (odd),
        // "foobar" → 0x85944171f73967e8 (even).
        assert_eq!(Half::of("a"), Half::Tune);
        assert_eq!(Half::of("b"), Half::Check);
        assert_eq!(Half::of("foobar"), Half::Tune);
    }

    fn gold(value: Json, alternatives: Option<Vec<Json>>) -> GoldField {
        GoldField { value, status: "annotated".into(), alternatives }
    }

    #[test]
    fn exact_matching_normalises_case_spacing_numbers_and_phones() {
        assert!(exact_match(&json!("Dr. Johnson"), &json!("dr johnson")));
        assert!(exact_match(&json!(2.0), &json!(2)));
        assert!(exact_match(&json!("2"), &json!(2)));
        assert!(exact_match(&json!("+19776252661"), &json!("(977) 625-2661")));
        assert!(!exact_match(&json!("San Jose"), &json!("San Francisco")));
        assert!(!exact_match(&Json::Null, &Json::Null));
    }

    #[test]
    fn questions_are_scored_against_a_trigger_or_the_calls_domains() {
        assert_eq!(GoldRef::parse("fraud_reported"), GoldRef::Trigger("fraud_reported".into()));
        assert_eq!(GoldRef::parse("domain:car_rental"), GoldRef::Domain("car_rental".into()));
        assert_eq!(GoldRef::parse("not:booking_confirmed"), GoldRef::NotTrigger("booking_confirmed".into()));
        let dir = std::env::temp_dir().join(format!("aftercall-manifest-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join("manifest.jsonl"),
            "{\"call_id\": \"a-1\", \"dataset\": \"sgd\", \"domain\": \"multi:banking+travel\"}\n",
        )
        .expect("write");
        let manifest = super::dataset::read_manifest(&dir).expect("manifest");
        std::fs::remove_dir_all(&dir).expect("clean up");
        assert_eq!(manifest["a-1"], ("sgd".to_owned(), vec!["banking".to_owned(), "travel".to_owned()]));
    }

    #[test]
    fn lenient_matching_accepts_alternatives_and_fuzzy_words() {
        let g = gold(json!("18:30"), Some(vec![json!("6:30 pm")]));
        assert!(lenient_match(&json!("6:30 PM"), &g));
        let typed = gold(json!("Headache, dizziness, and muscle weakness for the last 2 days"), None);
        assert!(lenient_match(&json!("headache dizziness and muscle weakness"), &typed));
        assert!(!lenient_match(&json!("a cold"), &typed));
    }
}
