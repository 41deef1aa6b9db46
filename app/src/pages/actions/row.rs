//! One action on the Actions tab: what it does, its buttons, its draft and versions, its
//! editor and *Try on recent calls*.

use leptos::prelude::*;

use super::{ActionInputs, Choices, Versions};
use crate::api::actions::{ActionItem, DeleteAction, RotateActionSecret, SaveAction, TestAction, ToggleAction};
use crate::components::{Badge, TryPanel, TryTarget};

#[component]
pub(super) fn ActionRow(
    action: ActionItem,
    agent_id: String,
    admin: bool,
    choices: Choices,
    save: ServerAction<SaveAction>,
    toggle: ServerAction<ToggleAction>,
    delete: ServerAction<DeleteAction>,
    rotate: ServerAction<RotateActionSecret>,
    test: ServerAction<TestAction>,
    versions: Versions,
) -> impl IntoView {
    let a = action.clone();
    let edited = action.draft.clone().map(|d| *d).unwrap_or_else(|| action.clone());
    let status = match (a.version, a.draft.is_some()) {
        (0, _) => "draft, never published: it does not run yet".to_owned(),
        (v, true) => format!("version {v} live · unpublished changes"),
        (v, false) => format!("version {v}"),
    };
    let kind = if a.kind == "schedule_call" { "scheduled call".to_owned() } else { a.format.clone() };
    let when = match (&a.kind[..], &a.time_field, a.fallback_delay_minutes) {
        ("schedule_call", Some(f), Some(m)) => format!("at {f}, else {m} min after the call"),
        ("schedule_call", Some(f), None) => format!("at {f}"),
        ("schedule_call", None, Some(m)) => format!("{m} min after the call"),
        _ => String::new(),
    };
    view! {
        <li class="card action" data-testid="action">
            <div class="row-between">
                <strong>{a.name.clone()}</strong>
                <span>
                    <Badge text=kind />
                    " "
                    <Badge text=if a.enabled { "enabled" } else { "disabled" } />
                </span>
            </div>
            <p class="muted" data-testid="action-status">{status}</p>
            <p class="muted"><code>{a.url.clone()}</code>
                {(!when.is_empty()).then(|| view! { " · " {when.clone()} })}
                " · " {a.condition.clone().map(|c| format!("only when {c}")).unwrap_or_else(|| "always".into())}
                {a.rotating.then_some(" · previous secret still signs")}
            </p>
            {a.disabled_reason.clone().map(|r| view! { <p class="form-error">{r}</p> })}
            {a.failing_since.clone().filter(|_| a.disabled_reason.is_none()).map(|f| view! { <p class="form-error">"Failing since " {f}</p> })}
            {admin.then(|| {
                let (id1, id2, id4) = (a.id.clone(), a.id.clone(), a.id.clone());
                let rotatable = (a.format == "standard" || (a.format == "request" && a.sign)).then(|| a.id.clone());
                view! {
                    <div class="buttons">
                        <ActionForm action=test attr:class="inline">
                            <input type="hidden" name="id" value=id1 />
                            <button type="submit" data-testid="test-action">"Send test"</button>
                        </ActionForm>
                        <ActionForm action=toggle attr:class="inline">
                            <input type="hidden" name="id" value=id2 />
                            <input type="hidden" name="enabled" value=(!a.enabled).to_string() />
                            <button type="submit">{if a.enabled { "Turn off" } else { "Turn on" }}</button>
                        </ActionForm>
                        {rotatable.map(|id3| view! {
                            <ActionForm action=rotate attr:class="inline">
                                <input type="hidden" name="id" value=id3 />
                                <button type="submit">"Rotate secret"</button>
                            </ActionForm>
                        })}
                        <ActionForm action=delete attr:class="inline">
                            <input type="hidden" name="id" value=id4 />
                            <button type="submit" class="danger">"Delete"</button>
                        </ActionForm>
                    </div>
                    <DraftAndVersions action=a.clone() versions=versions />
                    <EditForm action=edited.clone() agent_id=agent_id.clone() choices=choices.clone() save=save />
                    <TryPanel target=TryTarget::Action(a.id.clone()) />
                }.into_any()
            })}
        </li>
    }
}

/// Publish / discard the draft, and the published versions with *Restore into draft*.
#[component]
fn DraftAndVersions(action: ActionItem, versions: Versions) -> impl IntoView {
    let a = action;
    let draft = a.draft.is_some().then(|| {
        let (p, d) = (a.id.clone(), a.id.clone());
        view! {
            <div class="buttons" data-testid="action-draft">
                <ActionForm action=versions.publish attr:class="inline">
                    <input type="hidden" name="id" value=p />
                    <button type="submit" class="primary">"Publish saved draft"</button>
                </ActionForm>
                <ActionForm action=versions.discard attr:class="inline">
                    <input type="hidden" name="id" value=d />
                    <button type="submit">"Discard draft"</button>
                </ActionForm>
            </div>
        }
        .into_any()
    });
    let list = (!a.versions.is_empty()).then(|| {
        let items = a
            .versions
            .clone()
            .into_iter()
            .map(|v| {
                let id = a.id.clone();
                view! {
                    <li>
                        {format!("Version {} · {} · {}", v.version, v.when, v.summary)}
                        <ActionForm action=versions.restore attr:class="inline">
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="version" value=v.version.to_string() />
                            <button type="submit">"Restore into draft"</button>
                        </ActionForm>
                    </li>
                }
                .into_any()
            })
            .collect_view();
        view! {
            <details data-testid="action-versions">
                <summary>"Versions"</summary>
                <ul>{items}</ul>
            </details>
        }
        .into_any()
    });
    view! { {draft} {list} }.into_any()
}

/// The action's editor: its draft (or published settings), saved as a draft or published.
#[component]
fn EditForm(action: ActionItem, agent_id: String, choices: Choices, save: ServerAction<SaveAction>) -> impl IntoView {
    view! {
        <details>
            <summary>"Edit"</summary>
            <ActionForm action=save attr:class="form">
                <input type="hidden" name="agent_id" value=agent_id />
                <ActionInputs action=Some(action) choices=choices />
                <div class="buttons">
                    <button type="submit" name="save" value="draft">"Save draft"</button>
                    <button type="submit" name="save" value="publish" class="primary">"Publish"</button>
                </div>
            </ActionForm>
        </details>
    }
    .into_any()
}
