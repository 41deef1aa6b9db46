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

mod variables;
pub use variables::*;
mod render;
pub use render::*;
mod check;
pub use check::*;

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
    fn a_json_body_template_writes_every_value_as_json_and_must_render_json() {
        let mut v = vars(&[("conversation_summary", "She said \"call me\"\n}, {\"admin\": true")]);
        v.set("dyn_total", Json::from(150));
        let body = render_json(
            r#"{"summary": {{ conversation_summary }}, "total": {{ dyn_total }}, "missing": {{ dyn_nothing }}}"#,
            &v,
        )
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"summary": "She said \"call me\"\n}, {\"admin\": true", "total": 150, "missing": null})
        );
        let err = render_json("{\n  \"a\": {{ dyn_total }},\n}", &v).unwrap_err();
        assert!(err.message.starts_with("line 3, column 1: the rendered body is not JSON"), "{}", err.message);
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
