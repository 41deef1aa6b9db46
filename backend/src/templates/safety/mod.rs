//! What a template may do. Templates are written by admins but rendered by the server for
//! every call, in previews and in test-sends, so a hostile or careless one must fail fast
//! with a clear error instead of taking the server's CPU or memory:
//!
//! - **A safe subset of the language** ([`check_subset`]): text, `{{ … }}`, `{% if %}`
//!   and `{% for %}` over values; variables, attributes, items, literals, `not`/`and`/`or`,
//!   comparisons, tests, `- / // %` and the filters in [`FILTERS`]. Everything that builds
//!   values without bound is refused when the template is saved: `+`, `*`, `**` and `~`
//!   (string repetition and concatenation can double a string per step), function calls
//!   (`range`, …), `set`, macros, includes, imports, blocks and filter blocks.
//! - **Fuel** ([`FUEL`] instructions per render, minijinja's own counter): a loop over a
//!   long transcript ends with an error, not a spinning worker.
//! - **Output size** ([`MAX_OUTPUT_BYTES`]): rendering stops once the output passes it.
//! - **Source size** ([`MAX_SOURCE_CHARS`]).
//!
//! Rendering applies the same checks, so a template stored before them is held to them too.

use minijinja::machinery::ast::{self, BinOpKind, CallArg, Expr, Stmt};
use minijinja::machinery::{WhitespaceConfig, parse};
use minijinja::syntax::SyntaxConfig;

mod subset;
pub use subset::*;
mod capped;
pub use capped::*;

/// Instructions one render may execute (a typical email template needs a few hundred).
pub const FUEL: u64 = 100_000;
/// The most a template may render to, in bytes (256 KiB).
pub const MAX_OUTPUT_BYTES: usize = 256 * 1024;
/// The longest template source, in characters.
pub const MAX_SOURCE_CHARS: usize = 20_000;

/// Filters templates may use: none of them can grow a value beyond its input.
pub const FILTERS: &[&str] = &[
    "abs", "capitalize", "count", "d", "default", "dictsort", "first", "float", "int", "items", "join", "last",
    "length", "list", "lower", "reverse", "round", "sort", "string", "title", "trim", "unique", "upper",
];

/// A construct outside the subset: its 1-based position and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_allows_what_email_templates_need() {
        for ok in [
            "Hi {{ customer_name | default('there') }}",
            "{% if dyn_order_total > 100 and goal_result == 'success' %}big{% elif not customer_name %}anon{% else %}x{% endif %}",
            "{% for k, v in dynamic_variables | items %}{{ k }}={{ v }}{% endfor %}",
            "{{ conversation_summary | upper }} {{ dynamic_variables['plan'] }} {{ dyn_x is defined }}",
            "{{ dyn_minutes / 60 }} {{ [1, 2] | join(', ') }}",
        ] {
            assert_eq!(check_subset(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn constructs_that_grow_without_bound_are_refused_with_their_position() {
        for (bad, what) in [
            ("{{ 'x' * 99999999 }}", "`*`"),
            ("a\n{{ agent_name ~ agent_name }}", "`~`"),
            ("{{ agent_name + agent_name }}", "`+`"),
            ("{{ 2 ** 64 }}", "`**`"),
            ("{% for i in range(100000000) %}x{% endfor %}", "`range()`"),
            ("{% set a = 1 %}", "set"),
            ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "tag"),
            ("{{ agent_name | replace('a', 'aaaa') }}", "replace"),
            ("{% include 'x' %}", "tag"),
            ("{{ agent_name.upper() }}", "`.upper()`"),
        ] {
            let refusal = check_subset(bad).expect_err(bad);
            assert!(refusal.message.contains(what), "{bad}: {}", refusal.message);
        }
        let r = check_subset("line one\n  {{ 'x' * 3 }}").unwrap_err();
        assert_eq!((r.line, r.column), (2, 6));
        assert!(check_subset(&"x".repeat(MAX_SOURCE_CHARS + 1)).is_err());
    }

    #[test]
    fn capped_output_fails_past_its_limit() {
        use std::io::Write;
        let mut c = Capped::new(4);
        assert!(c.write_all(b"abcd").is_ok());
        assert!(c.write_all(b"e").is_err());
        assert_eq!(c.out, "abcd");
    }
}
