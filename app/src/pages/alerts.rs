//! `/alerts`: the member's alerts, mark read and mark all read.

use leptos::prelude::*;
use leptos_meta::Title;

use super::query_param;
use crate::api::alerts::{MarkAlertRead, MarkAllAlertsRead, list_alerts};
use crate::components::{BellRefresh, ErrorBox, FormResult, Pager};

/// The alerts page.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let before = query_param("before");
    let mark = ServerAction::<MarkAlertRead>::new();
    let mark_all = ServerAction::<MarkAllAlertsRead>::new();
    let bell = use_context::<BellRefresh>();
    Effect::new(move |_| {
        if mark.version().get() + mark_all.version().get() > 0
            && let Some(BellRefresh(signal)) = bell
        {
            signal.update(|n| *n += 1);
        }
    });
    let page = Resource::new(
        move || (before.get(), mark.version().get(), mark_all.version().get()),
        |(before, _, _)| list_alerts(before),
    );
    view! {
        <Title text="Alerts" />
        <div class="row-between">
            <h1>"Alerts"</h1>
            <ActionForm action=mark_all attr:class="inline">
                <button type="submit">"Mark all read"</button>
            </ActionForm>
        </div>
        <FormResult action=mark_all />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="empty card">"No alerts. Notifications with a team alert put them here."</p> }.into_any(),
                    Ok(page) => view! {
                        <ul class="alerts" data-testid="alerts">
                            {page.items.into_iter().map(|a| {
                                let class = if a.read { "alert card" } else { "alert card unread" };
                                view! {
                                    <li class=class>
                                        <div class="row-between">
                                            <a href=a.link.clone()><strong>{a.title.clone()}</strong></a>
                                            <span class="muted">{a.when.clone()}</span>
                                        </div>
                                        <p>{a.body.clone()}</p>
                                        {(!a.read).then(|| view! {
                                            <ActionForm action=mark attr:class="inline">
                                                <input type="hidden" name="id" value=a.id.clone() />
                                                <button type="submit" class="link">"Mark read"</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <Pager base="/alerts" next=page.next has_previous=before.get_untracked().is_some() />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
