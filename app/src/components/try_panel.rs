//! *Try on recent calls*, in the notification editor and on each action: runs the saved
//! draft (else the published settings) on the latest calls and shows, per call, whether
//! it would fire, why, the route and the rendered output.

use leptos::prelude::*;

use crate::api::tries::{TriedItem, TryOnRecentCalls};
use crate::components::FormResult;

/// What is tried.
#[derive(Clone, Debug, PartialEq)]
pub enum TryTarget {
    /// A notification, by id.
    Notification(String),
    /// A post-call action, by id.
    Action(String),
}

/// The panel: how many calls, the button, and the results.
#[component]
pub fn TryPanel(target: TryTarget) -> impl IntoView {
    let run = ServerAction::<TryOnRecentCalls>::new();
    let (kind, id) = match target {
        TryTarget::Notification(id) => ("notification", id),
        TryTarget::Action(id) => ("action", id),
    };
    view! {
        <details class="try-panel" data-testid="try-panel">
            <summary>"Try on recent calls"</summary>
            <p class="muted">"Runs the saved draft (or the published version) on the latest calls through your analyzer. Nothing is sent or stored."</p>
            <ActionForm action=run attr:class="inline">
                <input type="hidden" name="kind" value=kind />
                <input type="hidden" name="id" value=id />
                <label>"Calls" <input type="number" name="limit" min="1" max="100" value="20" /></label>
                <button type="submit" data-testid="try-run">"Try on recent calls"</button>
            </ActionForm>
            <FormResult action=run />
            {move || run.value().get().and_then(|r| r.ok()).map(|report| view! {
                <p data-testid="try-summary">{report.summary}</p>
                <ul class="tried" data-testid="tried-calls">
                    {report.calls.into_iter().map(|c| view! { <TriedRow call=c /> }).collect_view()}
                </ul>
            }.into_any())}
        </details>
    }
    .into_any()
}

#[component]
fn TriedRow(call: TriedItem) -> impl IntoView {
    let c = call;
    let verdict = if c.fired {
        "would fire"
    } else if c.unknown {
        "unknown: would not fire"
    } else {
        "would not fire"
    };
    view! {
        <li class="card" data-testid="tried-call" data-fired=c.fired.to_string()>
            <p><strong>{verdict}</strong> " · " <a href=format!("/conversations/{}", c.conversation_id)>{c.call.clone()}</a></p>
            <p class="muted">{c.reason.clone()}</p>
            {c.route.clone().map(|r| view! { <p data-testid="tried-route">"Route: " {r}</p> })}
            {(!c.recipients.is_empty()).then(|| view! { <p>"To: " {c.recipients.clone()}</p> })}
            {(!c.also.is_empty()).then(|| view! { <p class="muted">"Also: " {c.also.join("; ")}</p> })}
            {c.title.clone().map(|t| view! { <p data-testid="tried-title"><strong>{t}</strong></p> })}
            {c.body.clone().map(|b| view! { <pre class="mono" data-testid="tried-body">{b}</pre> })}
            {c.error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
        </li>
    }
    .into_any()
}
