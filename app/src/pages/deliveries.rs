//! `/deliveries`: every email and webhook across the account, filterable by state, with
//! replay of dead letters; `/deliveries/:channel/:id`: one delivery's request and every
//! attempt with the server's answer.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{path_param, query_param};
use crate::api::deliveries::{DeliveryItem, ReplayDelivery, get_delivery, list_deliveries};
use crate::components::{Badge, FormResult, Loaded, Pager};

/// A table of deliveries with replay buttons on dead ones.
#[component]
pub fn DeliveryTable(items: Vec<DeliveryItem>, replay: ServerAction<ReplayDelivery>) -> impl IntoView {
    view! {
        <table class="list" data-testid="deliveries">
            <thead><tr><th>"Kind"</th><th>"What"</th><th>"To"</th><th>"State"</th><th>"Attempts"</th><th>"Last result"</th><th>"Created"</th><th></th></tr></thead>
            <tbody>
                {items.into_iter().map(|d| {
                    let href = format!("/deliveries/{}/{}", d.channel, d.id);
                    let last = match (d.last_status, d.last_error.clone()) {
                        (Some(s), _) => format!("HTTP {s}"),
                        (None, Some(e)) => e,
                        (None, None) => "—".into(),
                    };
                    view! {
                        <tr data-testid="delivery" data-state=d.state.clone()>
                            <td><Badge text=d.channel.clone() /></td>
                            <td><a href=href>{d.title.clone()}</a>
                                {d.conversation_id.clone().map(|c| view! { " · " <a href=format!("/conversations/{c}")>"conversation"</a> })}
                            </td>
                            <td class="clip"><code>{d.target.clone()}</code></td>
                            <td><Badge text=d.state.clone() /></td>
                            <td>{d.attempts}</td>
                            <td class="clip">{last}</td>
                            <td>{d.created.clone()}</td>
                            <td>{d.dead.then(|| view! {
                                <ActionForm action=replay attr:class="inline">
                                    <input type="hidden" name="channel" value=d.channel.clone() />
                                    <input type="hidden" name="id" value=d.id.clone() />
                                    <button type="submit" data-testid="replay">"Replay"</button>
                                </ActionForm>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The Deliveries page.
#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let state = query_param("state");
    let before = query_param("before");
    let replay = ServerAction::<ReplayDelivery>::new();
    let page = Resource::new(
        move || (state.get(), before.get(), replay.version().get()),
        |(s, b, _)| list_deliveries(s, None, b),
    );
    let filters =
        [("", "All"), ("pending", "Pending"), ("retrying", "Retrying"), ("delivered", "Delivered"), ("dead", "Dead")];
    view! {
        <Title text="Deliveries" />
        <h1>"Deliveries"</h1>
        <p class="muted">"Every email and webhook, with each attempt and the server's answer. Dead letters (permanent failures or exhausted retries) can be replayed; they keep their Message-ID or webhook-id."</p>
        <nav class="tabs">
            {filters.into_iter().map(|(key, label)| {
                let href = if key.is_empty() { "/deliveries".to_owned() } else { format!("/deliveries?state={key}") };
                let class = move || if state.get().unwrap_or_default() == key { "tab active" } else { "tab" };
                view! { <a href=href class=class data-testid=format!("filter-{}", if key.is_empty() { "all" } else { key })>{label}</a> }
            }).collect_view()}
        </nav>
        <FormResult action=replay ok="Replay queued." />
        <Loaded resource=page view=move |value| match value {
            page if page.items.is_empty() => view! { <p class="empty card">"No deliveries here."</p> }.into_any(),
            page => {
                let base = state.get_untracked().map(|s| format!("/deliveries?state={s}")).unwrap_or_else(|| "/deliveries".into());
                view! {
                    <DeliveryTable items=page.items replay=replay />
                    <Pager base=base next=page.next has_previous=before.get_untracked().is_some() />
                }.into_any()
            }
        } />
    }
}

/// One delivery and its attempts.
#[component]
pub fn DeliveryPage() -> impl IntoView {
    let channel = path_param("channel");
    let id = path_param("id");
    let replay = ServerAction::<ReplayDelivery>::new();
    let detail =
        Resource::new(move || (channel.get(), id.get(), replay.version().get()), |(c, i, _)| get_delivery(c, i));
    view! {
        <Title text="Delivery" />
        <p><a href="/deliveries">"← Deliveries"</a></p>
        <FormResult action=replay ok="Replay queued." />
        <Loaded resource=detail view=move |d| {
            let item = d.delivery.clone();
            let id_label = if item.channel == "email" { "Message-ID" } else { "webhook-id" };
            view! {
                <h1>{item.title.clone()}</h1>
                <dl class="facts" data-testid="delivery-facts">
                    <dt>"State"</dt><dd><Badge text=item.state.clone() /></dd>
                    <dt>"To"</dt><dd><code>{item.target.clone()}</code></dd>
                    <dt>{id_label}</dt><dd><code>{d.message_id.clone()}</code></dd>
                    <dt>"Attempts"</dt><dd>{item.attempts}</dd>
                    {item.conversation_id.clone().map(|c| view! { <dt>"Conversation"</dt><dd><a href=format!("/conversations/{c}")>{c.clone()}</a></dd> })}
                </dl>
                {item.dead.then(|| view! {
                    <ActionForm action=replay attr:class="inline">
                        <input type="hidden" name="channel" value=item.channel.clone() />
                        <input type="hidden" name="id" value=item.id.clone() />
                        <button type="submit" class="primary" data-testid="replay">"Replay"</button>
                    </ActionForm>
                })}
                {d.body.clone().map(|b| view! { <h2>"Body"</h2><pre class="code" data-testid="delivery-body">{b}</pre> })}
                <h2>"Attempts"</h2>
                {if d.attempts.is_empty() {
                    view! { <p class="muted">"Not attempted yet."</p> }.into_any()
                } else {
                    view! {
                        <ol class="attempts" data-testid="attempts">
                            {d.attempts.into_iter().map(|a| view! {
                                <li class="card">
                                    <div class="row-between">
                                        <strong>{format!("#{} · {}", a.number, a.at)}</strong>
                                        <span><Badge text=a.outcome.clone() />{a.status_code.map(|s| format!(" {s}"))}{format!(" · {} ms", a.duration_ms)}</span>
                                    </div>
                                    {a.error.clone().map(|e| view! { <p class="form-error">{e}</p> })}
                                    <details>
                                        <summary>"Request and response"</summary>
                                        <pre class="code">{a.request.clone()}</pre>
                                        <pre class="code" data-testid="attempt-response">{a.response.clone().unwrap_or_else(|| "(no response)".into())}</pre>
                                    </details>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            }.into_any()
        } />
    }
}
