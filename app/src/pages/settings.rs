//! `/settings`: ingest behaviour and API keys.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::settings::{CreateApiKey, RevokeApiKey, SetAutoCreateAgents, get_settings};
use crate::components::{Badge, ErrorBox, FormResult};

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let auto = ServerAction::<SetAutoCreateAgents>::new();
    let settings = Resource::new(
        move || (create.version().get(), revoke.version().get(), auto.version().get()),
        |_| get_settings(),
    );
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    Ok(s) => {
                        let can_configure = s.can_configure;
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
                        <section class="card">
                            <h2>"API keys"</h2>
                            <p class="muted">"Send a key as " <code>"Authorization: Bearer <key>"</code> " to " <code>"POST /api/v1/calls"</code> "."</p>
                            {s.new_key.clone().map(|key| view! {
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
                    }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
