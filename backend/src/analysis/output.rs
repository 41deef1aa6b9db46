//! Reading an analyzer's answer: verdicts, values and choices looked up by key, clipped to stored sizes.

#[allow(unused_imports)]
use super::*;

/// Longest stored summary, reason, evidence or string value, in characters.
pub(crate) const MAX_TEXT: usize = 600;

pub(crate) fn clip(text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max {
        t.to_owned()
    } else {
        let mut s: String = t.chars().take(max).collect();
        s.push('…');
        s
    }
}

impl AnalysisOutput {
    /// The verdict for `key`, if the analyzer gave one.
    pub fn verdict(&self, key: &str) -> Option<&Verdict> {
        self.verdicts.iter().find(|v| v.key == key)
    }

    /// The value of field `name`, if extracted (non-null).
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|f| f.name == name && !f.value.is_null())
    }

    /// The route chosen for `key`.
    pub fn route(&self, key: &str) -> Option<&RouteChoice> {
        self.routes.iter().find(|r| r.key == key)
    }

    /// Makes any analyzer's answer safe to store and act on: exactly one entry per asked
    /// trigger, field and route question, in request order (unknown keys dropped, missing
    /// ones filled as "no answer"); values coerced to their field's type (null when they do
    /// not fit); route indexes outside the admin's routes become `None`; texts clipped.
    pub fn sanitize(self, request: &AnalysisRequest) -> Self {
        let verdicts = request
            .triggers
            .iter()
            .map(|t| match self.verdicts.iter().find(|v| v.key == t.key) {
                Some(v) => Verdict {
                    key: t.key.clone(),
                    // An unknown verdict never fires, whatever an analyzer says.
                    fired: v.fired && !v.unknown,
                    unknown: v.unknown,
                    reason: clip(&v.reason, MAX_TEXT),
                },
                None => Verdict {
                    key: t.key.clone(),
                    fired: false,
                    unknown: true,
                    reason: "The analyzer gave no verdict for this trigger.".to_owned(),
                },
            })
            .collect();
        let fields = request
            .fields
            .iter()
            .map(|spec| {
                let found = self.fields.iter().find(|f| f.name == spec.name);
                let value = found.map(|f| spec.coerce(&f.value)).unwrap_or(Json::Null);
                let evidence = found
                    .and_then(|f| f.evidence.as_deref())
                    .filter(|e| !e.trim().is_empty() && !value.is_null())
                    .map(|e| clip(e, 200));
                FieldValue { name: spec.name.clone(), value, evidence }
            })
            .collect();
        let routes = request
            .routes
            .iter()
            .map(|q| match self.routes.iter().find(|r| r.key == q.key) {
                Some(r) => RouteChoice {
                    key: q.key.clone(),
                    route: r.route.filter(|i| *i < q.conditions.len()),
                    reason: clip(&r.reason, MAX_TEXT),
                },
                None => {
                    RouteChoice { key: q.key.clone(), route: None, reason: "The analyzer chose no route.".to_owned() }
                }
            })
            .collect();
        let goal = request.goal.as_ref().map(|_| match self.goal {
            Some(g) => GoalVerdict { result: g.result, reason: clip(&g.reason, MAX_TEXT) },
            None => {
                GoalVerdict { result: GoalResult::Unknown, reason: "The analyzer gave no goal verdict.".to_owned() }
            }
        });
        AnalysisOutput { summary: clip(&self.summary, 1200), verdicts, fields, goal, routes }
    }
}
