//! The agent page's Actions tab: post-call webhooks (signed JSON, Slack, Teams) and
//! scheduled follow-up calls, with test-send, secret rotation and on/off.

use leptos::prelude::*;

use crate::api::actions::{
    ActionItem, DeleteAction, DiscardActionDraft, PublishAction, RestoreActionVersion, RotateActionSecret, SaveAction,
    TestAction, ToggleAction, list_actions,
};
use crate::components::{ConditionEditor, FormResult, LoadedForViewer};

mod row;
use row::ActionRow;

/// Shows a secret once, after creating an action or rotating its secret.
#[component]
fn SecretOnce(secret: String) -> impl IntoView {
    view! {
        <div class="form-ok" role="status" data-testid="signing-secret">
            <p>"Signing secret — copy it now, it is not shown again:"</p>
            <p><code>{secret}</code></p>
            <p class="muted">"Verify requests with any Standard Webhooks library (headers webhook-id, webhook-timestamp, webhook-signature)."</p>
        </div>
    }
}

/// The agent's actions and a form to add one.
#[component]
pub fn ActionsTab(agent_id: String) -> impl IntoView {
    let save = ServerAction::<SaveAction>::new();
    let toggle = ServerAction::<ToggleAction>::new();
    let delete = ServerAction::<DeleteAction>::new();
    let rotate = ServerAction::<RotateActionSecret>::new();
    let test = ServerAction::<TestAction>::new();
    let versions = Versions {
        publish: ServerAction::<PublishAction>::new(),
        discard: ServerAction::<DiscardActionDraft>::new(),
        restore: ServerAction::<RestoreActionVersion>::new(),
    };
    let id = agent_id.clone();
    let list = Resource::new(
        move || {
            (
                id.clone(),
                [save.version().get(), toggle.version().get(), delete.version().get(), rotate.version().get()],
                [versions.publish.version().get(), versions.discard.version().get(), versions.restore.version().get()],
            )
        },
        |(id, ..)| list_actions(id),
    );
    let agent = StoredValue::new(agent_id);
    // After a save the add form starts blank again (its inputs' defaults): the list's
    // re-render may keep the form's DOM, and with it what was typed, such as half a
    // condition row or the other kind's fields.
    let add_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_)))
            && let Some(form) = add_form.get_untracked()
        {
            form.reset();
        }
    });
    view! {
        <p class="muted">"After each call is analysed, these run once: a webhook POSTs the conversation and its analysis (signed JSON, or a Slack / Microsoft Teams message); a scheduled call POSTs a signed callback request to your URL at the follow-up time. Failed requests are retried (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) and then land on the "
            <a href="/deliveries?state=dead">"Deliveries"</a> " page for replay."</p>
        {move || save.value().get().and_then(|r| r.ok()).flatten().map(|secret| view! { <SecretOnce secret=secret /> })}
        {move || rotate.value().get().and_then(|r| r.ok()).map(|secret| view! { <SecretOnce secret=secret /> })}
        <FormResult action=toggle />
        <FormResult action=delete />
        <FormResult action=rotate />
        <FormResult action=test ok="Test request queued: see Deliveries." />
        <FormResult action=versions.publish ok="Published." />
        <FormResult action=versions.discard />
        <FormResult action=versions.restore ok="Copied into the draft: review it and publish." />
        <LoadedForViewer resource=list view=move |data, admin| {
            let choices = Choices { field_names: data.field_names.clone(), end_reasons: data.end_reasons.clone() };
            let rows = match data.items {
                items if items.is_empty() => view! { <p class="muted" data-testid="actions-empty">"No actions yet."</p> }.into_any(),
                items => {
                    let choices = choices.clone();
                    view! {
                        <ul class="actions-list" data-testid="actions">
                            {items.into_iter().map(|a| view! { <ActionRow action=a agent_id=agent.get_value() admin=admin choices=choices.clone() save toggle delete rotate test versions /> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            };
            view! {
                {rows}
                {admin.then(|| view! {
                    <h2>"Add an action"</h2>
                    <ActionForm action=save node_ref=add_form attr:class="form" attr:data-testid="action-form">
                        <FormResult action=save />
                        <input type="hidden" name="agent_id" value=agent.get_value() />
                        <ActionInputs action=None choices=choices.clone() />
                        <div class="buttons">
                            <button type="submit" name="save" value="draft">"Save as draft"</button>
                            <button type="submit" name="save" value="publish" class="primary">"Add and publish"</button>
                        </div>
                    </ActionForm>
                })}
            }.into_any()
        } />
    }
}

/// The condition editor's choices.
#[derive(Clone)]
struct Choices {
    field_names: Vec<String>,
    end_reasons: Vec<String>,
}

/// The draft and version actions.
#[derive(Clone, Copy)]
struct Versions {
    publish: ServerAction<PublishAction>,
    discard: ServerAction<DiscardActionDraft>,
    restore: ServerAction<RestoreActionVersion>,
}

#[component]
fn ActionInputs(action: Option<ActionItem>, choices: Choices) -> impl IntoView {
    let a = action.unwrap_or(ActionItem {
        id: String::new(),
        kind: "webhook".into(),
        name: String::new(),
        enabled: true,
        url: String::new(),
        format: "standard".into(),
        message_template: None,
        method: "POST".into(),
        headers: String::new(),
        secret_headers: Vec::new(),
        auth_kind: "none".into(),
        auth_username: String::new(),
        body_template: None,
        sign: true,
        include_transcript: false,
        condition: None,
        conditions: Default::default(),
        time_field: None,
        fallback_delay_minutes: None,
        disabled_reason: None,
        failing_since: None,
        rotating: false,
        version: 0,
        draft: None,
        versions: Vec::new(),
    });
    let kinds = [("webhook", "Webhook (after analysis)"), ("schedule_call", "Schedule a follow-up call")];
    let formats = [
        ("standard", "Signed JSON (Standard Webhooks)"),
        ("slack", "Slack incoming webhook"),
        ("teams", "Microsoft Teams incoming webhook"),
        ("request", "HTTP request (your method, headers, auth and JSON body)"),
    ];
    let methods = ["POST", "PUT", "PATCH"];
    let auths = [("none", "None"), ("bearer", "Bearer token"), ("basic", "Basic (user name and password)")];
    let stored_secrets = if a.secret_headers.is_empty() {
        String::new()
    } else {
        format!(
            "Stored: {}. Leave empty to keep them; anything written here replaces them.",
            a.secret_headers.join(", ")
        )
    };
    view! {
        <input type="hidden" name="id" value=a.id.clone() />
        <label>"Kind"
            <select name="kind">
                {kinds.into_iter().map(|(v, l)| view! { <option value=v selected=a.kind == v>{l}</option> }).collect_view()}
            </select>
        </label>
        <label>"Name" <input type="text" name="name" required maxlength="120" value=a.name.clone() placeholder="CRM sync" /></label>
        <label>"URL" <input type="url" name="url" required maxlength="2000" value=a.url.clone() placeholder="https://example.com/hooks/aftercall" /></label>
        <label>"Format (webhooks)"
            <select name="format">
                {formats.into_iter().map(|(v, l)| view! { <option value=v selected=a.format == v>{l}</option> }).collect_view()}
            </select>
        </label>
        <label>"Message (Slack / Teams; the email variables work here)"
            <textarea name="message_template" rows="3" placeholder="Call from {{ customer_number }}: {{ conversation_summary }} {{ conversation_url }}">{a.message_template.clone().unwrap_or_default()}</textarea>
        </label>
        <label class="check"><input type="checkbox" name="include_transcript" checked=a.include_transcript />" Include the transcript in signed JSON"</label>
        <fieldset data-testid="request-fields">
            <legend>"HTTP request (format: HTTP request)"</legend>
            <label>"Method"
                <select name="method">
                    {methods.into_iter().map(|m| view! { <option value=m selected=a.method == m>{m}</option> }).collect_view()}
                </select>
            </label>
            <label>"Headers, one per line (Name: value)"
                <textarea name="headers" rows="2" placeholder="X-Source: aftercall">{a.headers.clone()}</textarea>
            </label>
            <label>"Secret headers, one per line (stored encrypted, never shown again)"
                <textarea name="secret_headers" rows="2" autocomplete="off" placeholder="X-Api-Key: your key"></textarea>
            </label>
            <p class="muted">{stored_secrets}</p>
            <label>"Auth"
                <select name="auth_kind">
                    {auths.into_iter().map(|(v, l)| view! { <option value=v selected=a.auth_kind == v>{l}</option> }).collect_view()}
                </select>
            </label>
            <label>"Bearer token (empty keeps the stored one)" <input type="password" name="auth_token" autocomplete="off" /></label>
            <label>"User name (Basic)" <input type="text" name="auth_username" value=a.auth_username.clone() /></label>
            <label>"Password (Basic; empty keeps the stored one)" <input type="password" name="auth_password" autocomplete="off" /></label>
            <label>"JSON body (the email variables and analysis; every {{ value }} is written as JSON, so no quotes around it)"
                <textarea name="body_template" rows="6" placeholder=r#"{"phone": {{ customer_number }}, "summary": {{ conversation_summary }}, "total": {{ analysis.fields.order_total }}}"#>{a.body_template.clone().unwrap_or_default()}</textarea>
            </label>
            <label class="check"><input type="checkbox" name="sign" checked=a.sign />" Sign with Standard Webhooks headers"</label>
        </fieldset>
        <fieldset data-testid="action-condition">
            <legend>"Only when (optional; no rows = after every call)"</legend>
            <ConditionEditor form=a.conditions.clone() field_names=choices.field_names end_reasons=choices.end_reasons id=format!("action-{}", a.id) />
        </fieldset>
        <fieldset class="inline-fields">
            <legend>"Follow-up time (scheduled calls)"</legend>
            <label>"Time field (ISO date-time)" <input type="text" name="time_field" value=a.time_field.clone().unwrap_or_default() placeholder="callback_time" /></label>
            <label>"Fallback delay (minutes)" <input type="number" name="fallback_delay_minutes" min="0" max="525600" value=a.fallback_delay_minutes.map(|m| m.to_string()).unwrap_or_default() /></label>
        </fieldset>
        <label class="check"><input type="checkbox" name="enabled" checked=a.enabled />" Enabled"</label>
    }
}
