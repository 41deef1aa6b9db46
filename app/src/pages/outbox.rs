//! `/outbox`: every email and its delivery state; the rendered message on demand.

use leptos::prelude::*;
use leptos_meta::Title;

use super::query_param;
use crate::api::outbox::list_emails;
use crate::components::{Badge, Loaded, Pager};

/// The outbox page.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let before = query_param("before");
    let page = Resource::new(move || before.get(), list_emails);
    view! {
        <Title text="Outbox" />
        <h1>"Outbox"</h1>
        <p class="muted">"Every email Aftercall created. Without SMTP configured, emails stay here (state “outbox”)."</p>
        <Loaded resource=page view=move |value| match value {
            page if page.items.is_empty() => view! { <p class="empty card">"No emails yet."</p> }.into_any(),
            page => view! {
                <ul class="emails" data-testid="emails">
                    {page.items.into_iter().map(|e| view! {
                        <li class="card email">
                            <div class="row-between">
                                <strong>{e.subject.clone().unwrap_or_else(|| "(not rendered yet)".into())}</strong>
                                <Badge text=e.state.clone() />
                            </div>
                            <p class="muted">"To " {e.to.join(", ")} " · created " {e.created.clone()}
                                {e.sent.clone().map(|s| view! { " · sent " {s} })}
                                " · attempts " {e.attempts}
                                {e.conversation_id.clone().map(|c| view! { " · " <a href=format!("/conversations/{c}")>"conversation"</a> })}
                            </p>
                            {e.error.clone().map(|err| view! { <p class="form-error">{err}</p> })}
                            <details>
                                <summary>"Message"</summary>
                                <p class="muted">"Message-ID: " <code>{format!("<{}>", e.message_id)}</code></p>
                                {e.html.clone().map(|html| view! {
                                    <iframe class="email-html" sandbox="" srcdoc=html title="HTML part"></iframe>
                                })}
                                {e.text.clone().map(|text| view! { <pre class="code">{text}</pre> })}
                            </details>
                        </li>
                    }).collect_view()}
                </ul>
                <Pager base="/outbox" next=page.next has_previous=before.get_untracked().is_some() />
            }.into_any(),
        } />
    }
}
