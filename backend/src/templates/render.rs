//! Rendering: the sandboxed minijinja environment, escaping per format (email Markdown, Slack,
//! Teams), and the rendered email.

#[allow(unused_imports)]
use super::*;

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
pub(crate) enum ValueMode {
    Raw,
    MarkdownEscaped,
    Slack,
    Teams,
    /// Every value as its JSON encoding (a string quoted and escaped, an unavailable value
    /// `null`): a request body template stays JSON whatever a caller said.
    Json,
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

pub(crate) fn environment(mode: ValueMode) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_fuel(Some(safety::FUEL));
    env.set_recursion_limit(20);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_keep_trailing_newline(true);
    env.set_formatter(move |out, _state, value| {
        if let ValueMode::Json = mode {
            let json = if value.is_undefined() || value.is_none() {
                "null".to_owned()
            } else {
                serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
            };
            return out.write_str(&json).map_err(minijinja::Error::from);
        }
        let text = if value.is_undefined() || value.is_none() { FALLBACK.to_owned() } else { value.to_string() };
        let written = match mode {
            ValueMode::Json | ValueMode::Raw => text,
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
pub(crate) fn escape_markdown(value: &str) -> String {
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
    pub(crate) fn from_minijinja(err: minijinja::Error) -> Self {
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

/// Renders a JSON request body template: every `{{ value }}` is written as JSON, so
/// `{"summary": {{ conversation_summary }}}` needs no quotes and cannot be broken out of.
/// The result must parse as JSON.
///
/// Errors: minijinja's message with the position, or `line L, column C: the rendered body
/// is not JSON: …` with the position in the rendered text.
pub fn render_json(source: &str, vars: &Variables) -> Result<Json, RenderError> {
    let text = render_one(&environment(ValueMode::Json), source, vars)?;
    serde_json::from_str(&text).map_err(|e| RenderError {
        message: format!("line {}, column {}: the rendered body is not JSON: {e}", e.line(), e.column()),
        source: None,
    })
}

pub(crate) fn render_one(env: &Environment<'_>, source: &str, vars: &Variables) -> Result<String, RenderError> {
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

pub(crate) fn describe(err: &minijinja::Error) -> String {
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
