//! The Integrations card of `/settings` (owners and admins): connect Vapi, Retell or
//! ElevenLabs with the platform's signing secret and copy the intake URL into the platform.

use leptos::prelude::*;

use crate::api::integrations::{DisableIntegration, EnableIntegration, list_integrations};
use crate::components::{Badge, FormResult, Loaded, confirm_first};

/// The card's actions and the platform list they reload. The settings page creates them
/// with its own resource, outside its `Loaded`: a resource created inside a `Suspend` is
/// fetched twice during SSR, and the browser may hydrate against the other answer.
#[derive(Clone, Copy)]
pub(super) struct IntegrationsData {
    enable: ServerAction<EnableIntegration>,
    disable: ServerAction<DisableIntegration>,
    platforms: Resource<Result<Vec<crate::api::integrations::PlatformItem>, crate::error::AppError>>,
}

impl IntegrationsData {
    pub(super) fn new() -> Self {
        let enable = ServerAction::<EnableIntegration>::new();
        let disable = ServerAction::<DisableIntegration>::new();
        let platforms =
            Resource::new(move || (enable.version().get(), disable.version().get()), |_| list_integrations());
        Self { enable, disable, platforms }
    }
}

/// The platforms, their intake URLs and the forms to connect them.
#[component]
pub(super) fn Integrations(data: IntegrationsData) -> impl IntoView {
    let IntegrationsData { enable, disable, platforms } = data;
    view! {
        <section class="card" data-testid="integrations">
            <h2>"Integrations"</h2>
            <p class="muted">"Take a voice platform's own end-of-call webhook as it sends it, with no glue code: connect the platform here with its signing secret, then paste the intake URL into the platform as its webhook (server) URL. Requests are checked with the platform's own signature; anything unsigned or altered gets 401 and nothing is stored. The README's \"Connect Vapi\", \"Connect Retell\" and \"Connect ElevenLabs\" give the steps."</p>
            <FormResult action=enable ok="Connected: paste the intake URL into the platform." />
            <FormResult action=disable ok="Disconnected: its intake URL no longer works." />
            <Loaded resource=platforms view=move |items| view! {
                <div class="integrations">
                    {items.into_iter().map(|p| {
                        let connected = p.intake_url.is_some();
                        let (platform, label) = (p.platform.clone(), p.label.clone());
                        let (disable_platform, disable_label) = (platform.clone(), label.clone());
                        let secret_label = format!("{label} secret");
                        let submit = if connected { format!("Replace {label} secret") } else { format!("Connect {label}") };
                        view! {
                            <article class="integration" data-testid=format!("integration-{}", p.platform)>
                                <h3>{p.label.clone()} " " <Badge text=if connected { "connected" } else { "not connected" } /></h3>
                                {p.intake_url.clone().map(|url| view! {
                                    <p>"Intake URL: " <code data-testid=format!("intake-url-{}", p.platform)>{url}</code></p>
                                    <p class="muted">{p.updated.clone().map(|t| format!("Secret set {t}.")).unwrap_or_default()}</p>
                                })}
                                <ActionForm action=enable attr:class="form inline-form">
                                    <input type="hidden" name="platform" value=platform />
                                    <label>{secret_label}
                                        // Cleared after each save: a secret is never shown again.
                                        <input type="password" name="secret" required autocomplete="off" maxlength="500"
                                            prop:value=move || { enable.version().get(); String::new() } />
                                    </label>
                                    <button type="submit" class="primary">{submit}</button>
                                </ActionForm>
                                <p class="muted">{p.secret_hint.clone()}</p>
                                {connected.then(|| view! {
                                    <ActionForm action=disable attr:class="inline">
                                        <input type="hidden" name="platform" value=disable_platform />
                                        <button type="submit" class="danger" on:click=confirm_first("Disconnect this platform? Its intake URL stops working at once.")>{format!("Disconnect {disable_label}")}</button>
                                    </ActionForm>
                                })}
                            </article>
                        }
                    }).collect_view()}
                </div>
            }.into_any() />
        </section>
    }
}
