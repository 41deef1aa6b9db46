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
use crate::components::{Badge, FormResult, Loaded, LoadedForViewer, TabPanel};
use crate::pages::notifications::NotificationList;

mod notifications;
use notifications::*;
mod fields;
use fields::*;
mod settings;
use settings::*;

/// All agents, and a form to add one.
#[component]
pub fn AgentsPage() -> impl IntoView {
    let create = ServerAction::<CreateAgent>::new();
    let agents = Resource::new(move || create.version().get(), |_| list_agents());
    view! {
        <Title text="Agents" />
        <h1>"Agents"</h1>
        <p class="muted">"Agents are created when their first call arrives (if the account auto-creates agents), or here."</p>
        <Loaded resource=agents view=move |value| match value {
            list if list.is_empty() => view! { <p class="empty card">"No agents yet."</p> }.into_any(),
            list => view! {
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
        } />
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
        <LoadedForViewer resource=agent view=move |a, admin| {
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
                {(current == "settings").then(|| view! {
                    <section class="tab-panel card"><AgentSettings agent=a.clone() update=update admin=admin /></section>
                })}
            }
            .into_any()
        } />
        // The tabs with data of their own are built here, outside the agent's `Loaded`.
        {move || {
            let agent_id = id.get();
            match tab.get().as_deref().unwrap_or("notifications") {
                "settings" => ().into_any(),
                "fields" => view! { <TabPanel owner=agent><FieldsTab agent_id=agent_id /></TabPanel> }.into_any(),
                "actions" => view! {
                    <TabPanel owner=agent><crate::pages::actions::ActionsTab agent_id=agent_id /></TabPanel>
                }.into_any(),
                _ => view! { <TabPanel owner=agent><AgentNotifications agent_id=agent_id /></TabPanel> }.into_any(),
            }
        }}
    }
}
