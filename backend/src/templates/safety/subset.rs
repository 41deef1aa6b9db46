//! The template subset an account may write, checked on the parsed template before it is stored: statements, calls and expressions allowed, each refusal with its position.

#[allow(unused_imports)]
use super::*;

pub(crate) fn at(span: minijinja::machinery::Span, message: impl Into<String>) -> Refusal {
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

pub(crate) fn body_ok(body: &[Stmt<'_>]) -> Result<(), Refusal> {
    body.iter().try_for_each(stmt_ok)
}

pub(crate) fn stmt_ok(stmt: &Stmt<'_>) -> Result<(), Refusal> {
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

pub(crate) fn stmt_span(stmt: &Stmt<'_>) -> minijinja::machinery::Span {
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

pub(crate) fn args_ok(args: &[CallArg<'_>]) -> Result<(), Refusal> {
    args.iter().try_for_each(|a| match a {
        CallArg::Pos(e) | CallArg::Kwarg(_, e) | CallArg::PosSplat(e) | CallArg::KwargSplat(e) => expr_ok(e),
    })
}

pub(crate) fn expr_ok(expr: &Expr<'_>) -> Result<(), Refusal> {
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
