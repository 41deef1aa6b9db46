//! The JSON schema the model must answer in (structured outputs), with one key per trigger,
//! field and route question.

#[allow(unused_imports)]
use super::*;

/// The keys the answer uses for triggers (`t1`…) and routes (`r1`…), in request order.
pub(crate) fn trigger_key(i: usize) -> String {
    format!("t{}", i + 1)
}

pub(crate) fn route_key(i: usize) -> String {
    format!("r{}", i + 1)
}

pub(crate) fn nullable(mut schema: Json) -> Json {
    if let Some(obj) = schema.as_object_mut() {
        let kind = obj.get("type").cloned().unwrap_or(Json::Null);
        obj.insert("type".into(), json!([kind, "null"]));
        if let Some(Json::Array(options)) = obj.get_mut("enum") {
            options.push(Json::Null);
        }
    }
    schema
}

pub(crate) fn object(properties: Map<String, Json>) -> Json {
    let required: Vec<Json> = properties.keys().map(|k| Json::from(k.clone())).collect();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// Whether `base_url` is OpenAI's or Azure OpenAI's API, whose strict structured outputs
/// guarantee the schema but reject `maxLength`.
pub fn is_openai_cloud(base_url: &str) -> bool {
    let host = base_url.split("://").nth(1).unwrap_or(base_url).split(['/', ':']).next().unwrap_or("");
    host == "api.openai.com" || host.ends_with(".openai.azure.com")
}

/// A string schema, bounded when `bounded` (local servers enforce `maxLength` through their
/// grammar, which stops small models from repeating themselves until the token limit).
pub(crate) fn text_schema(max: usize, bounded: bool) -> Json {
    if bounded { json!({"type": "string", "maxLength": max}) } else { json!({"type": "string"}) }
}

/// The JSON schema of the answer for `request` (`bounded`: with `maxLength` on texts).
pub fn answer_schema(request: &AnalysisRequest, bounded: bool) -> Json {
    let mut top = Map::new();
    top.insert("summary".into(), text_schema(600, bounded));
    if !request.fields.is_empty() {
        let mut fields = Map::new();
        for f in &request.fields {
            let value = match f.kind {
                FieldType::String => text_schema(300, bounded),
                FieldType::Number => json!({"type": "number"}),
                FieldType::Boolean => json!({"type": "boolean"}),
                FieldType::Enum => json!({"type": "string", "enum": f.options}),
            };
            let mut p = Map::new();
            p.insert("evidence".into(), nullable(text_schema(200, bounded)));
            p.insert("value".into(), nullable(value));
            fields.insert(f.name.clone(), object(p));
        }
        top.insert("fields".into(), object(fields));
    }
    if !request.triggers.is_empty() {
        let mut triggers = Map::new();
        for i in 0..request.triggers.len() {
            let mut p = Map::new();
            p.insert("reason".into(), text_schema(200, bounded));
            p.insert("fired".into(), json!({"type": "boolean"}));
            triggers.insert(trigger_key(i), object(p));
        }
        top.insert("triggers".into(), object(triggers));
    }
    if request.goal.is_some() {
        let mut p = Map::new();
        p.insert("reason".into(), text_schema(200, bounded));
        p.insert("result".into(), json!({"type": "string", "enum": ["success", "failure", "unknown"]}));
        top.insert("goal".into(), object(p));
    }
    if !request.routes.is_empty() {
        let mut routes = Map::new();
        for (i, q) in request.routes.iter().enumerate() {
            let choices: Vec<usize> = (0..=q.conditions.len()).collect();
            let mut p = Map::new();
            p.insert("reason".into(), text_schema(200, bounded));
            p.insert("route".into(), json!({"type": "integer", "enum": choices}));
            routes.insert(route_key(i), object(p));
        }
        top.insert("routes".into(), object(routes));
    }
    object(top)
}
