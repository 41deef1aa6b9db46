//! `/agents` (list and create) and `/agents/:id` with its Notifications, Fields and
//! Settings tabs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{path_param, query_param};
use crate::api::agents::{
    AgentItem, CreateAgent, DeleteField, FieldItem, SaveField, UpdateAgent, get_agent, list_agents, list_fields,
};
use crate::api::notifications::list_notifications;
use crate::components::{Badge, CurrentUser, ErrorBox, FormResult};
use crate::pages::notifications::NotificationList;

/// All agents, and a form to add one.
#[component]
pub fn AgentsPage() -> impl IntoView {
    let create = ServerAction::<CreateAgent>::new();
    let agents = Resource::new(move || create.version().get(), |_| list_agents());
    view! {
        <Title text="Agents" />
        <h1>"Agents"</h1>
        <p class="muted">"Agents are created when their first call arrives (if the account auto-creates agents), or here."</p>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match agents.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty card">"No agents yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="list" data-testid="agents">
                            <thead><tr><th>"Name"</th><th>"External id"</th><th>"Time zone"</th><th>"Goal"</th><th>"Created"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|a| view! {
                                    <tr>
                                        <td><a href=format!("/agents/{}", a.id)>{a.name}</a></td>
                                        <td><code>{a.external_id}</code></td>
                                        <td>{a.timezone}</td>
                                        <td>{a.goal.unwrap_or_else(|| "—".into())}</td>
                                        <td>{a.created}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
        <details class="card">
            <summary>"Add an agent"</summary>
            <ActionForm action=create attr:class="form">
                <FormResult action=create ok="Agent created." />
                <label>"External id (the agent_id your platform sends)" <input type="text" name="external_id" required maxlength="200" /></label>
                <label>"Name" <input type="text" name="name" maxlength="120" /></label>
                <label>"Time zone (IANA)" <input type="text" name="timezone" value="UTC" /></label>
                <label>"Language" <input type="text" name="language" value="en" /></label>
                <button type="submit" class="primary">"Add agent"</button>
            </ActionForm>
        </details>
    }
}

/// One agent.
#[component]
pub fn AgentPage() -> impl IntoView {
    let id = path_param("id");
    let tab = query_param("tab");
    let update = ServerAction::<UpdateAgent>::new();
    let agent = Resource::new(move || (id.get(), update.version().get()), |(id, _)| get_agent(id));
    view! {
        <Title text="Agent" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match agent.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(a) => {
                        let current = tab.get().unwrap_or_else(|| "notifications".to_owned());
                        let base = format!("/agents/{}", a.id);
                        let tabs = [("notifications", "Notifications"), ("fields", "Fields"), ("actions", "Actions"), ("settings", "Settings")];
                        view! {
                            <h1>{a.name.clone()}</h1>
                            <dl class="facts">
                                <dt>"External id"</dt><dd><code>{a.external_id.clone()}</code></dd>
                                <dt>"Time zone"</dt><dd>{a.timezone.clone()}</dd>
                                <dt>"Goal"</dt><dd>{a.goal.clone().unwrap_or_else(|| "—".into())}</dd>
                                <dt>"Language"</dt><dd>{a.language.clone()}</dd>
                            </dl>
                            <nav class="tabs">
                                {tabs.into_iter().map(|(key, label)| {
                                    let class = if key == current { "tab active" } else { "tab" };
                                    view! { <A href=format!("{base}?tab={key}") attr:class=class attr:data-testid=format!("agent-tab-{key}")>{label}</A> }
                                }).collect_view()}
                            </nav>
                            <section class="tab-panel card">
                                {match current.as_str() {
                                    "fields" => view! { <FieldsTab agent_id=a.id.clone() /> }.into_any(),
                                    "actions" => view! { <crate::pages::actions::ActionsTab agent_id=a.id.clone() /> }.into_any(),
                                    "settings" => view! { <AgentSettings agent=a.clone() update=update /> }.into_any(),
                                    _ => view! { <AgentNotifications agent_id=a.id.clone() /> }.into_any(),
                                }}
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn AgentNotifications(agent_id: String) -> impl IntoView {
    let id = agent_id.clone();
    let actions = crate::pages::notifications::ListActions::new();
    let list = Resource::new(move || (id.clone(), actions.version()), |(id, _)| list_notifications(Some(id)));
    let new_href = format!("/notifications/new?agent={agent_id}");
    let user = use_context::<CurrentUser>();
    view! {
        <div class="row-between">
            <p class="muted">"Post-call notifications for this agent, including those on all agents."</p>
            <a class="button primary" href=new_href data-testid="new-notification">"New notification"</a>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let agent_id = agent_id.clone();
                Suspend::new(async move {
                    let can = crate::components::viewer_can_configure(user).await;
                    match list.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(items) => view! { <NotificationList items=items actions=actions agent_id=agent_id can_configure=can /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

pub(crate) fn can_configure() -> bool {
    use_context::<CurrentUser>()
        .and_then(|CurrentUser(me)| me.get().and_then(|r| r.ok()).flatten())
        .is_some_and(|me| me.can_configure)
}

#[component]
fn FieldsTab(agent_id: String) -> impl IntoView {
    let save = ServerAction::<SaveField>::new();
    let delete = ServerAction::<DeleteField>::new();
    let id = agent_id.clone();
    let fields =
        Resource::new(move || (id.clone(), save.version().get(), delete.version().get()), |(id, _, _)| list_fields(id));
    let agent = StoredValue::new(agent_id);
    view! {
        <p class="muted">"The analyzer extracts these from every call of this agent; use them in templates as "
            <code>"{{ dyn_<name> }}"</code> ". A " <code>"{{ dyn_<name> }}"</code> " used in a template without a field here is extracted as text."</p>
        <FormResult action=save ok="Field saved." />
        <FormResult action=delete />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match fields.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted" data-testid="fields-empty">"No fields yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="list" data-testid="fields">
                            <thead><tr><th>"Name"</th><th>"Type"</th><th>"Description"</th><th>"Options"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|f| view! { <FieldRow field=f agent_id=agent.get_value() save=save delete=delete /> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Add a field"</h2>
        <ActionForm action=save attr:class="form" attr:data-testid="field-form">
            <input type="hidden" name="agent_id" value=agent.get_value() />
            <FieldInputs field=None />
            <button type="submit" class="primary">"Add field"</button>
        </ActionForm>
    }
}

#[component]
fn FieldInputs(field: Option<FieldItem>) -> impl IntoView {
    let f = field.unwrap_or(FieldItem {
        id: String::new(),
        name: String::new(),
        kind: "string".into(),
        description: String::new(),
        options: Vec::new(),
    });
    let kinds = [("string", "Text"), ("number", "Number"), ("boolean", "Yes / no"), ("enum", "One of a list")];
    view! {
        <input type="hidden" name="id" value=f.id.clone() />
        <label>"Name (a-z, 0-9, _)" <input type="text" name="name" required maxlength="64" pattern="[a-z][a-z0-9_]*" value=f.name.clone() placeholder="order_id" /></label>
        <label>"Type"
            <select name="kind">
                {kinds.into_iter().map(|(v, l)| view! { <option value=v selected=f.kind == v>{l}</option> }).collect_view()}
            </select>
        </label>
        <label>"Description (what the analyzer should look for)" <input type="text" name="description" maxlength="500" value=f.description.clone() placeholder="The order number the customer mentions" /></label>
        <label>"Options (for a list; separated by commas)" <input type="text" name="options" value=f.options.join(", ") /></label>
    }
}

#[component]
fn FieldRow(
    field: FieldItem,
    agent_id: String,
    save: ServerAction<SaveField>,
    delete: ServerAction<DeleteField>,
) -> impl IntoView {
    let admin = can_configure();
    let field_id = field.id.clone();
    let edit = field.clone();
    view! {
        <tr>
            <td><code>{format!("dyn_{}", field.name)}</code></td>
            <td><Badge text=field.kind.clone() /></td>
            <td>{field.description.clone()}</td>
            <td>{field.options.join(", ")}</td>
            <td>
                {admin.then(|| view! {
                    <details>
                        <summary>"Edit"</summary>
                        <ActionForm action=save attr:class="form">
                            <input type="hidden" name="agent_id" value=agent_id.clone() />
                            <FieldInputs field=Some(edit.clone()) />
                            <button type="submit">"Save"</button>
                        </ActionForm>
                    </details>
                    <ActionForm action=delete attr:class="inline">
                        <input type="hidden" name="id" value=field_id.clone() />
                        <button type="submit" class="danger">"Delete"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

#[component]
fn AgentSettings(agent: AgentItem, update: ServerAction<UpdateAgent>) -> impl IntoView {
    view! {
        <ActionForm action=update attr:class="form" attr:data-testid="agent-settings">
            <FormResult action=update ok="Saved." />
            <fieldset disabled=!can_configure()>
                <input type="hidden" name="id" value=agent.id.clone() />
                <label>"Name" <input type="text" name="name" required maxlength="120" value=agent.name.clone() /></label>
                <label>"External id" <input type="text" name="external_id" required maxlength="200" value=agent.external_id.clone() /></label>
                <label>"Time zone (IANA, e.g. Europe/Berlin)" <input type="text" name="timezone" value=agent.timezone.clone() /></label>
                <label>"Language" <input type="text" name="language" value=agent.language.clone() /></label>
                <label>"Goal (judged for every call as success, failure or unknown)"
                    <input type="text" name="goal" maxlength="500" value=agent.goal.clone().unwrap_or_default() placeholder="Did the caller book an appointment?" />
                </label>
                <button type="submit" class="primary">"Save agent"</button>
            </fieldset>
        </ActionForm>
    }
}
