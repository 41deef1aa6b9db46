//! The transcript prepared once for every question: sentences with their speaker, turn,
//! normalised text and stems, and the call's date for resolving relative dates.

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;

use super::text::{normalize, sentences, stem};
use crate::analysis::AnalysisRequest;
use crate::calls::event::Speaker;

/// One sentence of the transcript.
#[derive(Clone, Debug)]
pub struct Sentence {
    /// Index of its turn.
    pub turn: usize,
    pub role: Speaker,
    /// As written.
    pub raw: String,
    /// [`normalize`]d: lower case, single spaces, padded with spaces.
    pub norm: String,
    /// Stems of its words.
    pub stems: Vec<String>,
    /// Ends with a question mark (or starts like a question).
    pub question: bool,
}

impl Sentence {
    /// Whether the normalised sentence contains `phrase` as whole words.
    pub fn has(&self, phrase: &str) -> bool {
        self.norm.contains(&format!(" {} ", phrase.trim()))
    }

    /// How many of `stems` occur among the sentence's stems.
    pub fn hits(&self, stems: &[String]) -> usize {
        stems.iter().filter(|s| self.stems.iter().any(|w| w == *s)).count()
    }
}

/// The prepared transcript.
#[derive(Clone, Debug)]
pub struct Doc {
    pub sentences: Vec<Sentence>,
    /// The call's local start date (today when unknown): "tomorrow" resolves against it.
    pub anchor: NaiveDate,
    /// Calling code for national phone numbers (e.g. "1"), from the call's own numbers.
    pub phone_country: Option<String>,
    /// Turns in the call.
    pub turns: usize,
}

const QUESTION_STARTS: &[&str] = &[
    "what", "which", "when", "where", "who", "how", "can", "could", "would", "will", "do", "does", "did", "is", "are",
    "may", "shall", "should", "have", "has",
];

impl Doc {
    /// Prepares `request`'s transcript.
    pub fn new(request: &AnalysisRequest) -> Self {
        let tz: Tz = request.timezone.parse().unwrap_or(Tz::UTC);
        let anchor = request.started_at.unwrap_or_else(Utc::now).with_timezone(&tz).date_naive();
        let mut out = Vec::new();
        for (turn, t) in request.transcript.iter().enumerate() {
            for raw in sentences(&t.text) {
                let norm = normalize(&raw);
                let stems = norm.split_whitespace().map(stem).collect();
                let first = norm.split_whitespace().next().unwrap_or("");
                let question =
                    raw.trim_end().ends_with('?') || (QUESTION_STARTS.contains(&first) && t.role == Speaker::Agent);
                out.push(Sentence { turn, role: t.role, raw, norm, stems, question });
            }
        }
        Self {
            sentences: out,
            anchor,
            phone_country: request.call.phone_country.clone(),
            turns: request.transcript.len(),
        }
    }

    /// The last sentence of the other speaker's turn just before sentence `i`'s turn (the
    /// question a customer is answering), if that turn came right before.
    pub fn previous_turn(&self, i: usize) -> Vec<&Sentence> {
        let s = &self.sentences[i];
        let Some(prev_turn) = s.turn.checked_sub(1) else { return Vec::new() };
        self.sentences.iter().filter(|x| x.turn == prev_turn && x.role != s.role).collect()
    }

    /// The sentences of the turn right after sentence `i`'s turn by the other speaker.
    pub fn next_turn(&self, i: usize) -> Vec<&Sentence> {
        let s = &self.sentences[i];
        self.sentences.iter().filter(|x| x.turn == s.turn + 1 && x.role != s.role).collect()
    }
}
