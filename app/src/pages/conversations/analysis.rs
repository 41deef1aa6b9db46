//! The analysis tab: summary, goal, triggers with their verdicts, extracted fields and the chosen route.

#[allow(unused_imports)]
use super::*;

#[component]
pub(crate) fn AnalysisTab(
    analysis: Option<AnalysisView>,
    platform: Option<PlatformAnalysisView>,
    dynamic: String,
    timezone: String,
    conversation: String,
) -> impl IntoView {
    let Some(a) = analysis else {
        return view! {
            <p class="muted" data-testid="analysis-pending">"The analysis has not run yet; it starts within seconds of the call arriving."</p>
            {platform.map(|p| view! { <PlatformAnalysis p /> })}
        }
        .into_any();
    };
    let rerun = ServerAction::<ReanalyzeConversation>::new();
    view! {
        <div data-testid="analysis">
            <div class="row-between">
                <p class="muted">{a.reanalysed.clone().map(|t| format!("Re-analysed {t}.")).unwrap_or_default()}</p>
                <ActionForm action=rerun attr:class="inline">
                    <input type="hidden" name="id" value=conversation.clone() />
                    <button type="submit" data-testid="rerun">"Re-run analysis"</button>
                </ActionForm>
            </div>
            {move || match rerun.value().get() {
                Some(Ok(())) => view! { <p class="form-ok" role="status">"Re-analysis queued: reload in a few seconds. Nothing is sent again."</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
            <dl class="facts">
                <dt>"Analyzer"</dt><dd>{a.analyzer.clone()}</dd>
                <dt>"Status"</dt><dd><Badge text=a.status.clone() /></dd>
                <dt>"Latency"</dt><dd>{format!("{} ms", a.latency_ms)}</dd>
                {a.tokens.clone().map(|t| view! { <dt>"Tokens"</dt><dd>{t}</dd> })}
                <dt>"Analysed"</dt><dd>{a.when.clone()}</dd>
                <dt>"Time zone"</dt><dd>{timezone}</dd>
            </dl>
            {a.error.clone().map(|e| view! { <p class="form-error">"Analysis failed: " {e}</p> })}
            {(a.status == "skipped").then(|| view! { <p class="muted">"Skipped: calls with fewer than 2 turns are not analysed. Always-send notifications still fired."</p> })}
            <h2>"Summary"</h2>
            <p class="summary">{a.summary.clone().unwrap_or_else(|| "—".into())}</p>
            {platform.map(|p| view! { <PlatformAnalysis p /> })}
            {a.goal.clone().map(|(result, reason)| view! {
                <h2>"Goal"</h2>
                <p data-testid="goal"><Badge text=result /> " " {reason}</p>
            })}
            <h2>"Extracted fields"</h2>
            {if a.fields.is_empty() {
                view! { <p class="muted">"No fields are defined for this agent (Agents → Fields)."</p> }.into_any()
            } else {
                view! {
                    <table class="list" data-testid="fields">
                        <thead><tr><th>"Field"</th><th>"Type"</th><th>"Value"</th><th>"Evidence"</th></tr></thead>
                        <tbody>
                            {a.fields.into_iter().map(|f| view! {
                                <tr>
                                    <td><code>{format!("dyn_{}", f.name)}</code></td>
                                    <td><Badge text=f.kind /></td>
                                    <td>{if f.value.is_empty() { "—".to_owned() } else { f.value }}</td>
                                    <td class="muted">{f.evidence.map(|e| format!("“{e}”")).unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(!a.routes.is_empty()).then(|| view! {
                <h2>"Routing"</h2>
                <ul class="plain" data-testid="routes">
                    {a.routes.clone().into_iter().map(|r| view! {
                        <li><strong>{r.notification}</strong> ": " {r.chosen} " → " {r.to.join(", ")} <span class="muted">" (" {r.reason} ")"</span></li>
                    }).collect_view()}
                </ul>
            })}
            <h2>"Trigger verdicts"</h2>
            {if a.verdicts.is_empty() {
                view! { <p class="muted">"No natural-language triggers were judged for this call."</p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <thead><tr><th>"Notification"</th><th>"Question"</th><th>"Verdict"</th><th>"Reason"</th></tr></thead>
                        <tbody>
                            {a.verdicts.into_iter().map(|v| view! {
                                <tr>
                                    <td>{v.notification}</td>
                                    <td>{v.question}</td>
                                    <td><Badge text=if v.fired { "yes" } else if v.unknown { "unknown" } else { "no" } /></td>
                                    <td>{v.reason}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(!dynamic.is_empty()).then(|| view! {
                <h2>"Dynamic variables sent with the call"</h2>
                <pre class="code">{dynamic}</pre>
            })}
        </div>
    }
    .into_any()
}

/// What the voice platform itself concluded (from a native intake), beside our analysis.
#[component]
fn PlatformAnalysis(p: PlatformAnalysisView) -> impl IntoView {
    view! {
        <div data-testid="platform-analysis">
            <h2>{format!("{}'s analysis", p.platform)}</h2>
            <p class="summary">{p.summary.clone().unwrap_or_else(|| "—".into())}</p>
            <dl class="facts">
                {p.successful.map(|s| view! { <dt>"Successful"</dt><dd><Badge text=s /></dd> })}
                {p.sentiment.map(|s| view! { <dt>"Sentiment"</dt><dd>{s}</dd> })}
                {p.data.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> }).collect_view()}
            </dl>
        </div>
    }
}
