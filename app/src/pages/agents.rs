//! `/agents` (list and create) and `/agents/:id` (its notifications).

use leptos::prelude::*;
use leptos_meta::Title;

use super::path_param;
use crate::api::agents::{CreateAgent, get_agent, list_agents};
use crate::api::notifications::list_notifications;
use crate::components::{ErrorBox, FormResult};
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
                            <thead><tr><th>"Name"</th><th>"External id"</th><th>"Time zone"</th><th>"Language"</th><th>"Created"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|a| view! {
                                    <tr>
                                        <td><a href=format!("/agents/{}", a.id)>{a.name}</a></td>
                                        <td><code>{a.external_id}</code></td>
                                        <td>{a.timezone}</td>
                                        <td>{a.language}</td>
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

/// One agent with its Notifications tab.
#[component]
pub fn AgentPage() -> impl IntoView {
    let id = path_param("id");
    let agent = Resource::new(move || id.get(), get_agent);
    let notifications = Resource::new(move || id.get(), |id| list_notifications(Some(id)));
    view! {
        <Title text="Agent" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (agent.await, notifications.await) {
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
                    (Ok(a), Ok(list)) => {
                        let new_href = format!("/notifications/new?agent={}", a.id);
                        view! {
                            <h1>{a.name.clone()}</h1>
                            <dl class="facts">
                                <dt>"External id"</dt><dd><code>{a.external_id.clone()}</code></dd>
                                <dt>"Time zone"</dt><dd>{a.timezone.clone()}</dd>
                                <dt>"Language"</dt><dd>{a.language.clone()}</dd>
                            </dl>
                            <nav class="tabs"><span class="tab active">"Notifications"</span></nav>
                            <section class="tab-panel card">
                                <div class="row-between">
                                    <p class="muted">"Post-call notifications for this agent, including those on all agents."</p>
                                    <a class="button primary" href=new_href data-testid="new-notification">"New notification"</a>
                                </div>
                                <NotificationList items=list />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
