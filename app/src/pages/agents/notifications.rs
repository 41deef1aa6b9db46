//! The agent's Notifications tab: its own and the account-wide notifications, in order.

#[allow(unused_imports)]
use super::*;

#[component]
pub(crate) fn AgentNotifications(agent_id: String) -> impl IntoView {
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
