//! Email templates: the variables of SPEC section 5, rendering subject and Markdown body
//! with minijinja into text and HTML, and the checks a template passes when it is saved.
//!
//! Values come from transcripts and integrators, so they are untrusted: in the HTML part
//! every value is Markdown-escaped before Markdown is converted, and raw HTML in the
//! Markdown (from a value or the template) is rendered as text, never as markup. Slack
//! and Teams messages escape values for their own markup ([`MessageFormat`]).
//!
//! Templates themselves are held to [`safety`]: a subset of the language without
//! unbounded constructs, fuel, and an output cap, at save time and at every render.

pub mod safety;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use pulldown_cmark::{Event, Options, Parser, html};
use serde_json::Value as Json;

use crate::calls::event::{Speaker, Turn};
use crate::entities::{account, agent, analysis, conversation};
use crate::error::Error;

/// What an unavailable variable renders as, instead of failing the email.
pub const FALLBACK: &str = "(not available)";

/// The system variables and what they hold, in picker order.
pub const SYSTEM_VARIABLES: &[(&str, &str)] = &[
    ("conversation_date", "Date and time the call started, 24-hour, agent's time zone"),
    ("conversation_time", "Time the call started, 12-hour, agent's time zone"),
    ("conversation_duration", "Call duration as MM:SS"),
    ("conversation_status", "Call status as sent by the voice platform"),
    ("conversation_direction", "Inbound or Outbound"),
    ("conversation_summary", "The AI summary of the call"),
    ("conversation_transcript", "The whole transcript, one turn per line"),
    ("conversation_url", "Link to the conversation in the dashboard"),
    ("conversation_uuid", "The conversation's id"),
    ("agent_name", "The agent's name"),
    ("account_name", "Your account's name"),
    ("customer_number", "The caller's phone number (phone calls only)"),
    ("to_number", "The number that was called (phone calls only)"),
    ("customer_name", "The customer's name (when known)"),
    ("customer_email", "The customer's email (when known)"),
    ("goal_result", "The agent's goal verdict: success, failure or unknown"),
];

/// The variable values for one conversation. Unavailable variables are simply absent and
/// render as [`FALLBACK`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Variables(BTreeMap<String, Json>);

impl Variables {
    /// The value of `name`, if available.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.0.get(name)
    }

    /// Sets `name` (used for `dyn_*` values and `goal_result`).
    pub fn set(&mut self, name: impl Into<String>, value: Json) {
        self.0.insert(name.into(), value);
    }

    /// All values, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Json)> {
        self.0.iter()
    }
}

/// Everything variables are computed from.
pub struct VariableSources<'a> {
    pub conversation: &'a conversation::Model,
    pub agent: &'a agent::Model,
    pub account: &'a account::Model,
    /// The analysis, when analysed: summary, `dyn_*` values, goal verdict.
    pub analysis: Option<&'a analysis::Model>,
    /// Dashboard base URL without trailing slash.
    pub public_url: &'a str,
}

/// `MM:SS` (minutes are not wrapped into hours: `75:03`).
pub fn format_duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    format!("{:02}:{:02}", total / 60, total % 60)
}

/// The transcript as `Agent: ...` / `Customer: ...` lines.
pub fn transcript_text(turns: &[Turn]) -> String {
    let mut out = String::new();
    for turn in turns {
        let who = match turn.role {
            Speaker::Agent => "Agent",
            Speaker::User => "Customer",
        };
        let _ = writeln!(out, "{who}: {}", turn.text.trim());
    }
    out.trim_end().to_owned()
}

/// The variables of the tenant's conversation `id`, with its agent, account and analysis
/// loaded (what a notification email and the editor's preview render with).
///
/// Errors: [`Error::NotFound`] for an unknown id or another tenant's conversation.
pub async fn conversation_variables<C: sea_orm::ConnectionTrait>(
    db: &C,
    tenant: &crate::tenancy::Tenant,
    id: uuid::Uuid,
    public_url: &str,
) -> Result<Variables, Error> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let conv = crate::tenancy::secure_find::<conversation::Entity, _>(db, tenant, id).await?;
    let agent = crate::tenancy::secure_find::<agent::Entity, _>(db, tenant, conv.agent_id).await?;
    let account = account::Entity::find_by_id(tenant.account_id()).one(db).await?.ok_or(Error::NotFound("account"))?;
    let analysis = analysis::Entity::find()
        .filter(analysis::Column::AccountId.eq(tenant.account_id()))
        .filter(analysis::Column::ConversationId.eq(conv.id))
        .one(db)
        .await?;
    Ok(variables(&VariableSources {
        conversation: &conv,
        agent: &agent,
        account: &account,
        analysis: analysis.as_ref(),
        public_url,
    }))
}

/// Computes the SPEC section 5 system variables plus `dynamic_variables`.
pub fn variables(src: &VariableSources<'_>) -> Variables {
    let c = src.conversation;
    let tz: Tz = src.agent.timezone.parse().unwrap_or(Tz::UTC);
    let mut v = Variables::default();
    let when: DateTime<Utc> = c.started_at.unwrap_or(c.received_at);
    let local = when.with_timezone(&tz);
    v.set("conversation_date", Json::from(local.format("%Y-%m-%d %H:%M %Z").to_string()));
    v.set("conversation_time", Json::from(local.format("%-I:%M %p").to_string()));
    if let Some(d) = c.duration_s {
        v.set("conversation_duration", Json::from(format_duration(d)));
    }
    if let Some(status) = &c.status {
        v.set("conversation_status", Json::from(status.clone()));
    }
    match c.direction.map(|d| d.as_str()) {
        Some("inbound") => v.set("conversation_direction", Json::from("Inbound")),
        Some("outbound") => v.set("conversation_direction", Json::from("Outbound")),
        _ => {}
    }
    if let Some(a) = src.analysis {
        if let Some(summary) = a.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            v.set("conversation_summary", Json::from(summary));
        }
        if let Some(goal) = &a.goal_result {
            v.set("goal_result", Json::from(goal.as_str()));
        }
        let output = a.result.clone();
        for field in output.fields.into_iter().filter(|f| !f.value.is_null()) {
            v.set(format!("dyn_{}", field.name), field.value);
        }
    }
    let turns: &[Turn] = &c.transcript;
    if !turns.is_empty() {
        v.set("conversation_transcript", Json::from(transcript_text(turns)));
    }
    v.set("conversation_url", Json::from(format!("{}/conversations/{}", src.public_url, c.id)));
    v.set("conversation_uuid", Json::from(c.id.to_string()));
    v.set("agent_name", Json::from(src.agent.name.clone()));
    v.set("account_name", Json::from(src.account.name.clone()));
    let is_phone = c.channel.as_deref().is_none_or(|ch| ch.eq_ignore_ascii_case("phone"));
    if is_phone {
        let customer_number = match c.direction.map(|d| d.as_str()) {
            Some("outbound") => c.to_number.clone(),
            _ => c.from_number.clone(),
        };
        if let Some(n) = customer_number {
            v.set("customer_number", Json::from(n));
        }
        if let Some(n) = &c.to_number {
            v.set("to_number", Json::from(n.clone()));
        }
    }
    if let Some(name) = &c.customer_name {
        v.set("customer_name", Json::from(name.clone()));
    }
    if let Some(email) = &c.customer_email {
        v.set("customer_email", Json::from(email.clone()));
    }
    v.set("dynamic_variables", Json::Object(c.dynamic_variables.0.clone()));
    v
}

/// A rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    /// One line, at most 250 characters.
    pub subject: String,
    /// The Markdown body with raw values: the `text/plain` part.
    pub text: String,
    /// The body as HTML with every value escaped: the `text/html` part.
    pub html: String,
}

/// How values are written into the template output.
#[derive(Clone, Copy)]
enum ValueMode {
    Raw,
    MarkdownEscaped,
    Slack,
    Teams,
}

/// The markup a chat message is written in, so values (a caller's words) can be escaped
/// for it and never become mentions, links or formatting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFormat {
    /// Slack `mrkdwn`: values have `&`, `<` and `>` escaped as Slack's docs require, so
    /// `<!channel>`, `<@U123>` and `<https://evil|your bank>` arrive as plain text.
    Slack,
    /// Teams MessageCard text (Markdown with some HTML): values are HTML-escaped and their
    /// Markdown punctuation backslash-escaped, so no link, image or formatting appears.
    Teams,
}

fn environment(mode: ValueMode) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(safety::FUEL));
    env.set_recursion_limit(20);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_keep_trailing_newline(true);
    env.set_formatter(move |out, _state, value| {
        let text = if value.is_undefined() || value.is_none() { FALLBACK.to_owned() } else { value.to_string() };
        let written = match mode {
            ValueMode::Raw => text,
            ValueMode::MarkdownEscaped => escape_markdown(&text),
            ValueMode::Slack => escape_slack(&text),
            ValueMode::Teams => escape_teams(&text),
        };
        out.write_str(&written).map_err(minijinja::Error::from)
    });
    env
}

/// Backslash-escapes every ASCII punctuation character (CommonMark allows it for all of
/// them) and turns newlines into hard breaks, so a value is always literal text.
fn escape_markdown(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for ch in value.chars() {
        match ch {
            '\n' => out.push_str("\\\n"),
            '\r' => {}
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Slack's control characters (`&`, `<`, `>`) as entities.
pub fn escape_slack(value: &str) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// HTML entities for `&`, `<`, `>` and a backslash before Markdown punctuation.
pub fn escape_teams(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '!' | '|' | '{' | '}' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

/// CommonMark to HTML with any raw HTML shown as text.
pub fn markdown_to_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// Why a template did not render: a message with its position (what users are shown), and
/// minijinja's error when it came from there.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RenderError {
    pub message: String,
    #[source]
    pub source: Option<minijinja::Error>,
}

impl RenderError {
    fn from_minijinja(err: minijinja::Error) -> Self {
        Self { message: describe(&err), source: Some(err) }
    }
}

impl From<RenderError> for crate::Error {
    fn from(err: RenderError) -> Self {
        crate::Error::internal("rendering a template", err)
    }
}

/// Renders a plain-text template: values inserted as they are, unavailable ones as the
/// fallback.
///
/// Errors: minijinja's message with the position.
pub fn render_text(source: &str, vars: &Variables) -> Result<String, RenderError> {
    render_one(&environment(ValueMode::Raw), source, vars)
}

/// Renders a Slack or Teams message: the template's own markup stays, every value is
/// escaped for `format` (see [`MessageFormat`]).
///
/// Errors: minijinja's message with the position.
pub fn render_message(source: &str, vars: &Variables, format: MessageFormat) -> Result<String, RenderError> {
    let mode = match format {
        MessageFormat::Slack => ValueMode::Slack,
        MessageFormat::Teams => ValueMode::Teams,
    };
    render_one(&environment(mode), source, vars)
}

fn render_one(env: &Environment<'_>, source: &str, vars: &Variables) -> Result<String, RenderError> {
    safety::check_subset(source).map_err(|r| RenderError {
        message: format!("line {}, column {}: {}", r.line, r.column, r.message),
        source: None,
    })?;
    let ctx = Value::from_serialize(&vars.0);
    let template = env.template_from_str(source).map_err(RenderError::from_minijinja)?;
    let mut out = safety::Capped::new(safety::MAX_OUTPUT_BYTES);
    template.render_captured_to(ctx, &mut out).map_err(RenderError::from_minijinja)?;
    Ok(out.out)
}

fn describe(err: &minijinja::Error) -> String {
    let what = match err.kind() {
        minijinja::ErrorKind::OutOfFuel => {
            format!("the template does too much work (more than {} steps); simplify its loops", safety::FUEL)
        }
        minijinja::ErrorKind::WriteFailure => {
            format!("the template renders to more than {} KiB", safety::MAX_OUTPUT_BYTES / 1024)
        }
        kind => err.detail().map(str::to_owned).unwrap_or_else(|| kind.to_string()),
    };
    match err.line() {
        Some(line) => format!("line {line}: {what}"),
        None => what,
    }
}

/// Renders subject and body.
///
/// Errors: a message with the line when a template cannot be rendered (saved templates
/// were checked by [`check_template`], so this means a template broken in storage).
pub fn render_email(subject: &str, body: &str, vars: &Variables) -> Result<RenderedEmail, RenderError> {
    let raw = environment(ValueMode::Raw);
    let subject = render_one(&raw, subject, vars)?;
    let subject: String = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let subject: String = subject.chars().take(250).collect();
    let text = render_one(&raw, body, vars)?;
    let escaped = environment(ValueMode::MarkdownEscaped);
    let html_markdown = render_one(&escaped, body, vars)?;
    Ok(RenderedEmail { subject, text, html: markdown_to_html(&html_markdown) })
}

/// Whether `name` (a variable's root, before any `.`) is one templates may use.
pub fn is_known_variable(name: &str) -> bool {
    let root = name.split('.').next().unwrap_or(name);
    root == "dynamic_variables"
        || (root.starts_with("dyn_") && root.len() > 4)
        || SYSTEM_VARIABLES.iter().any(|(n, _)| *n == root)
}

/// `line L, column C` of byte `offset` in `source` (both 1-based).
fn position(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, column)
}

/// The `dyn_*` names a template uses (its undeclared variables starting with `dyn_`).
pub fn dyn_variables(source: &str) -> Vec<String> {
    let env = environment(ValueMode::Raw);
    let Ok(template) = env.template_from_str(source) else { return Vec::new() };
    let mut names: Vec<String> =
        template.undeclared_variables(false).into_iter().filter(|n| n.starts_with("dyn_") && n.len() > 4).collect();
    names.sort();
    names
}

/// Checks a template when it is saved: it must stay within the [`safety`] subset, parse,
/// and use only known variables.
///
/// Errors: [`Error::Invalid`] on `field` with the line and column of the syntax error or
/// of the first unknown variable, e.g. `line 2, column 9: unknown variable `summary``.
pub fn check_template(source: &str, field: &str) -> Result<(), Error> {
    safety::check_subset(source)
        .map_err(|r| Error::invalid(field, format!("line {}, column {}: {}", r.line, r.column, r.message)))?;
    let env = environment(ValueMode::Raw);
    let template = env.template_from_str(source).map_err(|e| {
        let at = e.range().map(|r| position(source, r.start));
        let detail = e.detail().map(str::to_owned).unwrap_or_else(|| e.kind().to_string());
        let message = match at {
            Some((line, column)) => format!("line {line}, column {column}: {detail}"),
            None => match e.line() {
                Some(line) => format!("line {line}: {detail}"),
                None => detail,
            },
        };
        Error::invalid(field, message)
    })?;
    let mut unknown: Vec<(usize, String)> = template
        .undeclared_variables(true)
        .into_iter()
        .filter(|name| !is_known_variable(name))
        .map(|name| {
            let root = name.split('.').next().unwrap_or(&name).to_owned();
            let offset = find_variable(source, &root).unwrap_or(0);
            (offset, root)
        })
        .collect();
    unknown.sort();
    if let Some((offset, name)) = unknown.into_iter().next() {
        let (line, column) = position(source, offset);
        return Err(Error::invalid(field, format!("line {line}, column {column}: unknown variable `{name}`")));
    }
    Ok(())
}

/// The byte offset of the first use of `name` as a whole word inside `{{ }}` or `{% %}`.
fn find_variable(source: &str, name: &str) -> Option<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut search_from = 0;
    while let Some(found) = source[search_from..].find(name) {
        let start = search_from + found;
        let end = start + name.len();
        let before_ok = source[..start].chars().next_back().is_none_or(|c| !is_word(c));
        let after_ok = source[end..].chars().next().is_none_or(|c| !is_word(c));
        let in_tag = {
            let open = source[..start].rfind("{{").max(source[..start].rfind("{%"));
            let close = source[..start].rfind("}}").max(source[..start].rfind("%}"));
            open.is_some() && open > close
        };
        if before_ok && after_ok && in_tag {
            return Some(start);
        }
        search_from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Variables {
        let mut v = Variables::default();
        for (k, val) in pairs {
            v.set(*k, Json::from(*val));
        }
        v
    }

    #[test]
    fn unavailable_variables_render_the_fallback() {
        let out = render_email(
            "Call from {{ customer_name }}",
            "Number: {{ customer_number }}\nPlan: {{ dynamic_variables.plan }}",
            &vars(&[("customer_number", "+14155550141")]),
        )
        .unwrap();
        assert_eq!(out.subject, format!("Call from {FALLBACK}"));
        assert!(out.text.contains("Number: +14155550141"));
        assert!(out.text.contains(&format!("Plan: {FALLBACK}")));
    }

    #[test]
    fn values_cannot_inject_html_or_markdown() {
        let evil = "<script>alert(1)</script> [click](http://evil.example) **bold**";
        let out = render_email(
            "s",
            "Summary: {{ conversation_summary }}\n\n**Kept bold**",
            &vars(&[("conversation_summary", evil)]),
        )
        .unwrap();
        assert!(!out.html.contains("<script>"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"), "{}", out.html);
        assert!(!out.html.contains("<a href"), "{}", out.html);
        assert!(!out.html.contains("<strong>bold</strong>"), "{}", out.html);
        assert!(out.html.contains("<strong>Kept bold</strong>"), "template Markdown still renders: {}", out.html);
        assert!(out.text.contains(evil), "the text part keeps the value verbatim");
    }

    #[test]
    fn subjects_are_one_line() {
        let out =
            render_email("{{ conversation_summary }}", "b", &vars(&[("conversation_summary", "a\nb\n  c")])).unwrap();
        assert_eq!(out.subject, "a b c");
    }

    #[test]
    fn saving_rejects_unknown_variables_with_their_position() {
        let err = check_template("Hello\nSee {{ summary }} now", "email.body").unwrap_err();
        match err {
            Error::Invalid { field, message } => {
                assert_eq!(field, "email.body");
                assert_eq!(message, "line 2, column 8: unknown variable `summary`");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn saving_rejects_syntax_errors_with_their_position() {
        let err = check_template("ok\n{{ agent_name ", "email.subject").unwrap_err();
        match err {
            Error::Invalid { field, message } => {
                assert_eq!(field, "email.subject");
                assert!(message.starts_with("line 2"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn known_variables_pass_the_check() {
        check_template(
            "{{ agent_name }} {{ dyn_order_id }} {{ dynamic_variables.plan }} {% if customer_name %}{{ customer_name }}{% endif %}",
            "email.body",
        )
        .unwrap();
        assert_eq!(dyn_variables("{{ dyn_b }} {{ dyn_a }} {{ agent_name }}"), vec!["dyn_a", "dyn_b"]);
    }

    #[test]
    fn hostile_templates_fail_fast_with_a_clear_error() {
        let v = vars(&[("conversation_transcript", &"long line of words ".repeat(5000))]);
        let started = std::time::Instant::now();
        let spin =
            "{% for a in conversation_transcript %}{% for b in conversation_transcript %}x{% endfor %}{% endfor %}";
        let err = render_text(spin, &v).unwrap_err().message;
        assert!(err.contains("too much work") || err.contains("KiB"), "{err}");
        let wide = "{% for a in conversation_transcript %}{{ conversation_transcript }}{% endfor %}";
        assert!(render_text(wide, &v).unwrap_err().message.contains("256 KiB"));
        for refused in ["{{ 'x' * 99999999 }}", "{% set a = 'x' %}", "{{ range(10) }}"] {
            assert!(render_text(refused, &v).is_err(), "{refused}");
            assert!(
                matches!(check_template(refused, "email.body"), Err(Error::Invalid { field, .. }) if field == "email.body"),
                "{refused}"
            );
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[test]
    fn chat_messages_escape_callers_words_but_keep_the_templates_markup() {
        let v =
            vars(&[("conversation_summary", "<!channel> call <https://evil.example|your bank> & [x](http://e) *now*")]);
        let slack = render_message(
            "*New call*: {{ conversation_summary }} <https://crm.example|open>",
            &v,
            MessageFormat::Slack,
        )
        .unwrap();
        assert!(slack.starts_with("*New call*: &lt;!channel&gt;"), "{slack}");
        assert!(slack.contains("&lt;https://evil.example|your bank&gt; &amp;"), "{slack}");
        assert!(slack.ends_with("<https://crm.example|open>"), "the template's own link stays: {slack}");
        let teams = render_message("**Call**: {{ conversation_summary }}", &v, MessageFormat::Teams).unwrap();
        assert!(teams.starts_with("**Call**: &lt;\\!channel&gt;"), "{teams}");
        assert!(teams.contains("\\[x\\]\\(http://e\\)") && teams.contains("\\*now\\*"), "{teams}");
    }

    #[test]
    fn durations_are_minutes_and_seconds() {
        assert_eq!(format_duration(90.8), "01:31");
        assert_eq!(format_duration(4503.0), "75:03");
    }
}
