//! Native platform intake, as stored: the platform of an integration
//! (`integrations.platform`) and the platform's own analysis of a call
//! (`conversations.platform_analysis`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{stored_enum, stored_json};

stored_enum! {
    /// A voice platform whose own end-of-call webhook Aftercall accepts natively.
    pub enum Platform in "integrations"."platform" {
        /// Vapi: the `end-of-call-report` server message.
        Vapi = "vapi",
        /// Retell AI: the `call_ended` and `call_analyzed` webhook events.
        Retell = "retell",
        /// ElevenLabs Agents: the `post_call_transcription` webhook.
        ElevenLabs = "elevenlabs",
    }
}

impl Platform {
    /// The platform's name for people, e.g. `ElevenLabs`.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Vapi => "Vapi",
            Platform::Retell => "Retell",
            Platform::ElevenLabs => "ElevenLabs",
        }
    }
}

/// What the voice platform itself concluded about a call, kept as it sent it beside
/// Aftercall's own analysis: Retell's `call_analysis`, ElevenLabs' `analysis`, Vapi's
/// `analysis`. Every part is optional: platforms send what their agent is set up for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlatformAnalysis {
    /// The platform that sent it.
    pub platform: Platform,
    /// Its summary of the call (Retell `call_summary`, ElevenLabs `transcript_summary`,
    /// Vapi `summary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Whether it judged the call successful (Retell `call_successful`, ElevenLabs
    /// `call_successful` `success`/`failure`, Vapi `successEvaluation` when it is a
    /// boolean or `"true"`/`"false"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful: Option<bool>,
    /// The caller's sentiment as the platform labels it (Retell `user_sentiment`, e.g.
    /// `Positive`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<String>,
    /// The platform's extracted data by name (Retell `custom_analysis_data`, ElevenLabs
    /// `data_collection_results` values, Vapi `structuredData`).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
}

impl PlatformAnalysis {
    /// Whether it holds nothing worth showing.
    pub fn is_empty(&self) -> bool {
        self.summary.is_none() && self.successful.is_none() && self.sentiment.is_none() && self.data.is_empty()
    }
}

stored_json! { impl PlatformAnalysis in "conversations"."platform_analysis"; }
