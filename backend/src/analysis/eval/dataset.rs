//! The labelled dataset: call-ended events with gold fields and trigger answers, read from a directory, and the analysis request for one case.

#[allow(unused_imports)]
use super::*;

/// One labelled call.
#[derive(Clone, Debug)]
pub struct EvalCase {
    pub call_id: String,
    pub event: CallEnded,
    /// Trigger id → gold (None = not annotated).
    pub triggers: BTreeMap<String, Option<bool>>,
    pub fields: Vec<FieldSpec>,
    /// Field name → gold.
    pub gold_fields: BTreeMap<String, GoldField>,
}

/// A field's gold label.
#[derive(Clone, Debug, Deserialize)]
pub struct GoldField {
    #[serde(default)]
    pub value: Json,
    pub status: String,
    #[serde(default)]
    pub alternatives: Option<Vec<Json>>,
}

#[derive(Deserialize)]
pub(crate) struct GoldFile {
    #[serde(default)]
    pub(crate) extraction_schema: Vec<GoldSchema>,
    #[serde(default)]
    pub(crate) extraction_gold: BTreeMap<String, GoldField>,
    #[serde(default)]
    pub(crate) triggers: BTreeMap<String, GoldTrigger>,
}

#[derive(Deserialize)]
pub(crate) struct GoldSchema {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) description: String,
    #[serde(default, rename = "enum")]
    pub(crate) options: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct GoldTrigger {
    pub(crate) gold: Option<bool>,
}

/// A labelled folder.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Trigger id → question, sorted by id.
    pub triggers: BTreeMap<String, String>,
    pub cases: Vec<EvalCase>,
}

/// Why a labelled folder cannot be read: the file (or folder) and the cause.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{0}")]
    Io(String, #[source] std::io::Error),
    #[error("{0}")]
    Json(String, #[source] serde_json::Error),
    /// A call event that fails validation, with the field at fault.
    #[error("{0}: {1}")]
    Event(String, String),
    #[error("{0} holds no events with gold labels")]
    Empty(String),
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, DatasetError> {
    let text = std::fs::read_to_string(path).map_err(|e| DatasetError::Io(path.display().to_string(), e))?;
    serde_json::from_str(&text).map_err(|e| DatasetError::Json(path.display().to_string(), e))
}

/// Reads a labelled folder. Calls without a gold file are skipped.
///
/// Errors: [`DatasetError`] naming the unreadable or invalid file.
pub fn load(dir: &Path) -> Result<Dataset, DatasetError> {
    let triggers: BTreeMap<String, String> = read_json(&dir.join("triggers.json"))?;
    let mut files: Vec<_> = std::fs::read_dir(dir.join("events"))
        .map_err(|e| DatasetError::Io(dir.join("events").display().to_string(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else { continue };
        let gold_path = dir.join("gold").join(format!("{stem}.json"));
        if !gold_path.exists() {
            continue;
        }
        let raw: RawCallEvent = read_json(&path)?;
        let event = raw.validate().map_err(|e| DatasetError::Event(path.display().to_string(), e.to_string()))?;
        let gold: GoldFile = read_json(&gold_path)?;
        let fields = gold
            .extraction_schema
            .iter()
            .map(|s| {
                FieldSpec::new(
                    &s.name,
                    FieldType::parse(&s.kind).unwrap_or(FieldType::String),
                    &s.description,
                    s.options.clone(),
                )
            })
            .collect();
        cases.push(EvalCase {
            call_id: event.call_id.clone(),
            event,
            triggers: gold.triggers.into_iter().map(|(k, v)| (k, v.gold)).collect(),
            fields,
            gold_fields: gold.extraction_gold,
        });
    }
    if cases.is_empty() {
        return Err(DatasetError::Empty(dir.display().to_string()));
    }
    Ok(Dataset { triggers, cases })
}

/// The analysis request for a case: its fields and every trigger question.
pub fn request(case: &EvalCase, triggers: &BTreeMap<String, String>) -> AnalysisRequest {
    AnalysisRequest {
        transcript: case.event.transcript.clone(),
        started_at: case.event.started_at,
        timezone: "UTC".to_owned(),
        agent_name: case.event.agent_id.clone(),
        triggers: triggers.iter().map(|(id, q)| TriggerQuestion { key: id.clone(), question: q.clone() }).collect(),
        fields: case.fields.clone(),
        goal: None,
        routes: Vec::new(),
        call: CallFacts {
            end_reason: case.event.end_reason.as_str().to_owned(),
            end_reason_raw: case
                .event
                .end_reason_raw
                .clone()
                .filter(|r| !r.eq_ignore_ascii_case(case.event.end_reason.as_str())),
            duration_s: case.event.duration_s,
            phone_country: CallFacts::phone_country_of(&[
                case.event.to_number.as_ref().map(|n| n.as_str()),
                case.event.from_number.as_ref().map(|n| n.as_str()),
            ]),
        },
    }
}
