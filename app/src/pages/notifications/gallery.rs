//! New notification: the starter gallery.

#[allow(unused_imports)]
use super::*;

/// `/notifications/new`: the starter gallery, or (with `?template=<key>|scratch`) the editor.
#[component]
pub fn NewNotificationPage() -> impl IntoView {
    let agent = query_param("agent");
    let template = query_param("template");
    view! {
        <Title text="New notification" />
        <h1>"New notification"</h1>
        {move || match template.get() {
            None => view! { <Gallery agent=agent.get() /> }.into_any(),
            Some(t) => {
                let key = (t != "scratch").then_some(t);
                let editor = Resource::new(move || (agent.get(), key.clone()), |(agent, key)| notification_editor(None, agent, key));
                view! { <Editor editor=editor /> }.into_any()
            }
        }}
    }
}

#[component]
pub(crate) fn Gallery(agent: Option<String>) -> impl IntoView {
    let starters = Resource::new(|| (), |_| list_starters());
    let suffix = agent.map(|a| format!("&agent={a}")).unwrap_or_default();
    view! {
        <p class="muted">"Pick a starter template — each comes with a trigger question, an email and sensible alert and task settings you can change — or start from scratch."</p>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let suffix = suffix.clone();
                Suspend::new(async move {
                    match starters.await {
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                        Ok(items) => view! {
                            <div class="gallery" data-testid="gallery">
                                <a class="card starter scratch" href=format!("/notifications/new?template=scratch{suffix}")>
                                    <strong>"Start from scratch"</strong>
                                    <p class="muted">"An always-send email with the call summary; change anything."</p>
                                </a>
                                {items.into_iter().map(|s| {
                                    let extras = [
                                        (s.team_alert == "all").then(|| "alerts the team".to_owned()),
                                        s.task.clone().map(|t| format!("{t} task")),
                                    ].into_iter().flatten().collect::<Vec<_>>();
                                    view! {
                                        <a class="card starter" href=format!("/notifications/new?template={}{suffix}", s.key) data-testid=format!("starter-{}", s.key)>
                                            <strong>{s.name.clone()}</strong>
                                            <p>{s.description.clone()}</p>
                                            <p class="muted small">"“" {s.trigger.clone()} "”"</p>
                                            <p class="small">{if extras.is_empty() { "email only".to_owned() } else { format!("email, {}", extras.join(", ")) }}</p>
                                        </a>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
