//! `/conversations` (newest first, keyset pagination) and `/conversations/:id` with the
//! Transcript, AI Analysis and Notifications tabs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{path_param, query_param};
use crate::api::conversations::{
    AnalysisView, ConversationFilters, ConversationView, PlatformAnalysisView, ReanalyzeConversation, RunView,
    conversation_filter_options, get_conversation, list_conversations,
};
use crate::components::{Badge, ErrorBox, FormResult, Loaded, Pager, TabPanel};

mod detail;
pub use detail::*;
mod analysis;
use analysis::*;
mod runs;
use runs::*;

/// The list, with filters (a plain GET form) and a CSV export of the filtered rows.
#[component]
pub fn ConversationsPage() -> impl IntoView {
    let before = query_param("before");
    let agent = query_param("agent");
    let from = query_param("from");
    let to = query_param("to");
    let end_reason = query_param("end_reason");
    let fired = query_param("fired");
    let q = query_param("q");
    let filters = Memo::new(move |_| ConversationFilters {
        agent: agent.get(),
        from: from.get(),
        to: to.get(),
        end_reason: end_reason.get(),
        fired: fired.get(),
        q: q.get(),
    });
    let options = Resource::new(|| (), |_| conversation_filter_options());
    let page =
        Resource::new(move || (before.get(), filters.get()), |(before, filters)| list_conversations(before, filters));
    view! {
        <Title text="Conversations" />
        <div class="row-between">
            <h1>"Conversations"</h1>
            <a class="button" data-testid="export-csv" rel="external" download=""
                href=move || { let q = filters.get().query(); if q.is_empty() { "/conversations/export.csv".to_owned() } else { format!("/conversations/export.csv?{q}") } }>
                "Export CSV"
            </a>
        </div>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let opts = options.await.unwrap_or(crate::api::conversations::FilterOptions { agents: Vec::new(), end_reasons: Vec::new() });
                let f = filters.get_untracked();
                let agent_now = f.agent.clone().unwrap_or_default();
                let reason_now = f.end_reason.clone().unwrap_or_default();
                let fired_now = f.fired.clone().unwrap_or_default();
                view! {
                    <form method="get" action="/conversations" class="filters wrap" data-testid="conversation-filters">
                        <label>"Search" <input type="search" name="q" value=f.q.clone().unwrap_or_default() placeholder="words, number, name" /></label>
                        <label>"Agent"
                            <select name="agent">
                                <option value="" selected=agent_now.is_empty()>"All"</option>
                                {opts.agents.iter().map(|(id, name)| view! { <option value=id.clone() selected=*id == agent_now>{name.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"From" <input type="date" name="from" value=f.from.clone().unwrap_or_default() /></label>
                        <label>"To" <input type="date" name="to" value=f.to.clone().unwrap_or_default() /></label>
                        <label>"End reason"
                            <select name="end_reason">
                                <option value="" selected=reason_now.is_empty()>"Any"</option>
                                {opts.end_reasons.iter().map(|r| view! { <option value=r.clone() selected=*r == reason_now>{r.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"Notification fired"
                            <select name="fired">
                                {[("", "Either"), ("yes", "Yes"), ("no", "No")].into_iter().map(|(v, l)| view! { <option value=v selected=fired_now == v>{l}</option> }).collect_view()}
                            </select>
                        </label>
                        <button type="submit">"Filter"</button>
                        <a href="/conversations">"Clear"</a>
                    </form>
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let filtered = !filters.get_untracked().query().is_empty();
                match page.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(page) if page.items.is_empty() && filtered => view! { <p class="empty card">"No conversations match these filters."</p> }.into_any(),
                    Ok(page) if page.items.is_empty() && before.get_untracked().is_none() => view! {
                        <div class="empty card">
                            <p>"No calls yet. Point your voice platform's call-ended webhook at "
                               <code>"POST /api/v1/calls"</code> " with an API key from "
                               <a href="/settings">"Settings"</a> ", or replay a folder of events with "
                               <code>"aftercall replay"</code> "."</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let query = filters.get_untracked().query();
                        let base = if query.is_empty() { "/conversations".to_owned() } else { format!("/conversations?{query}") };
                        view! {
                        <table class="list" data-testid="conversations">
                            <thead><tr>
                                <th>"When"</th><th>"Agent"</th><th>"Customer"</th><th>"Duration"</th>
                                <th>"End reason"</th><th>"Turns"</th><th>"Fired"</th>
                            </tr></thead>
                            <tbody>
                                {page.items.into_iter().map(|c| {
                                    let href = format!("/conversations/{}", c.id);
                                    let who = if c.customer.is_empty() { c.call_id.clone() } else { c.customer.clone() };
                                    view! {
                                        <tr>
                                            <td><a href=href.clone()>{c.when}</a></td>
                                            <td>{c.agent_name}</td>
                                            <td title=c.call_id.clone()>{who}</td>
                                            <td class="num">{c.duration}</td>
                                            <td><Badge text=c.end_reason /></td>
                                            <td class="num">{c.turns}</td>
                                            <td class="num">{if c.analysed { c.fired.to_string() } else { "…".to_owned() }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager base=base next=page.next has_previous=before.get_untracked().is_some() />
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
