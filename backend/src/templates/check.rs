//! Checking a template at save time: unknown variables and syntax errors, with their position.

#[allow(unused_imports)]
use super::*;

/// Whether `name` (a variable's root, before any `.`) is one templates may use.
pub fn is_known_variable(name: &str) -> bool {
    let root = name.split('.').next().unwrap_or(name);
    root == "dynamic_variables"
        || (root.starts_with("dyn_") && root.len() > 4)
        || SYSTEM_VARIABLES.iter().any(|(n, _)| *n == root)
}

/// `line L, column C` of byte `offset` in `source` (both 1-based).
pub(crate) fn position(source: &str, offset: usize) -> (usize, usize) {
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
    check_template_with(source, field, &[])
}

/// [`check_template`], also allowing the variable roots `extra` (a request body template
/// also reads `analysis`).
///
/// Errors: as for [`check_template`].
pub fn check_template_with(source: &str, field: &str, extra: &[&str]) -> Result<(), Error> {
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
        .filter(|name| !is_known_variable(name) && !extra.contains(&name.split('.').next().unwrap_or(name)))
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
pub(crate) fn find_variable(source: &str, name: &str) -> Option<usize> {
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
