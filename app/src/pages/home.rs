//! `/`: the home dashboard — charts of calls, fired notifications and goal results per day
//! and of open tasks by priority (SVG, rendered on the server), then the latest
//! conversations and alerts.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::home::{DAYS, DayView, home_overview};
use crate::components::{Badge, Loaded};

/// One bar segment: value, CSS class (colour) and what it counts.
type Segment = (u32, &'static str, &'static str);

const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 170.0;
const LEFT: f64 = 34.0;
const BOTTOM: f64 = 22.0;

/// A vertical bar chart, one (stacked) bar per day.
#[component]
fn DayChart(
    #[prop(into)] title: String,
    #[prop(into)] testid: String,
    days: Vec<(String, String, Vec<Segment>)>,
) -> impl IntoView {
    let max = days.iter().map(|(_, _, s)| s.iter().map(|(v, _, _)| *v).sum::<u32>()).max().unwrap_or(0).max(1);
    let n = days.len().max(1) as f64;
    let slot = (WIDTH - LEFT) / n;
    let bar = (slot * 0.7).max(2.0);
    let plot = HEIGHT - BOTTOM - 8.0;
    let total: u32 = days.iter().flat_map(|(_, _, s)| s.iter().map(|(v, _, _)| *v)).sum();
    let label = format!("{title}: {total} in the last {} days", days.len());
    view! {
        <figure class="chart card" data-testid=testid>
            <figcaption><strong>{title.clone()}</strong> <span class="muted">" · " {total} " in " {days.len()} " days"</span></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label class="chart-svg">
                <line x1=LEFT y1=8 x2=LEFT y2=HEIGHT - BOTTOM class="axis" />
                <line x1=LEFT y1=HEIGHT - BOTTOM x2=WIDTH y2=HEIGHT - BOTTOM class="axis" />
                <text x=LEFT - 4.0 y=14 class="tick" text-anchor="end">{max}</text>
                <text x=LEFT - 4.0 y=HEIGHT - BOTTOM class="tick" text-anchor="end">"0"</text>
                {days.into_iter().enumerate().map(|(i, (short, date, segments))| {
                    let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
                    let mut y = HEIGHT - BOTTOM;
                    let described = segments.iter().map(|(v, _, what)| format!("{v} {what}")).collect::<Vec<_>>().join(", ");
                    let rects = segments.into_iter().filter(|(v, _, _)| *v > 0).map(|(v, class, _)| {
                        let h = plot * f64::from(v) / f64::from(max);
                        y -= h;
                        view! { <rect x=x y=y width=bar height=h class=class /> }
                    }).collect_view();
                    let show_label = i % 2 == 1 || n <= 8.0;
                    view! {
                        <g>
                            <title>{format!("{date}: {described}")}</title>
                            {rects}
                            {show_label.then(|| view! { <text x=x + bar / 2.0 y=HEIGHT - 6.0 class="tick" text-anchor="middle">{short.clone()}</text> })}
                        </g>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
}

/// Horizontal bars of open tasks per priority.
#[component]
fn TaskChart(tasks: Vec<(String, u64)>) -> impl IntoView {
    let max = tasks.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let total: u64 = tasks.iter().map(|(_, n)| *n).sum();
    let row = 30.0;
    let height = row * tasks.len() as f64 + 10.0;
    view! {
        <figure class="chart card" data-testid="chart-tasks">
            <figcaption><strong>"Open tasks by priority"</strong> <span class="muted">" · " {total} " open"</span></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=format!("{total} open tasks") class="chart-svg">
                {tasks.into_iter().enumerate().map(|(i, (priority, n))| {
                    let y = 5.0 + row * i as f64;
                    let w = (WIDTH - 150.0) * n as f64 / max as f64;
                    view! {
                        <g>
                            <title>{format!("{priority}: {n} open")}</title>
                            <text x=70 y=y + 18.0 class="tick" text-anchor="end">{priority.clone()}</text>
                            <rect x=80 y=y + 4.0 width=w.max(1.0) height=row - 10.0 class=format!("bar-{priority}") />
                            <text x=86.0 + w y=y + 18.0 class="tick">{n}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <a href="/tasks?status=open">"Work the tasks →"</a>
        </figure>
    }
}

fn series(days: &[DayView], pick: impl Fn(&DayView) -> Vec<Segment>) -> Vec<(String, String, Vec<Segment>)> {
    days.iter().map(|d| (d.label.clone(), d.date.clone(), pick(d))).collect()
}

/// The home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| home_overview());
    view! {
        <Title text="Home" />
        <h1>"Home"</h1>
        <Loaded resource=data view=move |h| {
            let calls = series(&h.days, |d| vec![(d.calls, "bar-calls", "calls")]);
            let fired = series(&h.days, |d| vec![(d.fired, "bar-fired", "notifications fired")]);
            let goals = series(&h.days, |d| vec![
                (d.success, "bar-success", "goal reached"),
                (d.failure, "bar-failure", "goal missed"),
                (d.unknown, "bar-unknown", "unknown"),
            ]);
            let rate = h.goal_success_rate.map(|r| format!("{:.0} % goal success rate", r * 100.0)).unwrap_or_else(|| "No goal verdicts yet: give an agent a goal.".to_owned());
            view! {
                <p class="muted">{format!("The last {DAYS} days, by day (UTC).")}</p>
                <div class="charts">
                    <DayChart title="Calls per day" testid="chart-calls" days=calls />
                    <DayChart title="Notifications fired per day" testid="chart-fired" days=fired />
                    <div>
                        <DayChart title="Goal results per day" testid="chart-goals" days=goals />
                        <p class="chart-note" data-testid="goal-rate">{rate}
                            <span class="legend"><i class="bar-success"></i>"reached " <i class="bar-failure"></i>"missed " <i class="bar-unknown"></i>"unknown"</span></p>
                    </div>
                    <TaskChart tasks=h.open_tasks />
                </div>
                <div class="two-col">
                    <section class="card">
                        <div class="row-between"><h2>"Latest conversations"</h2><a href="/conversations">"All →"</a></div>
                        {if h.conversations.is_empty() {
                            view! { <p class="muted">"No calls yet."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain" data-testid="latest-conversations">
                                    {h.conversations.into_iter().map(|c| view! {
                                        <li><a href=format!("/conversations/{}", c.id)>{c.when}</a> " · " {c.agent_name} " · " {c.who} " "
                                            <Badge text=c.end_reason />
                                            {(c.fired > 0).then(|| view! { " " <Badge text=format!("{} fired", c.fired) /> })}</li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                    <section class="card">
                        <div class="row-between"><h2>"Latest alerts"</h2><a href="/alerts">"All →"</a></div>
                        {if h.alerts.is_empty() {
                            view! { <p class="muted">"No alerts for you."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain" data-testid="latest-alerts">
                                    {h.alerts.into_iter().map(|a| view! {
                                        <li class:unread=!a.read><a href=a.link>{a.title}</a> <span class="muted small">" " {a.when}</span></li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                </div>
            }.into_any()
        } />
    }
}
