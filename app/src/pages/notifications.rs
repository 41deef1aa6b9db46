//! `/notifications` (every notification), `/notifications/new` and `/notifications/:id`:
//! the notification form.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{path_param, query_param};
use crate::api::notifications::{EditorData, NotificationItem, SaveNotification, list_notifications, notification_editor};
use crate::components::{Badge, ErrorBox, FormResult};

/// A table of notifications.
#[component]
pub fn NotificationList(items: Vec<NotificationItem>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">"No notifications yet."</p> }.into_any();
    }
    view! {
        <table class="list" data-testid="notifications">
            <thead><tr><th>"Name"</th><th>"Applies to"</th><th>"Trigger"</th><th>"Email to"</th><th>"Alert"</th><th>"Task"</th><th>"State"</th></tr></thead>
            <tbody>
                {items.into_iter().map(|n| view! {
                    <tr>
                        <td><a href=format!("/notifications/{}", n.id)>{n.name}</a></td>
                        <td>{n.agent_name.unwrap_or_else(|| "All agents".into())}</td>
                        <td>{n.trigger}</td>
                        <td>{if n.recipients.is_empty() { "—".to_owned() } else { n.recipients.join(", ") }}</td>
                        <td>{n.team_alert}</td>
                        <td>{n.task.map(|t| view! { <Badge text=t /> }.into_any()).unwrap_or_else(|| "—".into_any())}</td>
                        <td><Badge text=if n.enabled { "enabled" } else { "disabled" } /></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Every notification of the account.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_notifications(None));
    view! {
        <Title text="Notifications" />
        <div class="row-between">
            <h1>"Notifications"</h1>
            <a class="button primary" href="/notifications/new" data-testid="new-notification">"New notification"</a>
        </div>
        <p class="muted">"Each notification is judged for every call of its agent (or of all agents): it can email fixed recipients, alert the team and create a task."</p>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(items) => view! { <section class="card"><NotificationList items=items /></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A new notification (for `?agent=<id>`, else for all agents).
#[component]
pub fn NewNotificationPage() -> impl IntoView {
    let agent = query_param("agent");
    let editor = Resource::new(move || agent.get(), |agent| notification_editor(None, agent));
    view! {
        <Title text="New notification" />
        <h1>"New notification"</h1>
        <Editor editor=editor />
    }
}

/// Editing a notification.
#[component]
pub fn EditNotificationPage() -> impl IntoView {
    let id = path_param("id");
    let editor = Resource::new(move || id.get(), |id| notification_editor(Some(id), None));
    view! {
        <Title text="Edit notification" />
        <h1>"Edit notification"</h1>
        <Editor editor=editor />
    }
}

#[component]
fn Editor(editor: Resource<Result<EditorData, crate::error::AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(ed) => view! { <NotificationForm editor=ed /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotificationForm(editor: EditorData) -> impl IntoView {
    let save = ServerAction::<SaveNotification>::new();
    let f = editor.form;
    let always = RwSignal::new(f.always);
    let team = RwSignal::new(f.team_alert.clone());
    let selected = f.alert_members.clone();
    let disabled = !editor.can_configure;
    view! {
        {disabled.then(|| view! { <p class="muted">"Only owners and admins can change notifications."</p> })}
        <ActionForm action=save attr:class="form card wide" attr:data-testid="notification-form">
            <FormResult action=save />
            <input type="hidden" name="id" value=f.id.clone().unwrap_or_default() />
            <fieldset disabled=disabled>
                <label>"Name" <input type="text" name="name" required maxlength="120" value=f.name.clone() placeholder="e.g. Callback requested" /></label>
                <label>"Applies to"
                    <select name="agent_id">
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
                <textarea name="condition" rows="2" maxlength="1000" placeholder="Did the customer ask to be called back?" class:dim=move || always.get()>{f.condition.clone()}</textarea>

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
                <label>"Subject" <input type="text" name="subject" required maxlength="500" value=f.subject.clone() /></label>
                <label>"Body (Markdown)" <textarea name="body" rows="10" required class="mono">{f.body.clone()}</textarea></label>
                <details class="variables">
                    <summary>"Variables"</summary>
                    <p class="muted">"Write " <code>"{{ name }}"</code> ". Also " <code>"{{ dyn_<name> }}"</code> " for values the AI extracts, and "
                        <code>"{{ dynamic_variables.<name> }}"</code> " for values your platform sent. Unavailable values render as “(not available)”."</p>
                    <dl class="vars">
                        {editor.variables.iter().map(|v| view! { <dt><code>{format!("{{{{ {} }}}}", v.value)}</code></dt><dd>{v.label.clone()}</dd> }).collect_view()}
                    </dl>
                </details>

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
                <label>"Task"
                    <select name="task">
                        {[("off", "No task"), ("low", "Low priority"), ("medium", "Medium priority"), ("high", "High priority"), ("urgent", "Urgent")].into_iter().map(|(v, label)| view! {
                            <option value=v selected=f.task == v>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary">"Save notification"</button>
            </fieldset>
        </ActionForm>
    }
}
