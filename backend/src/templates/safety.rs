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

fn at(span: minijinja::machinery::Span, message: impl Into<String>) -> Refusal {
    Refusal { line: usize::from(span.start_line), column: usize::from(span.start_col) + 1, message: message.into() }
}

/// Checks that `source` stays within the subset. Syntax errors are left to minijinja's own
/// compilation (this returns `Ok` for them).
///
/// Errors: the first refused construct.
pub fn check_subset(source: &str) -> Result<(), Refusal> {
    if source.chars().count() > MAX_SOURCE_CHARS {
        return Err(Refusal {
            line: 1,
            column: 1,
            message: format!("templates are at most {MAX_SOURCE_CHARS} characters"),
        });
    }
    match parse(source, "<template>", SyntaxConfig, WhitespaceConfig::default()) {
        Ok(stmt) => stmt_ok(&stmt),
        Err(_) => Ok(()),
    }
}

fn body_ok(body: &[Stmt<'_>]) -> Result<(), Refusal> {
    body.iter().try_for_each(stmt_ok)
}

fn stmt_ok(stmt: &Stmt<'_>) -> Result<(), Refusal> {
    match stmt {
        Stmt::Template(t) => body_ok(&t.children),
        Stmt::EmitRaw(_) => Ok(()),
        Stmt::EmitExpr(e) => expr_ok(&e.expr),
        Stmt::IfCond(c) => {
            expr_ok(&c.expr)?;
            body_ok(&c.true_body)?;
            body_ok(&c.false_body)
        }
        Stmt::ForLoop(f) => {
            if f.recursive {
                return Err(at(f.span(), "recursive loops are not available in templates"));
            }
            expr_ok(&f.target)?;
            expr_ok(&f.iter)?;
            if let Some(e) = &f.filter_expr {
                expr_ok(e)?;
            }
            body_ok(&f.body)?;
            body_ok(&f.else_body)
        }
        Stmt::Set(s) => Err(at(s.span(), "`{% set %}` is not available in templates")),
        Stmt::SetBlock(s) => Err(at(s.span(), "`{% set %}` is not available in templates")),
        Stmt::WithBlock(s) => Err(at(s.span(), "`{% with %}` is not available in templates")),
        Stmt::AutoEscape(s) => {
            Err(at(s.span(), "`{% autoescape %}` is not available in templates: values are escaped for you"))
        }
        Stmt::FilterBlock(s) => Err(at(s.span(), "`{% filter %}` blocks are not available in templates")),
        Stmt::Do(s) => Err(at(s.span(), "`{% do %}` is not available in templates")),
        other => Err(at(stmt_span(other), "this tag is not available in templates (only if and for)")),
    }
}

fn stmt_span(stmt: &Stmt<'_>) -> minijinja::machinery::Span {
    match stmt {
        Stmt::Template(s) => s.span(),
        Stmt::EmitExpr(s) => s.span(),
        Stmt::EmitRaw(s) => s.span(),
        Stmt::ForLoop(s) => s.span(),
        Stmt::IfCond(s) => s.span(),
        Stmt::WithBlock(s) => s.span(),
        Stmt::Set(s) => s.span(),
        Stmt::SetBlock(s) => s.span(),
        Stmt::AutoEscape(s) => s.span(),
        Stmt::FilterBlock(s) => s.span(),
        Stmt::Block(s) => s.span(),
        Stmt::Import(s) => s.span(),
        Stmt::FromImport(s) => s.span(),
        Stmt::Extends(s) => s.span(),
        Stmt::Include(s) => s.span(),
        Stmt::Macro(s) => s.span(),
        Stmt::CallBlock(s) => s.span(),
        Stmt::Do(s) => s.span(),
    }
}

fn args_ok(args: &[CallArg<'_>]) -> Result<(), Refusal> {
    args.iter().try_for_each(|a| match a {
        CallArg::Pos(e) | CallArg::Kwarg(_, e) | CallArg::PosSplat(e) | CallArg::KwargSplat(e) => expr_ok(e),
    })
}

fn expr_ok(expr: &Expr<'_>) -> Result<(), Refusal> {
    match expr {
        Expr::Var(_) | Expr::Const(_) => Ok(()),
        Expr::UnaryOp(u) => expr_ok(&u.expr),
        Expr::BinOp(b) => {
            let refused = match b.op {
                BinOpKind::Add => Some("+"),
                BinOpKind::Mul => Some("*"),
                BinOpKind::Pow => Some("**"),
                BinOpKind::Concat => Some("~"),
                _ => None,
            };
            if let Some(op) = refused {
                return Err(at(b.span(), format!("the operator `{op}` is not available in templates")));
            }
            expr_ok(&b.left)?;
            expr_ok(&b.right)
        }
        Expr::Compare(c) => {
            expr_ok(&c.expr)?;
            c.ops.iter().try_for_each(|op| expr_ok(&op.expr))
        }
        Expr::IfExpr(i) => {
            expr_ok(&i.test_expr)?;
            expr_ok(&i.true_expr)?;
            i.false_expr.as_ref().map_or(Ok(()), expr_ok)
        }
        Expr::Filter(f) => {
            if !FILTERS.contains(&f.name) {
                return Err(at(
                    f.span(),
                    format!(
                        "the filter `{}` is not available in templates (use one of: {})",
                        f.name,
                        FILTERS.join(", ")
                    ),
                ));
            }
            if let Some(e) = &f.expr {
                expr_ok(e)?;
            }
            args_ok(&f.args)
        }
        Expr::Test(t) => {
            expr_ok(&t.expr)?;
            args_ok(&t.args)
        }
        Expr::GetAttr(g) => expr_ok(&g.expr),
        Expr::GetItem(g) => {
            expr_ok(&g.expr)?;
            expr_ok(&g.subscript_expr)
        }
        Expr::Slice(s) => {
            expr_ok(&s.expr)?;
            for part in [&s.start, &s.stop, &s.step].into_iter().flatten() {
                expr_ok(part)?;
            }
            Ok(())
        }
        Expr::List(l) => l.items.iter().try_for_each(expr_ok),
        Expr::Map(m) => {
            m.keys.iter().try_for_each(expr_ok)?;
            m.values.iter().try_for_each(expr_ok)
        }
        Expr::Call(c) => {
            let name = match c.identify_call() {
                ast::CallType::Function(name) => format!("`{name}()`"),
                ast::CallType::Method(_, name) => format!("`.{name}()`"),
                _ => "calls".to_owned(),
            };
            Err(at(c.span(), format!("{name} is not available in templates: functions and methods cannot be called")))
        }
    }
}

/// A `fmt::Write` target that fails once more than its limit was written.
pub struct Capped {
    pub out: String,
    limit: usize,
}

impl Capped {
    /// An empty output that takes at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self { out: String::new(), limit }
    }
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > self.limit {
            return Err(std::io::Error::other(format!("the template renders to more than {} KiB", self.limit / 1024)));
        }
        self.out.push_str(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
