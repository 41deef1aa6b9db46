//! `/settings`: ingest behaviour, platform integrations, AI analysis, API keys and (for
//! admins) the audit log.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::settings::{
    CreateApiKey, RevokeApiKey, SaveAnalyzer, SetAutoCreateAgents, SetInboundSigning, get_settings, list_audit,
};
use crate::components::{Badge, FormResult, Loaded};

mod integrations;
use integrations::{Integrations, IntegrationsData};

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let auto = ServerAction::<SetAutoCreateAgents>::new();
    let analyzer = ServerAction::<SaveAnalyzer>::new();
    let signing = ServerAction::<SetInboundSigning>::new();
    let settings = Resource::new(
        move || {
            (
                create.version().get(),
                revoke.version().get(),
                auto.version().get(),
                analyzer.version().get(),
                signing.version().get(),
            )
        },
        |_| get_settings(),
    );
    // The cards' own data, created here rather than inside the cards: they render inside
    // `settings`' `Suspend`, where a resource would be fetched twice during SSR.
    let integrations = IntegrationsData::new();
    let audit_before = super::query_param("audit_before");
    let audit = Resource::new(move || audit_before.get(), list_audit);
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <Loaded resource=settings view=move |s| {
            let can_configure = s.can_configure;
            let flash = s.new_key.clone();
            view! {
            <section class="card">
                <h2>"Account"</h2>
                <p>{s.account_name.clone()}</p>
                <p class="muted">{if s.smtp_configured { "Emails are sent through the configured SMTP server." } else { "No SMTP server is configured: emails stay in the Outbox." }}</p>
                <ActionForm action=auto attr:class="form">
                    <fieldset disabled=!s.can_configure>
                        <label class="check"><input type="checkbox" name="enabled" checked=s.auto_create_agents />
                            " Create an agent automatically when a call names an unknown agent_id (otherwise such calls get 404)"</label>
                        <button type="submit">"Save"</button>
                    </fieldset>
                </ActionForm>
                <FormResult action=auto ok="Saved." />
            </section>
            <section class="card" data-testid="inbound-signing">
                <h2>"Signed calls"</h2>
                <p class="muted">"When on, POST /api/v1/calls must also carry Standard Webhooks headers (webhook-id, webhook-timestamp within 5 minutes, webhook-signature) made with this account's secret; unsigned or altered requests get 401 and nothing is stored."</p>
                <p>{if s.inbound_signing { "Signing is required." } else { "Signing is off: the API key alone authenticates." }}</p>
                {move || signing.value().get().and_then(|r| r.ok()).flatten().map(|secret| view! {
                    <div class="form-ok" role="status" data-testid="inbound-secret">
                        <p>"Signing secret — copy it now, it is not shown again:"</p>
                        <p><code>{secret}</code></p>
                    </div>
                })}
                <FormResult action=signing />
                <div class="buttons">
                    <ActionForm action=signing attr:class="inline">
                        <input type="hidden" name="enable" value="true" />
                        <button type="submit" disabled=!can_configure>{if s.inbound_signing { "Generate a new secret" } else { "Require signed calls" }}</button>
                    </ActionForm>
                    {s.inbound_signing.then(|| view! {
                        <ActionForm action=signing attr:class="inline">
                            <input type="hidden" name="enable" value="false" />
                            <button type="submit" class="danger" disabled=!can_configure>"Turn off"</button>
                        </ActionForm>
                    })}
                </div>
            </section>
            {can_configure.then(|| view! { <Integrations data=integrations /> })}
            <section class="card" data-testid="analyzer-settings">
                <h2>"AI analysis"</h2>
                <p class="muted">"Built-in (offline) needs no network. An OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp server) is asked once per call with a JSON schema; its key is stored on the server and never shown again."</p>
                <ActionForm action=analyzer attr:class="form">
                    <fieldset disabled=!can_configure>
                        <label>"Analyzer"
                            <select name="provider">
                                <option value="builtin" selected=s.analyzer.provider == "builtin">"Built-in (offline)"</option>
                                <option value="openai" selected=s.analyzer.provider == "openai">"OpenAI-compatible"</option>
                            </select>
                        </label>
                        <label>"Base URL" <input type="text" name="base_url" value=s.analyzer.base_url.clone() placeholder="https://api.openai.com/v1" /></label>
                        <label>"Model" <input type="text" name="model" value=s.analyzer.model.clone() placeholder="gpt-4o-mini" /></label>
                        <label>{if s.analyzer.has_api_key { "API key (one is stored; leave empty to keep it)" } else { "API key" }}
                            // Cleared after each save: a key is never shown again.
                            <input type="password" name="api_key" autocomplete="off" prop:value=move || { analyzer.version().get(); String::new() } />
                        </label>
                        {s.analyzer.has_api_key.then(|| view! { <label class="check"><input type="checkbox" name="clear_api_key" /> " Forget the stored key"</label> })}
                        <label>"Timeout (seconds)" <input type="text" name="timeout_secs" value=s.analyzer.timeout_secs.to_string() inputmode="numeric" /></label>
                        <button type="submit">"Save analyzer"</button>
                    </fieldset>
                </ActionForm>
                <FormResult action=analyzer ok="Saved." />
            </section>
            <section class="card">
                <h2>"API keys"</h2>
                <p class="muted">"Send a key as " <code>"Authorization: Bearer <key>"</code> " to " <code>"POST /api/v1/calls"</code> " and the rest of the integrator API. The "
                    // Served by the server outside the app's routes: a full page load.
                    <a href="/api-docs/" rel="external" data-testid="api-reference">"API reference"</a>
                    " documents every route, and its "
                    <a href="/api/v1/openapi.json" rel="external">"OpenAPI 3.1 document"</a>
                    " generates clients."</p>
                // The key the create action just answered with (JavaScript on) or,
                // after a plain form post, the one-time flash the page was rendered with:
                // shown without waiting for the list to reload.
                {move || create.value().get().and_then(|r| r.ok()).or_else(|| flash.clone()).map(|key| view! {
                    <div class="new-key" role="status">
                        <p><strong>"Your new key. Copy it now: it is shown only once."</strong></p>
                        <code data-testid="new-api-key">{key}</code>
                    </div>
                })}
                <table class="list" data-testid="api-keys">
                    <thead><tr><th>"Name"</th><th>"Key"</th><th>"Created"</th><th>"Last used"</th><th>"State"</th><th></th></tr></thead>
                    <tbody>
                        {s.keys.clone().into_iter().map(|k| view! {
                            <tr>
                                <td>{k.name.clone()}</td>
                                <td><code>{format!("{}…", k.prefix)}</code></td>
                                <td>{k.created.clone()}</td>
                                <td>{k.last_used.clone().unwrap_or_else(|| "never".into())}</td>
                                <td><Badge text=if k.revoked.is_some() { "revoked" } else { "active" } /></td>
                                <td>{(k.revoked.is_none() && can_configure).then(|| view! {
                                    <ActionForm action=revoke attr:class="inline">
                                        <input type="hidden" name="id" value=k.id.clone() />
                                        <button type="submit" class="danger">"Revoke"</button>
                                    </ActionForm>
                                })}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <ActionForm action=create attr:class="form inline-form">
                    <fieldset disabled=!s.can_configure>
                        <label>"New key name" <input type="text" name="name" required maxlength="80" placeholder="e.g. Production voice platform" /></label>
                        <button type="submit" class="primary">"Create key"</button>
                    </fieldset>
                </ActionForm>
                <FormResult action=create />
                <FormResult action=revoke />
            </section>
            {can_configure.then(|| view! { <AuditLog page=audit /> })}
        }.into_any()
        } />
    }
}

/// The audit log card (owners and admins): who changed what, newest first.
#[component]
fn AuditLog(
    page: Resource<Result<crate::api::Page<crate::api::settings::AuditItem>, crate::error::AppError>>,
) -> impl IntoView {
    view! {
        <section class="card" data-testid="audit-log">
            <h2>"Audit log"</h2>
            <p class="muted">"Every change of this account's configuration: notifications and actions published, turned on or off and deleted, secrets rotated, members invited, re-roled and removed, API keys, platform integrations, settings."</p>
            <Loaded resource=page view=move |value| match value {
                p if p.items.is_empty() => view! { <p class="muted">"Nothing has been changed yet."</p> }.into_any(),
                p => view! {
                    <table class="list">
                        <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Details"</th></tr></thead>
                        <tbody>
                            {p.items.into_iter().map(|e| view! {
                                <tr><td>{e.at}</td><td>{e.actor}</td><td><code>{e.action}</code></td><td>{e.detail}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {p.next.map(|cursor| view! { <nav class="pager"><a href=format!("/settings?audit_before={cursor}")>"Older →"</a></nav> })}
                }.into_any(),
            } />
        </section>
    }
}
