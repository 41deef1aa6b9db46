//! `aftercall eval DIR [--analyzer builtin|openai] [--triggers FILE] [--datasets a,b]
//! [--half tune|check] [--out report.json] [--cues]`: runs an analyzer on every labelled call of DIR (laid out like the
//! development set) and prints per-question precision/recall/F1, macro-F1, exact and
//! lenient extraction accuracy per field type, and latency percentiles.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use backend::analysis::eval::{self, Report};
use backend::analysis::openai::{OpenAiAnalyzer, OpenAiSettings};
use backend::analysis::{Analyzer, builtin::BuiltinAnalyzer};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::SecretString;

/// Which analyzer to evaluate.
#[derive(Clone, Debug)]
pub enum Which {
    Builtin,
    OpenAi { base_url: String, model: String, api_key: Option<String>, timeout: Duration },
}

/// Which questions and calls an evaluation scores.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// A questions file instead of the folder's `triggers.json` (see
    /// [`eval::Dataset::use_questions`]).
    pub questions: Option<PathBuf>,
    /// Only the calls of these source datasets; empty = all.
    pub datasets: Vec<String>,
    /// Only the calls of this half of the fixed split ([`eval::Half`]).
    pub half: Option<eval::Half>,
    /// Only the first N calls (after the dataset filter).
    pub limit: Option<usize>,
}

/// The single-call cue check ([`eval::cue_report`]) on DIR's calls of `datasets` (all
/// when empty) and `half` (both when `None`). Errors: when the folder cannot be read or no call is selected.
pub fn cues(dir: &Path, datasets: &[String], half: Option<eval::Half>) -> anyhow::Result<eval::CueReport> {
    let mut dataset = eval::load(dir)?;
    if !datasets.is_empty() {
        dataset.only_datasets(datasets)?;
    }
    if let Some(half) = half {
        dataset.only_half(half)?;
    }
    Ok(eval::cue_report(&dataset))
}

/// Runs the evaluation of `selection`; `concurrency` requests at once.
///
/// Errors: when the folder or the questions file cannot be read, no call is selected, or
/// the analyzer cannot be set up.
pub async fn run(
    dir: &Path,
    which: Which,
    selection: &Selection,
    concurrency: usize,
    progress: bool,
) -> anyhow::Result<Report> {
    use anyhow::Context;
    let mut dataset = eval::load(dir)?;
    if let Some(path) = &selection.questions {
        dataset.use_questions(path)?;
    }
    if !selection.datasets.is_empty() {
        dataset.only_datasets(&selection.datasets)?;
    }
    if let Some(half) = selection.half {
        dataset.only_half(half)?;
    }
    if let Some(n) = selection.limit {
        dataset.cases.truncate(n);
    }
    let analyzer: Arc<dyn Analyzer> = match which {
        Which::Builtin => Arc::new(BuiltinAnalyzer),
        // The operator's own command on the operator's own endpoint (often a local server):
        // the tenant outbound policy does not apply.
        Which::OpenAi { base_url, model, api_key, timeout } => Arc::new(
            OpenAiAnalyzer::new(
                OpenAiSettings {
                    base_url,
                    model,
                    api_key: api_key.map(SecretString::from),
                    connect_timeout: Duration::from_secs(10),
                    request_timeout: timeout,
                    max_attempts: 3,
                    retry_base: Duration::from_secs(1),
                },
                backend::outbound::Outbound::new(backend::outbound::OutboundPolicy::unrestricted(), 4 * 1024 * 1024),
            )
            .context("cannot build the LLM HTTP client")?,
        ),
    };
    let bar = if progress { ProgressBar::new(dataset.cases.len() as u64) } else { ProgressBar::hidden() };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} calls  {per_sec}  eta {eta}") {
        bar.set_style(style);
    }
    let requests: Vec<_> = dataset.cases.iter().map(|c| eval::request(c, &dataset.triggers)).collect();
    let mut results: Vec<(usize, Option<backend::analysis::AnalysisOutput>, f64)> =
        futures::stream::iter(requests.into_iter().enumerate())
            .map(|(i, request)| {
                let analyzer = analyzer.clone();
                let bar = bar.clone();
                async move {
                    let started = Instant::now();
                    let output = analyzer.analyze(&request).await.ok().map(|(o, _)| o.sanitize(&request));
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    bar.inc(1);
                    (i, output, ms)
                }
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
    bar.finish_and_clear();
    results.sort_by_key(|(i, _, _)| *i);
    let outputs: Vec<_> = results.into_iter().map(|(_, o, ms)| (o, ms)).collect();
    Ok(eval::score(&dataset, &outputs, analyzer.name()))
}
