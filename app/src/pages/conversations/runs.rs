//! The notification runs tab and the follow-up tab (post-call actions and scheduled calls of this conversation).

#[allow(unused_imports)]
use super::*;

#[component]
pub(crate) fn RunsTab(runs: Vec<RunView>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p class="muted">"No notification applied to this call (or the analysis has not run yet)."</p> }.into_any();
    }
    view! {
        <ul class="runs" data-testid="runs">
            {runs.into_iter().map(|r| {
                let class = if r.fired { "run fired" } else if r.unknown { "run unknown" } else { "run" };
                let badge = if r.fired { "fired" } else if r.unknown { "unknown" } else { "not fired" };
                let link = r.notification_id.clone().map(|id| format!("/notifications/{id}"));
                view! {
                    <li class=class>
                        <div class="run-head">
                            <Badge text=badge />
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
pub(crate) fn FollowUpTab(conversation: String) -> impl IntoView {
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
        <Loaded resource=calls view=move |value| match value {
            list if list.is_empty() => view! { <p class="muted">"No follow-up call scheduled."</p> }.into_any(),
            list => view! {
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
        } />
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
        <Loaded resource=deliveries view=move |value| match value {
            page if page.items.is_empty() => view! { <p class="muted">"Nothing was sent for this call."</p> }.into_any(),
            page => view! { <crate::pages::deliveries::DeliveryTable items=page.items replay=replay /> }.into_any(),
        } />
    }
}
