//! `/alerts`: the member's alerts, mark read and mark all read.

use leptos::prelude::*;
use leptos_meta::Title;

use super::query_param;
use crate::api::alerts::{MarkAlertRead, MarkAllAlertsRead, list_alerts};
use crate::api::push::{SendTestAlert, UnsubscribePush, push_status};
use crate::components::{BellRefresh, ErrorBox, FormResult, Pager};

/// Browser push opt-in for this member: enable on this browser, list and turn off
/// subscribed browsers, send a test alert.
#[component]
fn PushCard() -> impl IntoView {
    let unsubscribe = ServerAction::<UnsubscribePush>::new();
    let test = ServerAction::<SendTestAlert>::new();
    let subscribed = RwSignal::new(0u32);
    let message = RwSignal::new(None::<Result<String, String>>);
    let status = Resource::new(move || (unsubscribe.version().get(), subscribed.get()), |_| push_status());
    view! {
        <section class="card" data-testid="push">
            <h2>"Browser push"</h2>
            <p class="muted">"Get your alerts as browser notifications, even with the dashboard closed."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(s) => {
                            let key = s.public_key.clone();
                            let enable = move |_| {
                                #[cfg(feature = "hydrate")]
                                {
                                    let key = key.clone();
                                    leptos::task::spawn_local(async move {
                                        let result = match crate::api::push::browser_subscribe(&key).await {
                                            Ok(json) => crate::api::push::subscribe_push(json)
                                                .await
                                                .map(|_| "Push is on for this browser.".to_owned())
                                                .map_err(|e| e.to_string()),
                                            Err(e) => Err(format!("Push could not be turned on: {e}")),
                                        };
                                        if result.is_ok() {
                                            subscribed.update(|n| *n += 1);
                                        }
                                        message.set(Some(result));
                                    });
                                }
                                #[cfg(not(feature = "hydrate"))]
                                let _ = &key;
                            };
                            view! {
                                <p data-testid="push-count">{match s.endpoints.len() {
                                    0 => "No browser of yours is subscribed.".to_owned(),
                                    1 => "1 browser of yours is subscribed.".to_owned(),
                                    n => format!("{n} browsers of yours are subscribed."),
                                }}</p>
                                <ul class="plain">
                                    {s.endpoints.into_iter().map(|e| {
                                        let host = e.split('/').nth(2).unwrap_or("").to_owned();
                                        view! {
                                            <li>{host} " "
                                                <ActionForm action=unsubscribe attr:class="inline">
                                                    <input type="hidden" name="endpoint" value=e />
                                                    <button type="submit" class="link">"Turn off"</button>
                                                </ActionForm>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <div class="buttons">
                                    <button type="button" on:click=enable>"Enable push on this browser"</button>
                                    <ActionForm action=test attr:class="inline">
                                        <button type="submit">"Send me a test alert"</button>
                                    </ActionForm>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="form-ok">{text}</p> }.into_any(),
                Err(text) => view! { <p class="form-error" role="alert">{text}</p> }.into_any(),
            })}
            <FormResult action=test ok="Test alert sent." />
        </section>
    }
}

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
    // New live alerts bump the bell's counter: the list follows.
    let live = move || bell.map(|BellRefresh(signal)| signal.get()).unwrap_or(0);
    let page = Resource::new(
        move || (before.get(), mark.version().get(), mark_all.version().get(), live()),
        |(before, _, _, _)| list_alerts(before),
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
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
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
        </Transition>
        <PushCard />
    }
}
