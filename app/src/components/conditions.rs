//! The one condition editor of notifications and actions: rows of `field operator value`
//! combined with all or any, or the condition as JSON when it nests groups. Its fields post
//! as [`crate::api::conditions::ConditionPost`].

use leptos::prelude::*;

use crate::api::conditions::{ConditionForm, ConditionRow};

/// The operators, with their words.
const OPERATORS: [(&str, &str); 11] = [
    ("==", "equals"),
    ("!=", "does not equal"),
    (">", "is greater than"),
    ("<", "is less than"),
    (">=", "is at least"),
    ("<=", "is at most"),
    ("contains", "contains"),
    ("is_empty", "is empty"),
    ("is_not_empty", "is not empty"),
    ("in", "is one of"),
    ("not_in", "is none of"),
];

/// The call facts a row can test, with what they hold.
const FACTS: [(&str, &str); 5] = [
    ("end_reason", "how the call ended"),
    ("direction", "inbound or outbound"),
    ("status", "the platform's call status"),
    ("duration", "seconds"),
    ("goal", "success, failure or unknown"),
];

/// The editor: `form` as stored plus blank rows (two, at least four rows in all); `field_names` are the extracted fields
/// offered beside the call facts; `end_reasons` the documented end reasons (for the hint).
#[component]
pub fn ConditionEditor(
    form: ConditionForm,
    field_names: Vec<String>,
    end_reasons: Vec<String>,
    /// Distinguishes the datalist of several editors on one page.
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let nested = !form.json.trim().is_empty();
    let mut rows = form.rows.clone();
    // Two blank rows beyond the stored ones, at least four in all.
    let blank = if nested { 0 } else { 2.max(4usize.saturating_sub(rows.len())) };
    rows.extend((0..blank).map(|_| ConditionRow { operator: "==".into(), ..Default::default() }));
    let list = format!("{id}-fields");
    let any = form.mode == "any";
    view! {
        <div class="condition-editor" data-testid="condition-editor">
            <label>"Match"
                <select name="cond_mode">
                    <option value="all" selected=!any>"all of these"</option>
                    <option value="any" selected=any>"any of these"</option>
                </select>
            </label>
            <datalist id=list.clone()>
                {FACTS.iter().map(|(f, what)| view! { <option value=*f>{*what}</option> }).collect_view()}
                {field_names.iter().map(|n| view! { <option value=n.clone()>"extracted field"</option> }).collect_view()}
            </datalist>
            {rows.into_iter().enumerate().map(|(i, row)| view! {
                <div class="field-cond" data-testid="condition-row">
                    <label>{format!("Field {}", i + 1)} <input type="text" name=format!("cond_field[{i}]") list=list.clone() value=row.field.clone() placeholder="end_reason or order_total" /></label>
                    <label>"operator"
                        <select name=format!("cond_op[{i}]")>
                            {OPERATORS.iter().map(|(v, l)| view! { <option value=*v selected=row.operator == *v>{*l}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>"value" <input type="text" name=format!("cond_value[{i}]") value=row.value.clone() /></label>
                </div>
            }).collect_view()}
            <p class="muted">"Fields: " {FACTS.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ")} ", or an extracted field. Values are typed: " <code>"true"</code> ", " <code>"42"</code> ", " <code>"null"</code> ", text (in quotes to keep " <code>"\"42\""</code> " text); “is one of” takes a list " <code>"busy, voicemail"</code> ". End reasons: " {end_reasons.join(", ")} " (upper case such as CUSTOMER_HANGUP works too)."</p>
            <details open=nested>
                <summary>"Edit as JSON (nested all / any groups)"</summary>
                <textarea name="cond_json" rows="5" aria-label="Conditions as JSON" placeholder=r#"{"any": [{"field": "end_reason", "operator": "==", "value": "customer_hangup"}, {"field": "duration", "operator": "<", "value": 20}]}"#>{form.json.clone()}</textarea>
                <p class="muted">"When this box holds JSON it replaces the rows above."</p>
            </details>
        </div>
    }
}
