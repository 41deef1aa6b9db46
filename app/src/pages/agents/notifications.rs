//! The agent's Notifications tab: its own and the account-wide notifications, in order.

#[allow(unused_imports)]
use super::*;

#[component]
pub(crate) fn AgentNotifications(agent_id: String) -> impl IntoView {
    let id = agent_id.clone();
    let actions = crate::pages::notifications::ListActions::new();
    let list = Resource::new(move || (id.clone(), actions.version()), |(id, _)| list_notifications(Some(id)));
    let new_href = format!("/notifications/new?agent={agent_id}");
    view! {
        <div class="row-between">
            <p class="muted">"Post-call notifications for this agent, including those on all agents."</p>
            <a class="button primary" href=new_href data-testid="new-notification">"New notification"</a>
        </div>
        <LoadedForViewer resource=list view=move |items, can| view! {
            <NotificationList items=items actions=actions agent_id=agent_id.clone() can_configure=can />
        }.into_any() />
    }
}
