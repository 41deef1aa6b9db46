//! The editor form's sections: when a notification fires (trigger question and structured
//! conditions), who gets the email (fixed recipients and routes), and what else happens
//! (team alert and task).

#[allow(unused_imports)]
use super::*;
use crate::api::notifications::{Choice, NotificationFormData};
use crate::components::ConditionEditor;

/// "When should it fire?": always or a trigger question, and the structured conditions (the
/// one condition editor).
#[component]
pub(super) fn TriggerSection(
    f: NotificationFormData,
    end_reasons: Vec<String>,
    field_names: Vec<String>,
    always: RwSignal<bool>,
    /// How the account's analyzer reads the stored question.
    reading: String,
) -> impl IntoView {
    let has_conditions = !(f.conditions.rows.is_empty() && f.conditions.json.is_empty());
    // The reading follows the question 300 ms after typing stops.
    let reading = RwSignal::new(reading);
    #[cfg(feature = "hydrate")]
    let question = RwSignal::new(f.condition.clone());
    #[cfg(feature = "hydrate")]
    {
        use crate::components::follow::{debounced, follow};
        let typed = debounced(move || question.get(), std::time::Duration::from_millis(300));
        follow(
            move || typed.get(),
            reading,
            |question| async move {
                crate::api::notifications::read_trigger_question(question).await.unwrap_or_else(|e| e.to_string())
            },
        );
    }
    view! {
        <h2>"When should it fire?"</h2>
        <label class="check"><input type="radio" name="trigger_mode" value="always" checked=f.always on:change=move |_| always.set(true) /> "Always send, after every call"</label>
        <label class="check"><input type="radio" name="trigger_mode" value="condition" checked=!f.always on:change=move |_| always.set(false) /> "When the AI judges this condition true:"</label>
        <textarea name="condition" rows="2" maxlength="1000" aria-label="Trigger question" placeholder="Did the customer ask to be called back?" class:dim=move || always.get()
            on:input=move |_ev| {
                #[cfg(feature = "hydrate")]
                question.set(event_target_value(&_ev));
            }>{f.condition.clone()}</textarea>
        <p class="muted small" data-testid="trigger-reading" class:dim=move || always.get()>{move || reading.get()}</p>
        <details class="conditions" open=has_conditions>
            <summary>"Only when… (structured conditions)"</summary>
            <ConditionEditor form=f.conditions.clone() field_names=field_names end_reasons=end_reasons id="notification" />
        </details>
    }
}

/// "Who gets the email?": fixed recipients, and routes the analyzer chooses among (two empty
/// rows beyond the stored ones, at most 20).
#[component]
pub(super) fn RecipientsSection(f: NotificationFormData) -> impl IntoView {
    view! {
        <h2>"Who gets the email?"</h2>
        <label>"Recipients (one address per line; leave empty for no email)"
            <textarea name="recipients" rows="3" placeholder="support@example.com">{f.recipients.clone()}</textarea>
        </label>
        <details class="routes" open=!f.routes.is_empty()>
            <summary>"Route by what was said (optional)"</summary>
            <p class="muted">"The AI picks the first route whose condition holds for the call and emails its addresses, else the “otherwise” addresses. It can only choose among these; nothing said in a call can add an address."</p>
            {(0..(f.routes.len() + 2).min(20)).map(|i| {
                let (when, to) = f.routes.get(i).cloned().unwrap_or_default();
                view! {
                    <div class="route-row">
                        <label>{format!("Route {} — when", i + 1)} <input type="text" name=format!("route_when[{i}]") value=when maxlength="500" placeholder="The caller asks about an invoice" /></label>
                        <label>"email" <input type="text" name=format!("route_to[{i}]") value=to placeholder="billing@example.com" /></label>
                    </div>
                }
            }).collect_view()}
            <label>"Otherwise email" <input type="text" name="otherwise" value=f.otherwise.clone() placeholder="front-desk@example.com" /></label>
        </details>
        <fieldset class="inline-fields" data-testid="digest">
            <legend>"When is it sent?"</legend>
            <label>"Send"
                <select name="digest_every">
                    {[("each", "an email after each call"), ("daily", "a daily digest"), ("hourly", "an hourly digest")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=f.digest_every == v>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"at (daily 08:00, hourly :15)" <input type="text" name="digest_at" value=f.digest_at.clone() placeholder="08:00" maxlength="5" /></label>
            <label>"time zone (empty = the agent's)" <input type="text" name="digest_time_zone" value=f.digest_time_zone.clone() placeholder="Europe/Paris" maxlength="64" /></label>
        </fieldset>
        <p class="muted">"A digest goes to the recipients above once per period: the calls, notifications fired, goal results, open tasks by priority, and the calls this notification fired on, with links."</p>
    }
}

/// "What else should happen?": the team alert (off, all, selected members) and the task
/// (priority, assignee, due delay).
#[component]
pub(super) fn FollowUpSection(
    f: NotificationFormData,
    members: Vec<Choice>,
    team: RwSignal<String>,
    task: RwSignal<String>,
) -> impl IntoView {
    let selected = f.alert_members.clone();
    view! {
        <h2>"What else should happen?"</h2>
        <label>"Team alert"
            <select name="team_alert" on:change=move |ev| team.set(event_target_value(&ev))>
                <option value="off" selected=f.team_alert == "off">"Off"</option>
                <option value="all" selected=f.team_alert == "all">"All members"</option>
                <option value="selected" selected=f.team_alert == "selected">"Selected members"</option>
            </select>
        </label>
        <div class="members" class:dim=move || team.get() != "selected">
            {members.iter().enumerate().map(|(i, m)| view! {
                <label class="check"><input type="checkbox" name=format!("alert_members[{i}]") value=m.value.clone() checked=selected.contains(&m.value) /> {m.label.clone()}</label>
            }).collect_view()}
        </div>
        <div class="cond-grid">
            <label>"Task"
                <select name="task" on:change=move |ev| task.set(event_target_value(&ev))>
                    {[("off", "No task"), ("low", "Low priority"), ("medium", "Medium priority"), ("high", "High priority"), ("urgent", "Urgent")].into_iter().map(|(v, label)| view! {
                        <option value=v selected=f.task == v>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class:dim=move || task.get() == "off">"Assign the task to"
                <select name="task_assignee">
                    <option value="" selected=f.task_assignee.is_empty()>"Nobody (the team)"</option>
                    {members.iter().map(|m| view! {
                        <option value=m.value.clone() selected=m.value == f.task_assignee>{m.label.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class:dim=move || task.get() == "off">"Due after (hours)"
                <input type="text" inputmode="numeric" name="task_due_hours" value=f.task_due_hours.clone() placeholder="e.g. 24" />
            </label>
        </div>
    }
}
