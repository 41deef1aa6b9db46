//! The notification editor: trigger, conditions, recipients, email with live preview, team
//! alert and task.

#[allow(unused_imports)]
use super::*;

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

    // The preview follows the subject and body 300 ms after typing stops.
    let debounced = RwSignal::new((f.subject.clone(), f.body.clone()));
    #[cfg(feature = "hydrate")]
    {
        let generation = StoredValue::new(0u64);
        Effect::new(move |_| {
            let value = (subject.get(), body.get());
            let mine = generation.try_get_value().unwrap_or_default() + 1;
            generation.try_set_value(mine);
            set_timeout(
                move || {
                    // The form may be gone by then (saved and navigated away).
                    if generation.try_get_value() == Some(mine) {
                        let _ = debounced.try_set(value);
                    }
                },
                std::time::Duration::from_millis(300),
            );
        });
    }
    let preview = Resource::new(
        move || (agent.get(), source.get(), debounced.get()),
        |(agent, source, (subject, body))| preview_notification(agent, source, subject, body),
    );

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
    let selected = f.alert_members.clone();
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
    let mut field_rows = f.field_conditions.clone();
    field_rows.push(FieldConditionForm { op: "==".into(), ..Default::default() });
    field_rows.push(FieldConditionForm { op: "==".into(), ..Default::default() });
    let ops = [
        ("==", "equals"),
        ("!=", "does not equal"),
        (">", "is greater than"),
        ("<", "is less than"),
        ("contains", "contains"),
        ("is_empty", "is empty"),
        ("is_not_empty", "is not empty"),
    ];
    let field_names = editor.field_names.clone();
    let (agent_hidden, subject_hidden, body_hidden) = (f.agent_id.clone(), f.subject.clone(), f.body.clone());
    let id_form = id.clone();
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

                <h2>"When should it fire?"</h2>
                <label class="check"><input type="radio" name="trigger_mode" value="always" checked=f.always on:change=move |_| always.set(true) /> "Always send, after every call"</label>
                <label class="check"><input type="radio" name="trigger_mode" value="condition" checked=!f.always on:change=move |_| always.set(false) /> "When the AI judges this condition true:"</label>
                <textarea name="condition" rows="2" maxlength="1000" aria-label="Trigger question" placeholder="Did the customer ask to be called back?" class:dim=move || always.get()>{f.condition.clone()}</textarea>
                <details class="conditions" open=!(f.end_reasons.is_empty() && f.direction.is_empty() && f.status.is_empty() && f.duration_min.is_empty() && f.duration_max.is_empty() && f.field_conditions.is_empty())>
                    <summary>"Only when… (structured conditions, all must hold)"</summary>
                    <fieldset class="end-reasons">
                        <legend>"End reason is one of (none ticked = any)"</legend>
                        {editor.end_reasons.iter().enumerate().map(|(j, r)| view! {
                            <label class="check"><input type="checkbox" name=format!("end_reasons[{j}]") value=r.clone() checked=f.end_reasons.contains(r) /> {r.clone()}</label>
                        }).collect_view()}
                    </fieldset>
                    <div class="cond-grid">
                        <label>"Direction"
                            <select name="direction">
                                {[("", "Any"), ("inbound", "Inbound"), ("outbound", "Outbound")].into_iter().map(|(v, l)| view! {
                                    <option value=v selected=f.direction == v>{l}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Status is" <input type="text" name="status" value=f.status.clone() placeholder="e.g. completed" maxlength="64" /></label>
                        <label>"Duration at least (s)" <input type="text" inputmode="decimal" name="duration_min" value=f.duration_min.clone() placeholder="e.g. 30" /></label>
                        <label>"Duration at most (s)" <input type="text" inputmode="decimal" name="duration_max" value=f.duration_max.clone() placeholder="e.g. 600" /></label>
                    </div>
                    <datalist id="field-names">
                        {field_names.iter().map(|n| view! { <option value=n.clone() /> }).collect_view()}
                    </datalist>
                    {field_rows.into_iter().enumerate().map(|(i, row)| view! {
                        <div class="field-cond">
                            <label>{format!("Field {}", i + 1)} <input type="text" name=format!("field_name[{i}]") list="field-names" value=row.field.clone() placeholder="order_total" /></label>
                            <label>"operator"
                                <select name=format!("field_op[{i}]")>
                                    {ops.iter().map(|(v, l)| view! { <option value=*v selected=row.op == *v>{*l}</option> }).collect_view()}
                                </select>
                            </label>
                            <label>"value" <input type="text" name=format!("field_value[{i}]") value=row.value.clone() /></label>
                        </div>
                    }).collect_view()}
                </details>

                <h2>"Who gets the email?"</h2>
                <label>"Recipients (one address per line; leave empty for no email)"
                    <textarea name="recipients" rows="3" placeholder="support@example.com">{f.recipients.clone()}</textarea>
                </label>
                <details class="routes" open=!f.routes.is_empty()>
                    <summary>"Route by what was said (optional)"</summary>
                    <p class="muted">"The AI picks the first route whose condition holds for the call and emails its addresses, else the “otherwise” addresses. It can only choose among these; nothing said in a call can add an address."</p>
                    {(0..(f.routes.len() + 2).min(20)).map(|i| {
                        let (when, to) = f.routes.get(i).cloned().unwrap_or_default();
                        view! {
                            <div class="route-row">
                                <label>{format!("Route {} — when", i + 1)} <input type="text" name=format!("route_when[{i}]") value=when maxlength="500" placeholder="The caller asks about an invoice" /></label>
                                <label>"email" <input type="text" name=format!("route_to[{i}]") value=to placeholder="billing@example.com" /></label>
                            </div>
                        }
                    }).collect_view()}
                    <label>"Otherwise email" <input type="text" name="otherwise" value=f.otherwise.clone() placeholder="front-desk@example.com" /></label>
                </details>
                <label>"Subject"
                    <input type="text" name="subject" required maxlength="500" node_ref=subject_ref value=f.subject.clone() prop:value=move || subject.get()
                        on:input=move |ev| subject.set(event_target_value(&ev)) on:focus=move |_| target.set(Target::Subject) />
                </label>
                <label>"Body (Markdown)"
                    <textarea name="body" rows="12" required class="mono" node_ref=body_ref prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev)) on:focus=move |_| target.set(Target::Body)>{f.body.clone()}</textarea>
                </label>

                <h2>"What else should happen?"</h2>
                <label>"Team alert"
                    <select name="team_alert" on:change=move |ev| team.set(event_target_value(&ev))>
                        <option value="off" selected=f.team_alert == "off">"Off"</option>
                        <option value="all" selected=f.team_alert == "all">"All members"</option>
                        <option value="selected" selected=f.team_alert == "selected">"Selected members"</option>
                    </select>
                </label>
                <div class="members" class:dim=move || team.get() != "selected">
                    {editor.members.iter().enumerate().map(|(i, m)| view! {
                        <label class="check"><input type="checkbox" name=format!("alert_members[{i}]") value=m.value.clone() checked=selected.contains(&m.value) /> {m.label.clone()}</label>
                    }).collect_view()}
                </div>
                <div class="cond-grid">
                    <label>"Task"
                        <select name="task" on:change=move |ev| task.set(event_target_value(&ev))>
                            {[("off", "No task"), ("low", "Low priority"), ("medium", "Medium priority"), ("high", "High priority"), ("urgent", "Urgent")].into_iter().map(|(v, label)| view! {
                                <option value=v selected=f.task == v>{label}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class:dim=move || task.get() == "off">"Assign the task to"
                        <select name="task_assignee">
                            <option value="" selected=f.task_assignee.is_empty()>"Nobody (the team)"</option>
                            {editor.members.iter().map(|m| view! {
                                <option value=m.value.clone() selected=m.value == f.task_assignee>{m.label.clone()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class:dim=move || task.get() == "off">"Due after (hours)"
                        <input type="text" inputmode="numeric" name="task_due_hours" value=f.task_due_hours.clone() placeholder="e.g. 24" />
                    </label>
                </div>
                {(!disabled).then(|| view! {
                    <div class="buttons">
                        <button type="submit" name="action" value="draft">"Save draft"</button>
                        <button type="submit" name="action" value="publish" class="primary">"Publish"</button>
                    </div>
                })}
            </fieldset>
        </ActionForm>

        <aside class="side">
            <section class="card" data-testid="preview">
                <h2>"Preview"</h2>
                <label class="stack">"Render with"
                    <select aria-label="Preview with" on:change=move |ev| source.set(event_target_value(&ev))>
                        {editor.preview_sources.iter().map(|c| view! { <option value=c.value.clone()>{c.label.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <Transition fallback=|| view! { <p class="muted">"Rendering…"</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                            Ok(p) => match p.error {
                                Some(error) => view! { <p class="form-error" data-testid="preview-error">{error}</p> }.into_any(),
                                None => view! {
                                    <p class="preview-subject" data-testid="preview-subject"><strong>{p.subject}</strong></p>
                                    <iframe class="email-html" sandbox="" title="Email preview" srcdoc=p.html data-testid="preview-body"></iframe>
                                }.into_any(),
                            },
                        }
                    })}
                </Transition>
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
            <section class="card" data-testid="variables">
                <h2>"Variables"</h2>
                <p class="muted small">"Click to insert at the cursor of the subject or body. Unavailable values render as “(not available)”; "
                    <code>"{{ dynamic_variables.<name> }}"</code> " reads what your platform sent."</p>
                {editor.variable_groups.iter().map(|g| view! {
                    <h3>{g.title.clone()}</h3>
                    <ul class="var-list">
                        {g.variables.iter().map(|v| {
                            let name = v.value.clone();
                            view! {
                                <li>
                                    <button type="button" class="var" title=v.label.clone() disabled=disabled on:click={
                                        let name = name.clone();
                                        move |_| insert(name.clone())
                                    }>{format!("{{{{ {name} }}}}")}</button>
                                    <span class="muted small">{v.label.clone()}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }).collect_view()}
            </section>
            {(!is_new).then(move || view! {
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
            })}
        </aside>
        </div>
    }
}
