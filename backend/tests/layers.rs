//! The backend's layers, checked from its source: no module imports one of a higher layer,
//! every top-level module has a layer, and no import cycle exists, neither between
//! top-level modules nor between files. `docs/architecture.md` ("The layers") explains
//! them; a new module fails here until it is placed in [`LAYERS`].
//!
//! An import is any `crate::…` or `super::…` path in non-test code (`use` trees included),
//! resolved to the deepest module it names. A module's own ancestors and descendants are
//! not imports (a parent declares and re-exports its children; children `use super::*`),
//! nor is the crate root, which only wires the layers together (`Services`, the macros).

// A panic is how a test fails (clippy's test allowance does not reach integration tests).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level modules, bottom layer first. A module may import modules of its own layer
/// or of lower ones, never of a higher one.
const LAYERS: &[(&str, &[&str])] = &[
    ("vocabulary", &["error", "stored", "columns", "types", "throttle", "outbound"]),
    ("schema", &["entities"]),
    (
        "infrastructure",
        &[
            "tenancy", "live", "secrets", "session_store", "settings", "signals", "db", "queue", "audit", "search",
            "telemetry",
        ],
    ),
    (
        "domain",
        &[
            "agents", "calls", "identity", "alerts", "templates", "analysis", "delivery", "tasks", "analyzers", "auth",
            "conditions", "dashboard", "preview", "actions", "notifications", "conversations", "starters", "editor",
            "integrations", "digests",
        ],
    ),
    ("handlers", &["jobs", "upgrade"]),
];

type ModPath = Vec<String>;

/// Every `.rs` file under `dir` as (module path, source).
fn read_modules(dir: &Path, root: &Path, out: &mut Vec<(ModPath, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_modules(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under src").with_extension("");
            let mut parts: ModPath = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
                parts.pop();
            }
            out.push((parts, std::fs::read_to_string(&path).expect("read file")));
        }
    }
}

/// The source without comments, string and char literals, and the `#[cfg(test)] mod tests`
/// module (tests may reach anywhere).
fn code_only(src: &str) -> String {
    let src = match src.find("#[cfg(test)]\nmod tests") {
        Some(at) => &src[..at],
        None => src,
    };
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                i = j + close.len();
                out.push_str("\"\"");
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                i += 2;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
                i += 1;
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 3,
            _ => {
                // Multi-byte UTF-8 characters are copied whole.
                let len = src[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&src[i..i + len]);
                i += len;
            }
        }
    }
    out
}

/// A minimal reader of Rust paths and `use` trees.
struct Paths<'a> {
    s: &'a [u8],
    i: usize,
}

impl Paths<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_') {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.s[self.i..].starts_with(token.as_bytes()) {
            self.i += token.len();
            true
        } else {
            false
        }
    }

    /// Reads the rest of a path after `prefix` (which ended with `::`): every full path it
    /// names, a `{…}` group expanded.
    fn tree(&mut self, prefix: ModPath, out: &mut Vec<ModPath>) {
        let mut path = prefix;
        loop {
            if self.eat("{") {
                loop {
                    if self.eat("}") {
                        break;
                    }
                    self.tree(path.clone(), out);
                    if !self.eat(",") {
                        self.eat("}");
                        break;
                    }
                }
                return;
            }
            if self.eat("*") {
                out.push(path);
                return;
            }
            match self.ident() {
                Some(id) if id == "self" => {}
                Some(id) => path.push(id),
                None => break,
            }
            if !self.eat("::") {
                break;
            }
        }
        if self.eat("as") {
            self.ident();
        }
        out.push(path);
    }
}

/// The module paths `code` (of module `me`) refers to through `crate::` and `super::`.
fn referenced(me: &ModPath, code: &str) -> Vec<ModPath> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b':');
        if boundary && b[i..].starts_with(b"crate::") {
            let mut p = Paths { s: b, i: i + "crate::".len() };
            p.tree(Vec::new(), &mut out);
            i = p.i.max(i + 1);
        } else if boundary && b[i..].starts_with(b"super::") {
            let mut j = i;
            let mut base = me.clone();
            // `super` is the parent of the file's module (`a/b.rs` and `a/b/mod.rs` alike).
            while b[j..].starts_with(b"super::") {
                base.pop();
                j += "super::".len();
            }
            let mut p = Paths { s: b, i: j };
            p.tree(base, &mut out);
            i = p.i.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The file-level import graph of `modules`: module → modules it imports.
fn graph(modules: &[(ModPath, String)]) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let known: BTreeSet<&ModPath> = modules.iter().map(|(m, _)| m).collect();
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (me, src) in modules {
        let entry = edges.entry(me.clone()).or_default();
        for path in referenced(me, &code_only(src)) {
            let target = (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| known.contains(p));
            let Some(target) = target else { continue };
            let related = target.starts_with(me) || me.starts_with(&target);
            if !related {
                entry.insert(target);
            }
        }
    }
    edges
}

/// The graph collapsed onto top-level modules.
fn top_level(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> BTreeMap<String, BTreeSet<String>> {
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in edges {
        let Some(f) = from.first() else { continue };
        let entry = top.entry(f.clone()).or_default();
        for to in tos {
            if let Some(t) = to.first()
                && t != f
            {
                entry.insert(t.clone());
            }
        }
    }
    top
}

/// One import cycle of `edges`, as the nodes along it (first repeated last), if any.
fn find_cycle<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Option<Vec<N>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit<N: Ord + Clone>(
        n: &N,
        edges: &BTreeMap<N, BTreeSet<N>>,
        marks: &mut BTreeMap<N, Mark>,
        stack: &mut Vec<N>,
    ) -> Option<Vec<N>> {
        match marks.get(n) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let at = stack.iter().position(|s| s == n).unwrap_or(0);
                let mut cycle = stack[at..].to_vec();
                cycle.push(n.clone());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(n.clone(), Mark::Open);
        stack.push(n.clone());
        for next in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, edges, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(n.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for n in edges.keys() {
        if let Some(c) = visit(n, edges, &mut marks, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

/// Every problem of the layering: unplaced modules and imports of a higher layer.
fn layer_violations(top: &BTreeMap<String, BTreeSet<String>>, layers: &[(&str, &[&str])]) -> Vec<String> {
    let layer_of = |m: &str| layers.iter().position(|(_, ms)| ms.contains(&m));
    let mut problems = Vec::new();
    for (from, tos) in top {
        let Some(lf) = layer_of(from) else {
            problems.push(format!("module `{from}` is in no layer: add it to LAYERS"));
            continue;
        };
        for to in tos {
            match layer_of(to) {
                Some(lt) if lt > lf => problems
                    .push(format!("`{from}` ({}) imports `{to}` ({}), a higher layer", layers[lf].0, layers[lt].0)),
                _ => {}
            }
        }
    }
    problems
}

fn backend_modules() -> Vec<(ModPath, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = Vec::new();
    read_modules(&src, &src, &mut modules);
    assert!(modules.len() > 50, "found only {} source files under {}", modules.len(), src.display());
    modules
}

fn show(cycle: &[ModPath]) -> String {
    cycle.iter().map(|m| m.join("::")).collect::<Vec<_>>().join(" -> ")
}

#[test]
fn no_file_imports_in_a_cycle() {
    let edges = graph(&backend_modules());
    assert!(edges.values().map(BTreeSet::len).sum::<usize>() > 200, "the import graph looks empty");
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import cycle between files: {}", show(&cycle));
    }
}

#[test]
fn top_level_modules_form_layers_without_cycles() {
    let top = top_level(&graph(&backend_modules()));
    if let Some(cycle) = find_cycle(&top) {
        panic!("import cycle between modules: {}", cycle.join(" -> "));
    }
    let problems = layer_violations(&top, LAYERS);
    // Among them: a domain module that imports `jobs` instead of queueing a `queue` payload.
    assert!(problems.is_empty(), "layering broken:\n{}", problems.join("\n"));
}

#[test]
fn the_checks_catch_a_cycle_and_a_layer_violation() {
    let m = |p: &str, s: &str| (p.split("::").filter(|x| !x.is_empty()).map(str::to_owned).collect(), s.to_owned());
    let modules = vec![
        m("", "mod low; mod high;"),
        m("low", "pub fn f() { let s = \"crate::high::fake\"; }\n// crate::high::also_fake\n"),
        m("low::inner", "use crate::{high::{self, Thing as T}, low};"),
        m("high", "use super::low::f;\npub struct Thing;"),
    ];
    let edges = graph(&modules);
    let low_inner = vec!["low".to_owned(), "inner".to_owned()];
    assert_eq!(
        edges[&low_inner],
        BTreeSet::from([vec!["high".to_owned()]]),
        "a use tree names `high`; the parent `low` is not an import"
    );
    assert!(edges[&vec!["low".to_owned()]].is_empty(), "strings and comments are not imports");
    let top = top_level(&edges);
    assert!(find_cycle(&top).is_some(), "low -> high -> low is a cycle");
    let problems = layer_violations(&top, &[("bottom", &["low"]), ("top", &["high"])]);
    assert_eq!(problems, vec!["`low` (bottom) imports `high` (top), a higher layer".to_owned()]);
    let problems = layer_violations(&top, &[("bottom", &["low"])]);
    assert_eq!(problems, vec!["module `high` is in no layer: add it to LAYERS".to_owned()]);
}
