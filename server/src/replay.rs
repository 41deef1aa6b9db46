//! `aftercall replay DIR --url URL --api-key KEY [--concurrency N]`: POSTs every `*.json`
//! call-ended event in DIR to `URL/api/v1/calls` and counts what the server answered.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};

/// What a replay saw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    /// 202 answers.
    pub created: usize,
    /// 200 answers with `duplicate: true`.
    pub duplicate: usize,
    /// Every other answer (and transport failures), with the first few reasons.
    pub rejected: usize,
    pub rejections: Vec<String>,
    pub elapsed: Duration,
}

/// The `*.json` files of `dir`, sorted by name.
///
/// Errors: when the directory cannot be read (with the I/O error as the cause) or holds
/// no `*.json` file.
pub fn event_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context;
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("{} holds no *.json call events", dir.display());
    }
    Ok(files)
}

enum Outcome {
    Created,
    Duplicate,
    Rejected(String),
}

async fn post_one(client: &reqwest::Client, endpoint: &str, key: &str, file: &Path) -> Outcome {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let body = match tokio::fs::read(file).await {
        Ok(b) => b,
        Err(e) => return Outcome::Rejected(format!("{name}: cannot read: {e}")),
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = client
            .post(endpoint)
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                return match status {
                    202 => Outcome::Created,
                    200 if text.contains("\"duplicate\":true") => Outcome::Duplicate,
                    429 | 502 | 503 | 504 if attempt < 5 => {
                        tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                        continue;
                    }
                    _ => Outcome::Rejected(format!(
                        "{name}: HTTP {status} {}",
                        text.chars().take(300).collect::<String>()
                    )),
                };
            }
            Err(e) if attempt < 5 && (e.is_connect() || e.is_timeout()) => {
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            Err(e) => return Outcome::Rejected(format!("{name}: {e}")),
        }
    }
}

/// Replays `files` against `base_url` with `concurrency` requests in flight, drawing a
/// progress bar on stderr when `progress`.
///
/// Errors: when the HTTP client cannot be built (nothing was sent then).
pub async fn replay(
    files: &[PathBuf],
    base_url: &str,
    api_key: &str,
    concurrency: usize,
    progress: bool,
) -> anyhow::Result<ReplayReport> {
    use anyhow::Context;
    let endpoint = format!("{}/api/v1/calls", base_url.trim_end_matches('/'));
    // The client uses rustls without a built-in provider: install ring's before building it
    // (reqwest's `Client::default()` panics without one).
    backend::install_crypto_provider();
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .context("cannot build the HTTP client")?;
    let bar = if progress { ProgressBar::new(files.len() as u64) } else { ProgressBar::hidden() };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} calls  {per_sec}  eta {eta}") {
        bar.set_style(style);
    }
    let started = Instant::now();
    let mut report = ReplayReport::default();
    let mut outcomes = futures::stream::iter(files)
        .map(|f| {
            let client = &client;
            let endpoint = &endpoint;
            async move { post_one(client, endpoint, api_key, f).await }
        })
        .buffer_unordered(concurrency.max(1));
    while let Some(outcome) = outcomes.next().await {
        match outcome {
            Outcome::Created => report.created += 1,
            Outcome::Duplicate => report.duplicate += 1,
            Outcome::Rejected(reason) => {
                report.rejected += 1;
                if report.rejections.len() < 10 {
                    report.rejections.push(reason);
                }
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    report.elapsed = started.elapsed();
    Ok(report)
}
