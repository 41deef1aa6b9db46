//! The notification editor: the page, and the form that holds the subject and body with
//! their live preview; its sections are in [`sections`] and its side cards in [`side`].

#[allow(unused_imports)]
use super::*;

mod sections;
use sections::*;
mod side;
use side::*;

use crate::components::{TryPanel, TryTarget};

/// Editing a notification.
#[component]
pub fn EditNotificationPage() -> impl IntoView {
    let id = path_param("id");
    let saved = query_param("saved");
    // Saving, publishing and restoring redirect here again (often to the same URL): the
    // form bumps this after each success so the editor shows what is stored now.
    let refresh = RwSignal::new(0u32);
    provide_context(EditorRefresh(refresh));
    let editor = Resource::new(move || (id.get(), refresh.get()), |(id, _)| notification_editor(Some(id), None, None));
    view! {
        <Title text="Edit notification" />
        <h1>"Edit notification"</h1>
        {move || saved.get().map(|s| {
            let text = match s.as_str() {
                "draft" => "Draft saved. It is not live until you publish it.",
                "restored" => "The version was loaded as a draft; publish it to make it live.",
                _ => "Published: new calls use this version.",
            };
            view! { <p class="form-ok" data-testid="saved">{text}</p> }
        })}
        <Editor editor=editor />
    }
}

/// Asks the edit page to reload the stored notification.
#[derive(Clone, Copy)]
pub(crate) struct EditorRefresh(RwSignal<u32>);

#[component]
pub(crate) fn Editor(editor: Resource<Result<EditorData, crate::error::AppError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(ed) => view! { <NotificationForm editor=ed /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Which template field the variable picker inserts into.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Subject,
    Body,
}

/// Inserts `text` at the cursor of `element` (or appends), returning the new value. Offsets
/// from the DOM are UTF-16 code units.
#[cfg(feature = "hydrate")]
pub(crate) fn splice_utf16(value: &str, start: u32, end: u32, text: &str) -> (String, u32) {
    let units: Vec<u16> = value.encode_utf16().collect();
    let start = (start as usize).min(units.len());
    let end = (end as usize).clamp(start, units.len());
    let mut out: Vec<u16> = units[..start].to_vec();
    out.extend(text.encode_utf16());
    let cursor = out.len() as u32;
    out.extend_from_slice(&units[end..]);
    (String::from_utf16_lossy(&out), cursor)
}

#[component]
pub(crate) fn NotificationForm(editor: EditorData) -> impl IntoView {
    let save = ServerAction::<SaveNotification>::new();
    let publish = ServerAction::<PublishNotification>::new();
    let discard = ServerAction::<DiscardNotificationDraft>::new();
    let restore = ServerAction::<RestoreNotificationVersion>::new();
    let test_send = ServerAction::<TestSendNotification>::new();
    if let Some(EditorRefresh(refresh)) = use_context::<EditorRefresh>() {
        // Only successes reload: after an error the form keeps what was typed.
        Effect::new(move |_| {
            let ok = matches!(save.value().get(), Some(Ok(_)))
                || matches!(publish.value().get(), Some(Ok(_)))
                || matches!(discard.value().get(), Some(Ok(_)))
                || matches!(restore.value().get(), Some(Ok(_)));
            if ok {
                refresh.try_update(|n| *n += 1);
            }
        });
    }
    let f = editor.form.clone();
    let always = RwSignal::new(f.always);
    let team = RwSignal::new(f.team_alert.clone());
    let task = RwSignal::new(f.task.clone());
    let subject = RwSignal::new(f.subject.clone());
    let body = RwSignal::new(f.body.clone());
    let agent = RwSignal::new(f.agent_id.clone());
    let source = RwSignal::new("sample".to_owned());
    let target = RwSignal::new(Target::Body);
    let subject_ref = NodeRef::<leptos::html::Input>::new();
    let body_ref = NodeRef::<leptos::html::Textarea>::new();

    // The preview opens as the form's loader rendered it and follows the agent, the call it
    // is rendered with, and the subject and body 300 ms after typing stops. A signal the
    // browser fills, not a resource: a resource created here, inside the editor's `Suspend`,
    // is fetched twice during SSR, and the browser may hydrate against the other answer.
    let preview = RwSignal::new(editor.preview.clone());
    #[cfg(feature = "hydrate")]
    {
        use crate::components::follow::{debounced, follow};
        let typed = debounced(move || (subject.get(), body.get()), std::time::Duration::from_millis(300));
        follow(
            move || (agent.get(), source.get(), typed.get()),
            preview,
            |(agent, source, (subject, body))| {
                crate::api::notifications::preview_notification(agent, source, subject, body)
            },
        );
    }

    let insert = move |name: String| {
        let text = format!("{{{{ {name} }}}}");
        #[cfg(feature = "hydrate")]
        {
            match target.get_untracked() {
                Target::Subject => {
                    if let Some(el) = subject_ref.get_untracked() {
                        let start = el.selection_start().ok().flatten().unwrap_or(u32::MAX);
                        let end = el.selection_end().ok().flatten().unwrap_or(start);
                        let (value, cursor) = splice_utf16(&el.value(), start, end, &text);
                        el.set_value(&value);
                        subject.set(value);
                        let _ = el.focus();
                        let _ = el.set_selection_range(cursor, cursor);
                    }
                }
                Target::Body => {
                    if let Some(el) = body_ref.get_untracked() {
                        let start = el.selection_start().ok().flatten().unwrap_or(u32::MAX);
                        let end = el.selection_end().ok().flatten().unwrap_or(start);
                        let (value, cursor) = splice_utf16(&el.value(), start, end, &text);
                        el.set_value(&value);
                        body.set(value);
                        let _ = el.focus();
                        let _ = el.set_selection_range(cursor, cursor);
                    }
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (text, target, subject_ref, body_ref);
    };

    let disabled = !editor.can_configure;
    let id = f.id.clone().unwrap_or_default();
    let is_new = f.id.is_none();
    let status = match (editor.version, editor.has_draft, is_new) {
        (_, _, true) => editor
            .starter
            .clone()
            .map(|s| format!("New, from the “{s}” template: not live until published."))
            .unwrap_or_else(|| "New notification: not live until published.".to_owned()),
        (0, _, false) => "Draft: never published, so it does not run yet.".to_owned(),
        (v, true, false) => format!("Live: version {v}. You are editing unpublished changes."),
        (v, false, false) => format!("Live: version {v}."),
    };
    let (agent_hidden, subject_hidden, body_hidden) = (f.agent_id.clone(), f.subject.clone(), f.body.clone());
    let id_form = id.clone();
    let try_id = id.clone();
    let versions = editor.versions.clone();
    let live_version = editor.version;
    let has_draft = editor.has_draft;

    view! {
        <p class="status-line" data-testid="editor-status">{status}</p>
        {disabled.then(|| view! { <p class="muted">"Only owners and admins can change notifications."</p> })}
        <div class="editor">
        <ActionForm action=save attr:class="form card wide" attr:data-testid="notification-form">
            <FormResult action=save />
            <input type="hidden" name="id" value=id_form />
            <fieldset disabled=disabled>
                <label>"Name" <input type="text" name="name" required maxlength="120" value=f.name.clone() placeholder="e.g. Callback requested" /></label>
                <label>"Applies to"
                    <select name="agent_id" on:change=move |ev| agent.set(event_target_value(&ev))>
                        <option value="" selected=f.agent_id.is_empty()>"All agents"</option>
                        {editor.agents.iter().map(|a| view! {
                            <option value=a.value.clone() selected=a.value == f.agent_id>{a.label.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="check"><input type="checkbox" name="enabled" checked=f.enabled /> "Enabled"</label>

                <TriggerSection f=f.clone() end_reasons=editor.end_reasons.clone() field_names=editor.field_names.clone() always=always reading=editor.trigger_reading.clone() />

                <RecipientsSection f=f.clone() />
                <label>"Subject"
                    <input type="text" name="subject" required maxlength="500" node_ref=subject_ref value=f.subject.clone() prop:value=move || subject.get()
                        on:input=move |ev| subject.set(event_target_value(&ev)) on:focus=move |_| target.set(Target::Subject) />
                </label>
                <label>"Body (Markdown)"
                    <textarea name="body" rows="12" required class="mono" node_ref=body_ref prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev)) on:focus=move |_| target.set(Target::Body)>{f.body.clone()}</textarea>
                </label>

                <FollowUpSection f=f.clone() members=editor.members.clone() team=team task=task />
                {(!disabled).then(|| view! {
                    <div class="buttons">
                        <button type="submit" name="action" value="draft">"Save draft"</button>
                        <button type="submit" name="action" value="publish" class="primary">"Publish"</button>
                    </div>
                })}
            </fieldset>
        </ActionForm>

        <aside class="side">
            <PreviewCard preview=preview test_send=test_send sources=editor.preview_sources.clone() source=source
                agent=agent subject=subject body=body initial=(agent_hidden, subject_hidden, body_hidden) disabled=disabled />
            <VariablesCard groups=editor.variable_groups.clone() disabled=disabled insert=Callback::new(insert) />
            {(!is_new && !disabled).then(|| view! {
                <section class="card">
                    <TryPanel target=TryTarget::Notification(try_id.clone()) />
                </section>
            })}
            {(!is_new).then(move || view! {
                <VersionsCard id=id.clone() versions=versions.clone() live_version=live_version has_draft=has_draft
                    disabled=disabled publish=publish discard=discard restore=restore />
            })}
        </aside>
        </div>
    }
}
