//! The template checker and renderer: any source is refused with a position or renders
//! within the fuel and output limits, with values escaped; nothing panics or runs away.
#![no_main]

use backend::templates::{self, MessageFormat, Variables};
use libfuzzer_sys::fuzz_target;

fn vars() -> Variables {
    let mut v = Variables::default();
    v.set("agent_name", serde_json::json!("Front <desk> & *co*"));
    v.set("conversation_summary", serde_json::json!("The caller asked for [a link](http://evil.example) <!channel>"));
    v.set("conversation_transcript", serde_json::json!("Customer: hello\nAgent: hi ".repeat(50)));
    v.set("dynamic_variables", serde_json::json!({"plan": "gold", "items": [1, 2, 3]}));
    v.set("dyn_total", serde_json::json!(42.5));
    v
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let checked = templates::check_template(source, "email.body");
    let vars = vars();
    for rendered in [
        templates::render_text(source, &vars),
        templates::render_message(source, &vars, MessageFormat::Slack),
        templates::render_message(source, &vars, MessageFormat::Teams),
    ] {
        if let Ok(text) = rendered {
            assert!(text.len() <= templates::safety::MAX_OUTPUT_BYTES, "the output cap holds");
        }
    }
    if checked.is_ok()
        && let Ok(email) = templates::render_email(source, source, &vars)
    {
        assert!(!email.html.contains("<a href=\"http://evil.example\""), "values never become links: {}", email.html);
        assert!(email.subject.chars().count() <= 250);
    }
});
