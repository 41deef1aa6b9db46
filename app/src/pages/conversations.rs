//! `/conversations` (newest first, keyset pagination) and `/conversations/:id` with the
//! Transcript, AI Analysis and Notifications tabs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{path_param, query_param};
use crate::api::conversations::{
    AnalysisView, ConversationFilters, ConversationView, ReanalyzeConversation, RunView, conversation_filter_options,
    get_conversation, list_conversations,
};
use crate::components::{Badge, ErrorBox, FormResult, Pager};

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

/// One conversation.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let id = path_param("id");
    let tab = query_param("tab");
    let data = Resource::new(move || id.get(), get_conversation);
    view! {
        <Title text="Conversation" />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(c) => {
                        let current = tab.get().unwrap_or_else(|| "transcript".to_owned());
                        view! { <Conversation c=c tab=current /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Conversation(c: ConversationView, tab: String) -> impl IntoView {
    let base = format!("/conversations/{}", c.id);
    let tabs = [
        ("transcript", "Transcript"),
        ("analysis", "AI Analysis"),
        ("notifications", "Notifications"),
        ("followup", "Deliveries & follow-up"),
    ];
    let fired = c.runs.iter().filter(|r| r.fired).count();
    view! {
        <div class="conv-head">
            <h1>{c.agent_name.clone()} <span class="muted">" · " {c.when.clone()}</span></h1>
            <dl class="facts">
                <dt>"Call id"</dt><dd><code>{c.call_id.clone()}</code></dd>
                <dt>"Duration"</dt><dd>{if c.duration.is_empty() { "—".to_owned() } else { c.duration.clone() }}</dd>
                <dt>"End reason"</dt><dd><Badge text=c.end_reason.clone() />
                    {c.end_reason_raw.clone().map(|r| view! { <span class="muted">" (sent as “" {r} "”)"</span> })}</dd>
                <dt>"Direction"</dt><dd>{c.direction.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"From"</dt><dd>{c.from_number.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"To"</dt><dd>{c.to_number.clone().unwrap_or_else(|| "—".into())}</dd>
                {c.customer_name.clone().map(|n| view! { <dt>"Customer"</dt><dd>{n}</dd> })}
                {c.customer_email.clone().map(|e| view! { <dt>"Email"</dt><dd>{e}</dd> })}
                {c.status.clone().map(|s| view! { <dt>"Status"</dt><dd>{s}</dd> })}
            </dl>
        </div>
        <nav class="tabs" role="tablist">
            {tabs.into_iter().map(|(key, label)| {
                let class = if key == tab { "tab active" } else { "tab" };
                let href = format!("{base}?tab={key}");
                let label = if key == "notifications" { format!("{label} ({fired})") } else { label.to_owned() };
                view! { <A href=href attr:class=class attr:role="tab" attr:data-testid=format!("tab-{key}")>{label}</A> }
            }).collect_view()}
        </nav>
        <section class="tab-panel card">
            {match tab.as_str() {
                "analysis" => view! { <AnalysisTab analysis=c.analysis.clone() dynamic=c.dynamic_variables.clone() timezone=c.timezone.clone() conversation=c.id.clone() /> }.into_any(),
                "notifications" => view! { <RunsTab runs=c.runs.clone() /> }.into_any(),
                "followup" => view! { <FollowUpTab conversation=c.id.clone() /> }.into_any(),
                _ => view! { <TranscriptTab c=c.clone() /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn TranscriptTab(c: ConversationView) -> impl IntoView {
    if c.transcript.is_empty() {
        return view! { <p class="muted">"This call has no transcript."</p> }.into_any();
    }
    view! {
        <ol class="transcript" data-testid="transcript">
            {c.transcript.into_iter().map(|t| {
                let who = if t.role == "agent" { "Agent" } else { "Customer" };
                let class = format!("turn turn-{}", t.role);
                view! {
                    <li class=class>
                        <span class="who">{who}{t.at.map(|a| format!(" · {a}"))}</span>
                        <p>{t.text}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn AnalysisTab(
    analysis: Option<AnalysisView>,
    dynamic: String,
    timezone: String,
    conversation: String,
) -> impl IntoView {
    let Some(a) = analysis else {
        return view! { <p class="muted" data-testid="analysis-pending">"The analysis has not run yet; it starts within seconds of the call arriving."</p> }.into_any();
    };
    let rerun = ServerAction::<ReanalyzeConversation>::new();
    view! {
        <div data-testid="analysis">
            <div class="row-between">
                <p class="muted">{a.reanalysed.clone().map(|t| format!("Re-analysed {t}.")).unwrap_or_default()}</p>
                <ActionForm action=rerun attr:class="inline">
                    <input type="hidden" name="id" value=conversation.clone() />
                    <button type="submit" data-testid="rerun">"Re-run analysis"</button>
                </ActionForm>
            </div>
            {move || match rerun.value().get() {
                Some(Ok(())) => view! { <p class="form-ok" role="status">"Re-analysis queued: reload in a few seconds. Nothing is sent again."</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
            <dl class="facts">
                <dt>"Analyzer"</dt><dd>{a.analyzer.clone()}</dd>
                <dt>"Status"</dt><dd><Badge text=a.status.clone() /></dd>
                <dt>"Latency"</dt><dd>{format!("{} ms", a.latency_ms)}</dd>
                {a.tokens.clone().map(|t| view! { <dt>"Tokens"</dt><dd>{t}</dd> })}
                <dt>"Analysed"</dt><dd>{a.when.clone()}</dd>
                <dt>"Time zone"</dt><dd>{timezone}</dd>
            </dl>
            {a.error.clone().map(|e| view! { <p class="form-error">"Analysis failed: " {e}</p> })}
            {(a.status == "skipped").then(|| view! { <p class="muted">"Skipped: calls with fewer than 2 turns are not analysed. Always-send notifications still fired."</p> })}
            <h2>"Summary"</h2>
            <p class="summary">{a.summary.clone().unwrap_or_else(|| "—".into())}</p>
            {a.goal.clone().map(|(result, reason)| view! {
                <h2>"Goal"</h2>
                <p data-testid="goal"><Badge text=result /> " " {reason}</p>
            })}
            <h2>"Extracted fields"</h2>
            {if a.fields.is_empty() {
                view! { <p class="muted">"No fields are defined for this agent (Agents → Fields)."</p> }.into_any()
            } else {
                view! {
                    <table class="list" data-testid="fields">
                        <thead><tr><th>"Field"</th><th>"Type"</th><th>"Value"</th><th>"Evidence"</th></tr></thead>
                        <tbody>
                            {a.fields.into_iter().map(|f| view! {
                                <tr>
                                    <td><code>{format!("dyn_{}", f.name)}</code></td>
                                    <td><Badge text=f.kind /></td>
                                    <td>{if f.value.is_empty() { "—".to_owned() } else { f.value }}</td>
                                    <td class="muted">{f.evidence.map(|e| format!("“{e}”")).unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(!a.routes.is_empty()).then(|| view! {
                <h2>"Routing"</h2>
                <ul class="plain" data-testid="routes">
                    {a.routes.clone().into_iter().map(|r| view! {
                        <li><strong>{r.notification}</strong> ": " {r.chosen} " → " {r.to.join(", ")} <span class="muted">" (" {r.reason} ")"</span></li>
                    }).collect_view()}
                </ul>
            })}
            <h2>"Trigger verdicts"</h2>
            {if a.verdicts.is_empty() {
                view! { <p class="muted">"No natural-language triggers were judged for this call."</p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <thead><tr><th>"Notification"</th><th>"Question"</th><th>"Verdict"</th><th>"Reason"</th></tr></thead>
                        <tbody>
                            {a.verdicts.into_iter().map(|v| view! {
                                <tr>
                                    <td>{v.notification}</td>
                                    <td>{v.question}</td>
                                    <td><Badge text=if v.fired { "yes" } else { "no" } /></td>
                                    <td>{v.reason}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(!dynamic.is_empty()).then(|| view! {
                <h2>"Dynamic variables sent with the call"</h2>
                <pre class="code">{dynamic}</pre>
            })}
        </div>
    }
    .into_any()
}

#[component]
fn RunsTab(runs: Vec<RunView>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p class="muted">"No notification applied to this call (or the analysis has not run yet)."</p> }.into_any();
    }
    view! {
        <ul class="runs" data-testid="runs">
            {runs.into_iter().map(|r| {
                let class = if r.fired { "run fired" } else { "run" };
                let link = r.notification_id.clone().map(|id| format!("/notifications/{id}"));
                view! {
                    <li class=class>
                        <div class="run-head">
                            <Badge text=if r.fired { "fired" } else { "not fired" } />
                            {match link {
                                Some(href) => view! { <a href=href><strong>{r.notification.clone()}</strong></a> }.into_any(),
                                None => view! { <strong>{r.notification.clone()}</strong> }.into_any(),
                            }}
                        </div>
                        <p class="reason">{r.reason.clone()}
                            {r.version.map(|v| view! { <span class="muted small">" · version " {v}</span> })}</p>
                        {r.stopped_by.clone().map(|c| view! { <p class="small" data-testid="stopped-by">"Stopped by the condition: " <code>{c}</code></p> })}
                        {(!r.emails.is_empty()).then(|| view! {
                            <p>"Email: " {r.emails.iter().map(|e| view! {
                                <span class="email-line"><Badge text=e.state.clone() /> " to " {e.to.join(", ")}
                                    {e.subject.clone().map(|s| view! { " — “" {s} "”" })}
                                    {e.error.clone().map(|err| view! { <span class="form-error">" " {err}</span> })}
                                </span>
                            }).collect_view()}</p>
                        })}
                        {(!r.alerted.is_empty()).then(|| view! { <p>"Alerted: " {r.alerted.join(", ")}</p> })}
                        {r.tasks.iter().map(|t| view! {
                            <p>"Task: " {t.title.clone()} " " <Badge text=t.priority.clone() /> " " <Badge text=t.status.clone() /></p>
                        }).collect_view()}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Scheduled follow-up calls (cancellable) and every delivery of the conversation, with
/// replay of what is dead.
#[component]
fn FollowUpTab(conversation: String) -> impl IntoView {
    use crate::api::deliveries::{
        CancelScheduledCall, ReplayConversation, ReplayDelivery, list_deliveries, list_scheduled_calls,
    };
    let cancel = ServerAction::<CancelScheduledCall>::new();
    let replay = ServerAction::<ReplayDelivery>::new();
    let replay_all = ServerAction::<ReplayConversation>::new();
    let id = StoredValue::new(conversation);
    let calls = Resource::new(move || (id.get_value(), cancel.version().get()), |(c, _)| list_scheduled_calls(c));
    let deliveries = Resource::new(
        move || (id.get_value(), replay.version().get(), replay_all.version().get()),
        |(c, ..)| list_deliveries(None, Some(c), None),
    );
    view! {
        <h2>"Scheduled calls"</h2>
        <FormResult action=cancel ok="Cancelled." />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match calls.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted">"No follow-up call scheduled."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="list" data-testid="scheduled-calls">
                            <thead><tr><th>"Due"</th><th>"State"</th><th>"Time from"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|call| view! {
                                    <tr data-testid="scheduled-call">
                                        <td>{call.due.clone()}</td>
                                        <td><Badge text=call.state.clone() /></td>
                                        <td>{call.source.clone()}</td>
                                        <td>{(call.state == "scheduled").then(|| view! {
                                            <ActionForm action=cancel attr:class="inline">
                                                <input type="hidden" name="id" value=call.id.clone() />
                                                <button type="submit" class="danger" data-testid="cancel-call">"Cancel"</button>
                                            </ActionForm>
                                        })}
                                        {call.delivery_id.clone().map(|d| view! { <a href=format!("/deliveries/webhook/{d}")>"Callback request"</a> })}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
        <div class="row-between">
            <h2>"Deliveries"</h2>
            <ActionForm action=replay_all attr:class="inline">
                <input type="hidden" name="id" value=id.get_value() />
                <button type="submit" data-testid="replay-conversation">"Replay everything dead"</button>
            </ActionForm>
        </div>
        {move || replay_all.value().get().map(|r| match r {
            Ok(n) => view! { <p class="form-ok">{format!("{n} dead job(s) queued again.")}</p> }.into_any(),
            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
        })}
        <FormResult action=replay ok="Replay queued." />
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match deliveries.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="muted">"Nothing was sent for this call."</p> }.into_any(),
                    Ok(page) => view! { <crate::pages::deliveries::DeliveryTable items=page.items replay=replay /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
