//! The notifications list with its firing figures and list actions.

#[allow(unused_imports)]
use super::*;

/// Server actions of the list, so the list refetches after any of them.
#[derive(Clone, Copy)]
pub struct ListActions {
    toggle: ServerAction<SetNotificationEnabled>,
    duplicate: ServerAction<DuplicateNotification>,
    delete: ServerAction<DeleteNotification>,
    reorder: ServerAction<MoveNotification>,
}

impl ListActions {
    /// New actions.
    pub fn new() -> Self {
        Self {
            toggle: ServerAction::new(),
            duplicate: ServerAction::new(),
            delete: ServerAction::new(),
            reorder: ServerAction::new(),
        }
    }

    /// Changes whenever one of the actions completes.
    pub fn version(&self) -> usize {
        self.toggle.version().get()
            + self.duplicate.version().get()
            + self.delete.version().get()
            + self.reorder.version().get()
    }
}

impl Default for ListActions {
    fn default() -> Self {
        Self::new()
    }
}

/// A table of notifications with their firing figures and actions (admins).
#[component]
pub fn NotificationList(
    items: Vec<NotificationItem>,
    actions: ListActions,
    /// The agent whose list this is (order moves within it); `None` = the account's list.
    #[prop(optional)]
    agent_id: Option<String>,
    #[prop(optional)] can_configure: bool,
) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">"No notifications yet. Start from a template or from scratch."</p> }
            .into_any();
    }
    let count = items.len();
    let agent = agent_id.unwrap_or_default();
    view! {
        <FormResult action=actions.toggle />
        <FormResult action=actions.duplicate />
        <FormResult action=actions.delete />
        <FormResult action=actions.reorder />
        <table class="list" data-testid="notifications">
            <thead><tr>
                <th>"Order"</th><th>"Name"</th><th>"Applies to"</th><th>"Trigger"</th><th>"Email to"</th>
                <th>"Alert"</th><th>"Task"</th><th>"Version"</th><th>"Last fired"</th><th title="Fired in the last 7 days">"7 days"</th><th>"State"</th><th></th>
            </tr></thead>
            <tbody>
                {items.into_iter().enumerate().map(|(i, n)| {
                    let version = match (n.version, n.has_draft) {
                        (0, _) => view! { <Badge text="draft" /> }.into_any(),
                        (v, true) => view! { <span>{format!("v{v}")} " " <Badge text="unpublished edits" /></span> }.into_any(),
                        (v, false) => view! { <span>{format!("v{v}")}</span> }.into_any(),
                    };
                    let state = if n.version == 0 { "not live" } else if n.enabled { "enabled" } else { "disabled" };
                    let toggle_to = (!n.enabled).to_string();
                    let toggle_label = if n.enabled { "Disable" } else { "Enable" };
                    let agent = agent.clone();
                    let order = can_configure.then(|| {
                        let (id_up, id_down, agent_up, agent_down) = (n.id.clone(), n.id.clone(), agent.clone(), agent.clone());
                        let (up_label, down_label) = (format!("Move {} up", n.name), format!("Move {} down", n.name));
                        view! {
                            <ActionForm action=actions.reorder attr:class="inline">
                                <input type="hidden" name="id" value=id_up />
                                <input type="hidden" name="agent_id" value=agent_up />
                                <input type="hidden" name="direction" value="up" />
                                <button type="submit" class="link" disabled=i == 0 title="Move up" aria-label=up_label>"▲"</button>
                            </ActionForm>
                            <ActionForm action=actions.reorder attr:class="inline">
                                <input type="hidden" name="id" value=id_down />
                                <input type="hidden" name="agent_id" value=agent_down />
                                <input type="hidden" name="direction" value="down" />
                                <button type="submit" class="link" disabled=i + 1 == count title="Move down" aria-label=down_label>"▼"</button>
                            </ActionForm>
                        }
                    });
                    let buttons = can_configure.then(|| {
                        let (id_toggle, id_dup, id_del) = (n.id.clone(), n.id.clone(), n.id.clone());
                        view! {
                            <ActionForm action=actions.toggle attr:class="inline">
                                <input type="hidden" name="id" value=id_toggle />
                                <input type="hidden" name="enabled" value=toggle_to />
                                <button type="submit" class="link">{toggle_label}</button>
                            </ActionForm>
                            " · "
                            <ActionForm action=actions.duplicate attr:class="inline">
                                <input type="hidden" name="id" value=id_dup />
                                <button type="submit" class="link">"Duplicate"</button>
                            </ActionForm>
                            " · "
                            <ActionForm action=actions.delete attr:class="inline">
                                <input type="hidden" name="id" value=id_del />
                                <button type="submit" class="link danger" on:click=confirm_first("Delete this notification? Past runs keep their history.")>"Delete"</button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr>
                            <td class="order">{order}</td>
                            <td><a href=format!("/notifications/{}", n.id)>{n.name.clone()}</a></td>
                            <td>{n.agent_name.clone().unwrap_or_else(|| "All agents".into())}</td>
                            <td>{n.trigger.clone()}
                                {(!n.conditions.is_empty()).then(|| view! { <div class="muted small">"and " {n.conditions.join(", and ")}</div> })}
                            </td>
                            <td>{if n.recipients.is_empty() { "—".to_owned() } else { n.recipients.join(", ") }}</td>
                            <td>{n.team_alert.clone()}</td>
                            <td>{n.task.clone().map(|t| view! { <Badge text=t /> }.into_any()).unwrap_or_else(|| "—".into_any())}</td>
                            <td>{version}</td>
                            <td data-testid="last-fired">{n.last_fired.clone().unwrap_or_else(|| "never".to_owned())}</td>
                            <td class="num" data-testid="fired-7d">{n.fired_7d}</td>
                            <td><Badge text=state /></td>
                            <td class="actions">{buttons}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Every notification of the account.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let actions = ListActions::new();
    let list = Resource::new(move || actions.version(), |_| list_notifications(None));
    view! {
        <Title text="Notifications" />
        <div class="row-between">
            <h1>"Notifications"</h1>
            <a class="button primary" href="/notifications/new" data-testid="new-notification">"New notification"</a>
        </div>
        <p class="muted">"Each published, enabled notification is judged for every call of its agent (or of all agents), in this order: it can email recipients, alert the team and create a task."</p>
        <LoadedForViewer resource=list view=move |items, can| view! {
            <section class="card"><NotificationList items=items actions=actions can_configure=can /></section>
        }.into_any() />
    }
}
