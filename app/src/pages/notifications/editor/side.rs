//! The editor's side cards: the live preview with its test-send, the variable picker, and the
//! published versions with publish, discard and restore.

#[allow(unused_imports)]
use super::*;
use crate::api::notifications::{Choice, PreviewView, VariableGroup, VersionItem};

/// The email rendered with the chosen call, following the typed subject and body, and a
/// test-send of it to the signed-in member.
#[component]
pub(super) fn PreviewCard(
    preview: RwSignal<Result<PreviewView, crate::error::AppError>>,
    test_send: ServerAction<TestSendNotification>,
    sources: Vec<Choice>,
    source: RwSignal<String>,
    agent: RwSignal<String>,
    subject: RwSignal<String>,
    body: RwSignal<String>,
    /// The stored agent, subject and body, for the form before hydration.
    initial: (String, String, String),
    disabled: bool,
) -> impl IntoView {
    let (agent_hidden, subject_hidden, body_hidden) = initial;
    // The rendered subject and HTML while the template renders; `None` while it shows an
    // error. The iframe stays in the page and only its `srcdoc` follows the typing: removing
    // and re-creating a frame on every switch between an error and a preview made the page
    // flicker.
    let shown = Memo::new(move |_| {
        preview.with(|p| match p {
            Ok(p) if p.error.is_none() => Some((p.subject.clone(), p.html.clone())),
            _ => None,
        })
    });
    view! {
        <section class="card" data-testid="preview">
            <h2>"Preview"</h2>
            <label class="stack">"Render with"
                <select aria-label="Preview with" on:change=move |ev| source.set(event_target_value(&ev))>
                    {sources.iter().map(|c| view! { <option value=c.value.clone()>{c.label.clone()}</option> }).collect_view()}
                </select>
            </label>
            {move || match preview.get() {
                Err(e) => Some(view! { <ErrorBox error=e /> }.into_any()),
                Ok(p) => p.error.map(|error| view! { <p class="form-error" data-testid="preview-error">{error}</p> }.into_any()),
            }}
            <div hidden=move || shown.with(Option::is_none)>
                <p class="preview-subject" data-testid="preview-subject">
                    <strong>{move || shown.with(|s| s.as_ref().map(|(subject, _)| subject.clone()).unwrap_or_default())}</strong>
                </p>
                <iframe class="email-html" sandbox="" title="Email preview" data-testid="preview-body"
                    srcdoc=move || shown.with(|s| s.as_ref().map(|(_, html)| html.clone()).unwrap_or_default())></iframe>
            </div>
            <ActionForm action=test_send attr:class="inline-test">
                <input type="hidden" name="agent_id" value=agent_hidden prop:value=move || agent.get() />
                <input type="hidden" name="source" value="sample" prop:value=move || source.get() />
                <input type="hidden" name="subject" value=subject_hidden prop:value=move || subject.get() />
                <input type="hidden" name="body" value=body_hidden prop:value=move || body.get() />
                <button type="submit" disabled=disabled>"Send a test to me"</button>
            </ActionForm>
            {move || match test_send.value().get() {
                Some(Ok(text)) => view! { <p class="form-ok" data-testid="test-send-result">{text}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

/// The variables, grouped; a click inserts `{{ name }}` at the cursor of the subject or body.
#[component]
pub(super) fn VariablesCard(groups: Vec<VariableGroup>, disabled: bool, insert: Callback<String>) -> impl IntoView {
    view! {
        <section class="card" data-testid="variables">
            <h2>"Variables"</h2>
            <p class="muted small">"Click to insert at the cursor of the subject or body. Unavailable values render as “(not available)”; "
                <code>"{{ dynamic_variables.<name> }}"</code> " reads what your platform sent."</p>
            {groups.iter().map(|g| view! {
                <h3>{g.title.clone()}</h3>
                <ul class="var-list">
                    {g.variables.iter().map(|v| {
                        let name = v.value.clone();
                        view! {
                            <li>
                                <button type="button" class="var" title=v.label.clone() disabled=disabled on:click={
                                    let name = name.clone();
                                    move |_| insert.run(name.clone())
                                }>{format!("{{{{ {name} }}}}")}</button>
                                <span class="muted small">{v.label.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }).collect_view()}
        </section>
    }
}

/// The published versions (the live one marked), with publish and discard of a saved draft
/// and restore of an old version as the draft.
#[component]
pub(super) fn VersionsCard(
    id: String,
    versions: Vec<VersionItem>,
    live_version: i32,
    has_draft: bool,
    disabled: bool,
    publish: ServerAction<PublishNotification>,
    discard: ServerAction<DiscardNotificationDraft>,
    restore: ServerAction<RestoreNotificationVersion>,
) -> impl IntoView {
    view! {
        <section class="card" data-testid="versions">
            <h2>"Versions"</h2>
            <FormResult action=publish />
            <FormResult action=discard />
            <FormResult action=restore />
            {has_draft.then(|| {
                let (id_publish, id_discard) = (id.clone(), id.clone());
                view! {
                    <div class="buttons">
                        <ActionForm action=publish attr:class="inline">
                            <input type="hidden" name="id" value=id_publish />
                            <button type="submit" class="primary" disabled=disabled>"Publish saved draft"</button>
                        </ActionForm>
                        <ActionForm action=discard attr:class="inline">
                            <input type="hidden" name="id" value=id_discard />
                            <button type="submit" disabled=disabled>"Discard draft"</button>
                        </ActionForm>
                    </div>
                }
            })}
            {if versions.is_empty() {
                view! { <p class="muted">"Not published yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain versions">
                        {versions.clone().into_iter().map(|v| {
                            let id_restore = id.clone();
                            view! {
                            <li>
                                <strong>{format!("v{}", v.version)}</strong>
                                {(v.version == live_version).then(|| view! { " " <Badge text="live" /> })}
                                <span class="muted small">" " {v.when} {v.by.map(|b| format!(" by {b}"))}</span>
                                <div class="small">{v.summary}</div>
                                <ActionForm action=restore attr:class="inline">
                                    <input type="hidden" name="id" value=id_restore />
                                    <input type="hidden" name="version" value=v.version />
                                    <button type="submit" class="link" disabled=disabled>{format!("Restore v{}", v.version)}</button>
                                </ActionForm>
                            </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
