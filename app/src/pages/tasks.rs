//! `/tasks`: filter by status, priority and "my tasks" (a plain GET form); mark done or
//! reopen; assign to a member with a due date.

use leptos::prelude::*;
use leptos_meta::Title;

use super::query_param;
use crate::api::tasks::{AssignTask, SetTaskStatus, list_tasks};
use crate::components::{Badge, FormResult, Loaded, Pager};

/// The tasks page.
#[component]
pub fn TasksPage() -> impl IntoView {
    let status = query_param("status");
    let priority = query_param("priority");
    let mine = query_param("mine");
    let before = query_param("before");
    let set_status = ServerAction::<SetTaskStatus>::new();
    let assign = ServerAction::<AssignTask>::new();
    let page = Resource::new(
        move || {
            (status.get(), priority.get(), mine.get(), before.get(), set_status.version().get(), assign.version().get())
        },
        |(s, p, m, b, _, _)| list_tasks(s, p, m, b),
    );
    let current_status = move || status.get().unwrap_or_default();
    let current_priority = move || priority.get().unwrap_or_default();
    view! {
        <Title text="Tasks" />
        <h1>"Tasks"</h1>
        <form method="get" action="/tasks" class="filters">
            <label>"Status"
                <select name="status">
                    {[("", "Any"), ("open", "Open"), ("done", "Done")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || current_status() == v>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Priority"
                <select name="priority">
                    {[("", "Any"), ("urgent", "Urgent"), ("high", "High"), ("medium", "Medium"), ("low", "Low")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || current_priority() == v>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="check-inline"><input type="checkbox" name="mine" value="yes" checked=move || mine.get().as_deref() == Some("yes") /> "My tasks"</label>
            <button type="submit">"Filter"</button>
        </form>
        <FormResult action=set_status />
        <FormResult action=assign ok="Task saved." />
        <Loaded resource=page view=move |value| match value {
            data if data.page.items.is_empty() => view! { <p class="empty card">"No tasks match."</p> }.into_any(),
            data => {
                let mut base = String::from("/tasks?");
                if let Some(s) = status.get_untracked() { base.push_str(&format!("status={s}&")); }
                if let Some(p) = priority.get_untracked() { base.push_str(&format!("priority={p}&")); }
                if let Some(m) = mine.get_untracked() { base.push_str(&format!("mine={m}&")); }
                let base = base.trim_end_matches(['&', '?']).to_owned();
                let members = data.members.clone();
                view! {
                    <table class="list" data-testid="tasks">
                        <thead><tr><th>"Task"</th><th>"Priority"</th><th>"Status"</th><th>"Assignee and due date"</th><th>"Created"</th><th></th></tr></thead>
                        <tbody>
                            {data.page.items.into_iter().map(|t| {
                                let next_status = if t.status == "done" { "open" } else { "done" };
                                let button = if t.status == "done" { "Reopen" } else { "Mark done" };
                                let assignee_id = t.assignee.clone().map(|(id, _)| id).unwrap_or_default();
                                let (id_assign, id_status) = (t.id.clone(), t.id.clone());
                                let members = members.clone();
                                view! {
                                    <tr class=format!("task-{}", t.status) class:overdue=t.overdue>
                                        <td>
                                            {match t.conversation_id.clone() {
                                                Some(c) => view! { <a href=format!("/conversations/{c}")>{t.title.clone()}</a> }.into_any(),
                                                None => view! { <span>{t.title.clone()}</span> }.into_any(),
                                            }}
                                            <details><summary class="muted">"Details"</summary><p class="pre">{t.description.clone()}</p></details>
                                        </td>
                                        <td><Badge text=t.priority.clone() /></td>
                                        <td><Badge text=t.status.clone() />{t.overdue.then(|| view! { " " <Badge text="overdue" /> })}</td>
                                        <td>
                                            <ActionForm action=assign attr:class="assign">
                                                <input type="hidden" name="id" value=id_assign />
                                                <select name="assignee" aria-label="Assignee">
                                                    <option value="" selected=assignee_id.is_empty()>"Unassigned"</option>
                                                    {members.iter().map(|(id, name)| view! { <option value=id.clone() selected=*id == assignee_id>{name.clone()}</option> }).collect_view()}
                                                </select>
                                                <input type="date" name="due" aria-label="Due date" value=t.due_date.clone().unwrap_or_default() />
                                                <button type="submit" class="link">"Save"</button>
                                            </ActionForm>
                                        </td>
                                        <td>{t.created.clone()}</td>
                                        <td>
                                            <ActionForm action=set_status attr:class="inline">
                                                <input type="hidden" name="id" value=id_status />
                                                <input type="hidden" name="status" value=next_status />
                                                <button type="submit">{button}</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <Pager base=base next=data.page.next has_previous=before.get_untracked().is_some() />
                }.into_any()
            }
        } />
    }
}
