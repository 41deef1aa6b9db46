//! What an analyzer is asked: the call facts, the transcript, the trigger and route questions and the fields to extract.

#[allow(unused_imports)]
use super::*;

/// One natural-language trigger to judge, keyed by the caller (a notification id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerQuestion {
    /// Opaque key echoed in the [`Verdict`].
    pub key: String,
    /// E.g. "Did the customer ask to be called back?"
    pub question: String,
}

/// The dynamic recipient routes of one notification: the analyzer picks the first route
/// whose condition holds, by index, or none (the *otherwise* list applies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteQuestion {
    /// Opaque key echoed in the [`RouteChoice`].
    pub key: String,
    /// The routes' conditions, in order ("The caller asks about billing").
    pub conditions: Vec<String>,
}

/// How the call ended, as the platform reported it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallFacts {
    /// One of the documented end reasons.
    pub end_reason: String,
    /// The end reason as sent, when it was not one of the documented ones.
    pub end_reason_raw: Option<String>,
    /// Seconds.
    pub duration_s: Option<f64>,
    /// Calling code for national phone numbers said in the call (e.g. "1"), taken from the
    /// call's own numbers.
    pub phone_country: Option<String>,
}

impl CallFacts {
    /// The North American calling code when the call's numbers are +1 numbers (the only
    /// calling code a number's first digits give without a numbering-plan table).
    pub fn phone_country_of(numbers: &[Option<&str>]) -> Option<String> {
        numbers.iter().flatten().any(|n| n.starts_with("+1")).then(|| "1".to_owned())
    }
}

/// What an analyzer is asked about one conversation.
#[derive(Clone, Debug, Default)]
pub struct AnalysisRequest {
    /// The transcript, in order. Untrusted: it can say anything.
    pub transcript: Vec<Turn>,
    /// When the call started (relative dates such as "tomorrow" resolve against it).
    pub started_at: Option<DateTime<Utc>>,
    /// The agent's IANA time zone.
    pub timezone: String,
    /// The agent's name.
    pub agent_name: String,
    /// The triggers to judge.
    pub triggers: Vec<TriggerQuestion>,
    /// The fields to extract.
    pub fields: Vec<FieldSpec>,
    /// The agent's goal, judged success / failure / unknown.
    pub goal: Option<String>,
    /// Dynamic recipient routes to choose among.
    pub routes: Vec<RouteQuestion>,
    /// How the call ended.
    pub call: CallFacts,
}
