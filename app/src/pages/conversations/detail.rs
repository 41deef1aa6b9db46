//! One conversation: the page, its header and tabs, and the transcript tab.

#[allow(unused_imports)]
use super::*;

/// One conversation.
#[component]
pub fn ConversationPage() -> impl IntoView {
    let id = path_param("id");
    let tab = query_param("tab");
    let data = Resource::new(move || id.get(), get_conversation);
    view! {
        <Title text="Conversation" />
        <Loaded resource=data view=move |c| {
            let current = tab.get().unwrap_or_else(|| "transcript".to_owned());
            view! { <Conversation c=c tab=current /> }.into_any()
        } />
        // The follow-up tab loads data of its own: built here, outside the call's `Loaded`.
        {move || (tab.get().as_deref() == Some("followup")).then(|| view! {
            <TabPanel owner=data><FollowUpTab conversation=id.get() /></TabPanel>
        })}
    }
}

#[component]
pub(crate) fn Conversation(c: ConversationView, tab: String) -> impl IntoView {
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
        // The follow-up tab's panel is the page's own (see `ConversationPage`).
        {(tab != "followup").then(|| view! {
            <section class="tab-panel card">
                {match tab.as_str() {
                    "analysis" => view! { <AnalysisTab analysis=c.analysis.clone() platform=c.platform_analysis.clone() dynamic=c.dynamic_variables.clone() timezone=c.timezone.clone() conversation=c.id.clone() /> }.into_any(),
                    "notifications" => view! { <RunsTab runs=c.runs.clone() /> }.into_any(),
                    _ => view! { <TranscriptTab c=c.clone() /> }.into_any(),
                }}
            </section>
        })}
    }
}

#[component]
pub(crate) fn TranscriptTab(c: ConversationView) -> impl IntoView {
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
