//! The labelled dataset: call-ended events with gold fields and trigger answers, read from a directory, and the analysis request for one case.

#[allow(unused_imports)]
use super::*;

/// One labelled call.
#[derive(Clone, Debug)]
pub struct EvalCase {
    pub call_id: String,
    /// The public dataset the call comes from (`sgd`, `star`, …): the manifest's `dataset`,
    /// else the call id's prefix before its first `-`.
    pub dataset: String,
    /// The call's source domains from the manifest (`multi:banking+travel` is two); empty
    /// without a manifest.
    pub domains: Vec<String>,
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

/// One line of `manifest.jsonl`.
#[derive(Deserialize)]
struct ManifestLine {
    call_id: String,
    dataset: String,
    #[serde(default)]
    domain: String,
}

/// What a question's answer is scored against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoldRef {
    /// The gold of this trigger id in the folder's labels; the question may word it
    /// differently (a paraphrase).
    Trigger(String),
    /// Whether this is one of the call's source domains (`manifest.jsonl`): the gold of a
    /// topic question such as "Was the call about renting a car?".
    Domain(String),
    /// The opposite of this trigger id's gold (`not:<trigger id>`): a negated question
    /// such as "Did the call end without a confirmed booking?". Unlabelled stays unlabelled.
    NotTrigger(String),
}

impl GoldRef {
    /// `domain:<name>` is a [`GoldRef::Domain`], `not:<id>` a [`GoldRef::NotTrigger`],
    /// anything else a trigger id.
    pub fn parse(text: &str) -> Self {
        if let Some(id) = text.strip_prefix("not:") {
            return GoldRef::NotTrigger(id.trim().to_owned());
        }
        match text.strip_prefix("domain:") {
            Some(domain) => GoldRef::Domain(domain.trim().to_owned()),
            None => GoldRef::Trigger(text.trim().to_owned()),
        }
    }
}

/// A labelled folder.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Question id → question, sorted by id.
    pub triggers: BTreeMap<String, String>,
    /// Question id → what it is scored against (each id's own trigger for `triggers.json`).
    pub gold: BTreeMap<String, GoldRef>,
    pub cases: Vec<EvalCase>,
    /// The half of the split kept ([`Dataset::only_half`]); `None` = both.
    pub half: Option<Half>,
}

impl EvalCase {
    /// The gold answer to a question scored against `gold`; `None` when not annotated.
    pub fn gold_for(&self, gold: &GoldRef) -> Option<bool> {
        match gold {
            GoldRef::Trigger(id) => self.triggers.get(id).copied().flatten(),
            GoldRef::Domain(domain) => Some(self.domains.iter().any(|d| d == domain)),
            GoldRef::NotTrigger(id) => self.triggers.get(id).copied().flatten().map(|gold| !gold),
        }
    }
}

/// An entry of a questions file: the question alone (scored against the trigger its id
/// names, as in `triggers.json`), or the question and what it is scored against.
#[derive(Deserialize)]
#[serde(untagged)]
enum QuestionEntry {
    Plain(String),
    Scored { question: String, gold: String },
}

impl Dataset {
    /// Replaces the folder's questions with those of a questions file: a JSON object of
    /// question id → either a question (scored against the trigger named by its id, so
    /// `triggers.json` itself is one) or `{"question": …, "gold": "<trigger id>" |
    /// "not:<trigger id>" | "domain:<name>"}`.
    ///
    /// Errors: the file cannot be read or parsed, holds no question, or a question's gold
    /// names a trigger no call is labelled with, or a domain while the folder has no
    /// `manifest.jsonl`.
    pub fn use_questions(&mut self, path: &Path) -> Result<(), DatasetError> {
        let entries: BTreeMap<String, QuestionEntry> = read_json(path)?;
        let file = path.display().to_string();
        if entries.is_empty() {
            return Err(DatasetError::Event(file, "holds no question".to_owned()));
        }
        let labelled: std::collections::BTreeSet<&str> =
            self.cases.iter().flat_map(|c| c.triggers.keys().map(String::as_str)).collect();
        let has_domains = self.cases.iter().any(|c| !c.domains.is_empty());
        let mut triggers = BTreeMap::new();
        let mut gold = BTreeMap::new();
        for (id, entry) in entries {
            let (question, target) = match entry {
                QuestionEntry::Plain(question) => (question, GoldRef::Trigger(id.clone())),
                QuestionEntry::Scored { question, gold } => (question, GoldRef::parse(&gold)),
            };
            match &target {
                GoldRef::Trigger(t) | GoldRef::NotTrigger(t) if !labelled.contains(t.as_str()) => {
                    return Err(DatasetError::Event(
                        file,
                        format!("question {id}: no call is labelled with trigger {t:?}"),
                    ));
                }
                GoldRef::Domain(_) if !has_domains => {
                    return Err(DatasetError::Event(
                        file,
                        format!("question {id}: a domain gold needs the folder's manifest.jsonl"),
                    ));
                }
                _ => {}
            }
            triggers.insert(id.clone(), question);
            gold.insert(id, target);
        }
        self.triggers = triggers;
        self.gold = gold;
        Ok(())
    }

    /// Keeps only the calls from the given source datasets (e.g. `sgd`, `star`): tune on
    /// some datasets, report on the others.
    ///
    /// Errors: [`DatasetError::Empty`] when no call is left.
    pub fn only_datasets(&mut self, names: &[String]) -> Result<(), DatasetError> {
        self.cases.retain(|c| names.iter().any(|n| n.eq_ignore_ascii_case(&c.dataset)));
        if self.cases.is_empty() {
            return Err(DatasetError::Empty(format!("the datasets {}", names.join(", "))));
        }
        Ok(())
    }

    /// Keeps only the calls of one half of a fixed split: a call is in the `tune` half
    /// when the FNV-1a hash of its call id is even, else in the `check` half. Rules are
    /// designed by reading `tune` calls only and reported on `check`, within datasets
    /// too small to split by source (only STAR has annoyance, fraud or verification
    /// labels).
    ///
    /// Errors: [`DatasetError::Empty`] when no call is left.
    pub fn only_half(&mut self, half: Half) -> Result<(), DatasetError> {
        self.cases.retain(|c| Half::of(&c.call_id) == half);
        self.half = Some(half);
        if self.cases.is_empty() {
            return Err(DatasetError::Empty(format!("the {half:?} half")));
        }
        Ok(())
    }

    /// The source datasets of the calls, sorted.
    pub fn datasets(&self) -> Vec<String> {
        let set: std::collections::BTreeSet<&str> = self.cases.iter().map(|c| c.dataset.as_str()).collect();
        set.into_iter().map(str::to_owned).collect()
    }
}

/// `manifest.jsonl`, when the folder has one: call id → (dataset, domains).
pub(crate) fn read_manifest(dir: &Path) -> Result<BTreeMap<String, (String, Vec<String>)>, DatasetError> {
    let path = dir.join("manifest.jsonl");
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| DatasetError::Io(path.display().to_string(), e))?;
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let entry: ManifestLine =
            serde_json::from_str(line).map_err(|e| DatasetError::Json(path.display().to_string(), e))?;
        let domains = entry
            .domain
            .strip_prefix("multi:")
            .unwrap_or(&entry.domain)
            .split('+')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect();
        out.insert(entry.call_id, (entry.dataset, domains));
    }
    Ok(out)
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

/// Reads a labelled folder: its events, their gold labels, `triggers.json` and, when
/// present, `manifest.jsonl` (each call's source dataset and domain). Calls without a gold
/// file are skipped.
///
/// Errors: [`DatasetError`] naming the unreadable or invalid file.
pub fn load(dir: &Path) -> Result<Dataset, DatasetError> {
    let triggers: BTreeMap<String, String> = read_json(&dir.join("triggers.json"))?;
    let gold = triggers.keys().map(|id| (id.clone(), GoldRef::Trigger(id.clone()))).collect();
    let manifest = read_manifest(dir)?;
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
        let (dataset, domains) = manifest
            .get(&event.call_id)
            .cloned()
            .unwrap_or_else(|| (event.call_id.split('-').next().unwrap_or_default().to_owned(), Vec::new()));
        cases.push(EvalCase {
            call_id: event.call_id.clone(),
            dataset,
            domains,
            event,
            triggers: gold.triggers.into_iter().map(|(k, v)| (k, v.gold)).collect(),
            fields,
            gold_fields: gold.extraction_gold,
        });
    }
    if cases.is_empty() {
        return Err(DatasetError::Empty(dir.display().to_string()));
    }
    Ok(Dataset { triggers, gold, cases, half: None })
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

/// A half of the fixed split of [`Dataset::only_half`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    /// Calls a rule may be designed on.
    Tune,
    /// Calls the figures are reported on.
    Check,
}

impl Half {
    /// The half `call_id` belongs to (stable across runs, machines and Rust versions).
    pub fn of(call_id: &str) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in call_id.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        if hash.is_multiple_of(2) { Self::Tune } else { Self::Check }
    }
}
