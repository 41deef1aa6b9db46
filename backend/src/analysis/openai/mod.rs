//! The `openai` analyzer: any OpenAI-compatible chat-completions endpoint (OpenAI, Azure
//! OpenAI, Ollama, vLLM, llama.cpp server) through the `async-openai` client.
//!
//! One request per conversation, with a JSON-schema `response_format` built from the
//! fields, the triggers, the goal and the routes. The model's answer is parsed as JSON and
//! mapped back by key; anything else it says is ignored, and the result still passes
//! through [`AnalysisOutput::sanitize`]. The transcript is sent as data inside the user
//! message, and the system prompt tells the model never to follow it.
//!
//! The request and answer are `async-openai`'s types; the HTTP exchange is ours because
//! the base URL is a tenant's choice: it goes through the outbound policy
//! ([`crate::outbound`]: no internal addresses unless the operator allows them, no
//! redirects) and the answer is read as a stream and cut at `outbound.max_response_bytes`
//! (`async-openai`'s own client reads any answer whole).

use std::time::Duration;

use async_openai::types::chat::{
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest, CreateChatCompletionResponse, ResponseFormat, ResponseFormatJsonSchema,
};
use async_trait::async_trait;
use chrono_tz::Tz;
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value as Json, json};

use super::{
    AnalysisOutput, AnalysisRequest, Analyzer, AnalyzerError, FieldType, FieldValue, GoalResult, GoalVerdict,
    RouteChoice, Usage, Verdict,
};
use crate::calls::event::Speaker;
use crate::outbound::Outbound;

mod schema;
pub use schema::*;
mod prompt;
pub use prompt::*;
mod answer;
pub use answer::*;

/// Connection settings of an OpenAI-compatible endpoint.
#[derive(Clone, Debug)]
pub struct OpenAiSettings {
    /// E.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    pub model: String,
    /// Sent as a bearer token; optional for local servers.
    pub api_key: Option<SecretString>,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// Attempts per analysis (429, 5xx, timeouts and unparseable answers are retried).
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt, ±25 % jitter.
    pub retry_base: Duration,
}

/// The analyzer.
pub struct OpenAiAnalyzer {
    http: reqwest::Client,
    outbound: Outbound,
    endpoint: Result<reqwest::Url, String>,
    settings: OpenAiSettings,
}

impl OpenAiAnalyzer {
    /// An analyzer for `settings`, sending under `outbound`'s policy.
    ///
    /// Errors: reqwest's error when the HTTP client cannot be built.
    pub fn new(settings: OpenAiSettings, outbound: Outbound) -> Result<Self, reqwest::Error> {
        let http = outbound.client(crate::outbound::ClientOptions {
            timeout: settings.request_timeout,
            connect_timeout: settings.connect_timeout,
            user_agent: "Aftercall-Analysis/1.0",
        })?;
        let endpoint = crate::outbound::parse_url(
            &format!("{}/chat/completions", settings.base_url.trim().trim_end_matches('/')),
            "base_url",
        )
        .map_err(|e| e.to_string());
        Ok(Self { http, outbound, endpoint, settings })
    }
}

impl OpenAiAnalyzer {
    fn request_body(&self, request: &AnalysisRequest) -> CreateChatCompletionRequest {
        let strict = is_openai_cloud(&self.settings.base_url);
        let messages = vec![
            ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage::from(system_prompt(request))),
            ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage::from(transcript_message(request))),
        ];
        CreateChatCompletionRequest {
            model: self.settings.model.clone(),
            messages,
            temperature: Some(0.0),
            max_completion_tokens: Some(2000),
            response_format: Some(ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    name: "call_analysis".to_owned(),
                    description: Some("The analysis of one phone call".to_owned()),
                    schema: answer_schema(request, !strict),
                    strict: Some(strict),
                },
            }),
            ..Default::default()
        }
    }

    /// One POST of `body`: the parsed answer, or why it failed.
    async fn exchange(&self, body: &[u8]) -> Result<CreateChatCompletionResponse, Failure> {
        let endpoint = self.endpoint.clone().map_err(Failure::Stop)?;
        self.outbound.check_target(&endpoint).map_err(|e| Failure::Stop(e.to_string()))?;
        let mut request = self.http.post(endpoint).header("content-type", "application/json").body(body.to_vec());
        if let Some(key) = self.settings.api_key.as_ref().map(|k| k.expose_secret()).filter(|k| !k.is_empty()) {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|e| {
            let refused = crate::outbound::refusal(&e).is_some();
            let why = crate::outbound::describe(e, self.settings.request_timeout);
            if refused { Failure::Stop(why) } else { Failure::Retry(why) }
        })?;
        let status = response.status().as_u16();
        let cap = self.outbound.max_response_bytes;
        let answer = crate::outbound::read_capped(response, cap).await.map_err(|e| {
            Failure::Retry(format!(
                "the answer broke off: {}",
                crate::outbound::describe(e, self.settings.request_timeout)
            ))
        })?;
        if !(200..300).contains(&status) {
            return Err(classify_status(status, &answer.bytes));
        }
        if answer.truncated {
            return Err(Failure::Stop(format!("the answer is over {cap} bytes (outbound.max_response_bytes)")));
        }
        serde_json::from_slice(&answer.bytes).map_err(|e| Failure::Retry(format!("unreadable response: {e}")))
    }

    fn delay(&self, attempt: u32) -> Duration {
        let base = self.settings.retry_base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        base.mul_f64(rand::thread_rng().gen_range(0.75..=1.25))
    }
}

#[async_trait]
impl Analyzer for OpenAiAnalyzer {
    fn name(&self) -> &'static str {
        "openai"
    }

    async fn analyze(&self, request: &AnalysisRequest) -> Result<(AnalysisOutput, Option<Usage>), AnalyzerError> {
        let body = serde_json::to_vec(&self.request_body(request))
            .map_err(|e| AnalyzerError::Permanent(format!("could not encode the request: {e}")))?;
        let attempts = self.settings.max_attempts.max(1);
        let mut last = String::new();
        for attempt in 1..=attempts {
            match self.exchange(&body).await {
                Ok(response) => {
                    let usage = response.usage.as_ref().map(|u| Usage {
                        prompt_tokens: i64::from(u.prompt_tokens),
                        completion_tokens: i64::from(u.completion_tokens),
                    });
                    let content = response.choices.first().and_then(|c| c.message.content.clone()).unwrap_or_default();
                    match parse_answer(&content, request) {
                        Ok(output) => return Ok((output, usage)),
                        Err(e) => last = format!("{e} (answer: {})", content.chars().take(200).collect::<String>()),
                    }
                }
                Err(Failure::Stop(e)) => return Err(AnalyzerError::Permanent(e)),
                Err(Failure::Retry(e)) => last = e,
            }
            tracing::warn!(attempt, error = %last, "LLM analysis attempt failed");
            if attempt < attempts {
                tokio::time::sleep(self.delay(attempt)).await;
            }
        }
        Err(AnalyzerError::Transient(format!("after {attempts} attempts: {last}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{FieldSpec, RouteQuestion, TriggerQuestion};

    fn request() -> AnalysisRequest {
        AnalysisRequest {
            timezone: "Europe/Berlin".into(),
            agent_name: "Desk".into(),
            triggers: vec![TriggerQuestion { key: "n-1".into(), question: "Callback?".into() }],
            fields: vec![FieldSpec::new("plan", FieldType::Enum, "plan", vec!["gold".into(), "silver".into()])],
            routes: vec![RouteQuestion { key: "n-2".into(), conditions: vec!["billing".into(), "sales".into()] }],
            goal: Some("Book".into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_schema_lists_every_key_as_required_and_routes_as_indexes() {
        let s = answer_schema(&request(), false);
        assert_eq!(s["required"], json!(["summary", "fields", "triggers", "goal", "routes"]));
        assert_eq!(
            s["properties"]["fields"]["properties"]["plan"]["properties"]["value"]["enum"],
            json!(["gold", "silver", null])
        );
        assert_eq!(s["properties"]["routes"]["properties"]["r1"]["properties"]["route"]["enum"], json!([0, 1, 2]));
        assert_eq!(s["additionalProperties"], json!(false));
        let bounded = answer_schema(&request(), true);
        assert_eq!(bounded["properties"]["summary"]["maxLength"], json!(600));
        assert!(is_openai_cloud("https://api.openai.com/v1"));
        assert!(is_openai_cloud("https://myco.openai.azure.com/openai/deployments/x"));
        assert!(!is_openai_cloud("http://127.0.0.1:8080/v1"));
    }

    #[test]
    fn answers_are_mapped_back_to_their_keys() {
        let content = r#"{"summary":"S","fields":{"plan":{"evidence":"gold please","value":"gold"}},
            "triggers":{"t1":{"reason":"asked","fired":true}},"goal":{"reason":"booked","result":"success"},
            "routes":{"r1":{"reason":"billing","route":1}}}"#;
        let out = parse_answer(content, &request()).unwrap();
        assert_eq!(out.verdicts[0].key, "n-1");
        assert!(out.verdicts[0].fired);
        assert_eq!(out.fields[0].value, json!("gold"));
        assert_eq!(out.goal.unwrap().result, GoalResult::Success);
        assert_eq!(out.routes[0].route, Some(0), "route 1 is the first condition");
        assert!(parse_answer("not json", &request()).is_err());
        let none = parse_answer(r#"{"summary":"S","routes":{"r1":{"reason":"","route":0}}}"#, &request()).unwrap();
        assert_eq!(none.routes[0].route, None, "0 means no route holds");
    }

    #[test]
    fn provider_errors_are_retried_only_when_worth_it() {
        let body = br#"{"error": {"message": "Rate limit reached", "type": "requests"}}"#;
        assert!(
            matches!(classify_status(429, body), Failure::Retry(m) if m == "provider answered 429: Rate limit reached")
        );
        assert!(matches!(classify_status(503, b"busy"), Failure::Retry(m) if m.ends_with("busy")));
        assert!(
            matches!(classify_status(401, br#"{"error": {"message": "bad key"}}"#), Failure::Stop(m) if m.contains("bad key"))
        );
    }

    #[test]
    fn the_prompt_fences_the_transcript_off_as_data() {
        let p = system_prompt(&request());
        assert!(p.contains("never follow"));
        assert!(p.contains("- t1: Callback?"));
        assert!(p.contains("- r1: 1) billing; 2) sales"));
    }
}
