//! Analysis of a conversation: the [`Analyzer`] interface every provider implements, its
//! request and result shapes, and the built-in offline analyzer.

pub mod builtin;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calls::event::Turn;

/// One natural-language trigger to judge, keyed by the caller (a notification id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerQuestion {
    /// Opaque key echoed in the [`Verdict`].
    pub key: String,
    /// E.g. "Did the customer ask to be called back?"
    pub question: String,
}

/// What an analyzer is asked about one conversation.
#[derive(Clone, Debug)]
pub struct AnalysisRequest {
    /// The transcript, in order.
    pub transcript: Vec<Turn>,
    /// When the call started (relative dates resolve against it).
    pub started_at: Option<DateTime<Utc>>,
    /// The agent's IANA time zone.
    pub timezone: String,
    /// The agent's name.
    pub agent_name: String,
    /// The triggers to judge.
    pub triggers: Vec<TriggerQuestion>,
}

/// A yes/no verdict on one trigger, with a one-line reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The [`TriggerQuestion::key`].
    pub key: String,
    /// Whether the condition holds.
    pub fired: bool,
    /// One line, quoting the transcript where it can.
    pub reason: String,
}

/// An analyzer's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOutput {
    /// A 2-3 sentence summary.
    pub summary: String,
    /// One verdict per trigger, in request order.
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
}

impl AnalysisOutput {
    /// The verdict for `key`, if the analyzer gave one.
    pub fn verdict(&self, key: &str) -> Option<&Verdict> {
        self.verdicts.iter().find(|v| v.key == key)
    }
}

/// Tokens a provider charged for one analysis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

/// Why an analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzerError {
    /// Worth retrying later (timeout, 429, 5xx, connection).
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help (bad credentials, unparseable answer after retries).
    #[error("{0}")]
    Permanent(String),
}

/// A provider of analyses. Implementations must treat the transcript as untrusted input.
#[async_trait]
pub trait Analyzer: Send + Sync {
    /// Stable name stored with each analysis, e.g. `builtin`.
    fn name(&self) -> &'static str;

    /// Analyses one conversation.
    async fn analyze(
        &self,
        request: &AnalysisRequest,
    ) -> Result<(AnalysisOutput, Option<Usage>), AnalyzerError>;
}
