//! The readers behind `tests/architecture.rs`, kept apart so that file stays short: `crate::`
//! paths and `pub use` re-exports in a source file, the modules `src/lib.rs` declares, and the
//! module graph of the arrow table with its cycles. Pure functions over text; no files read.

use std::collections::{BTreeMap, BTreeSet};

/// `text` without comments and without its test module (from `#[cfg(test)]` on): tests wire
/// what they need.
fn code(text: &str) -> String {
    text.lines()
        .take_while(|line| line.trim() != "#[cfg(test)]")
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::` path in `text`'s code, with grouped imports expanded: `crate::{a::b, c::{d,
/// e}}` gives `a::b`, `c::d`, `c::e`.
pub fn crate_paths(text: &str) -> Vec<String> {
    let code = code(text);
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `my_crate::...`
        }
        let (paths, used) = tree(rest);
        out.extend(paths);
        rest = &rest[used..];
    }
    out
}

/// Reads one use-tree at the start of `text` (`a::b`, `a::{b, c::d}`, `{a, b}`): its paths and
/// how many bytes it took.
fn tree(text: &str) -> (Vec<String>, usize) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut prefix = String::new();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            i += 1;
            let mut paths = Vec::new();
            loop {
                while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    i += 1;
                    break;
                }
                let (inner, used) = tree(&text[i..]);
                i += used.max(1);
                paths.extend(inner.into_iter().map(|p| join(&prefix, &p)));
            }
            return (paths, i);
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let segment = &text[start..i];
        if segment.is_empty() {
            return (
                vec![prefix].into_iter().filter(|p| !p.is_empty()).collect(),
                i,
            );
        }
        prefix = join(&prefix, segment);
        if text[i..].starts_with("::") {
            i += 2;
        } else {
            return (vec![prefix], i + renamed(&text[i..]));
        }
    }
}

/// How many bytes a rename (` as name`) at the start of `text` takes; 0 when there is none.
fn renamed(text: &str) -> usize {
    let rest = text.trim_start();
    match rest.strip_prefix("as") {
        Some(after) if after.starts_with(char::is_whitespace) => {
            let after = after.trim_start();
            let name = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            text.len() - after.len() + name
        }
        _ => 0,
    }
}

/// `prefix::rest`; `a` for `a` and `self` (from `a::{self, …}`).
fn join(prefix: &str, rest: &str) -> String {
    if rest == "self" && !prefix.is_empty() {
        prefix.to_string()
    } else if prefix.is_empty() {
        rest.to_string()
    } else {
        format!("{prefix}::{rest}")
    }
}

/// The module path of a file: `src/quotes/service/mod.rs` → `quotes::service`,
/// `src/quotes/ports.rs` → `quotes::ports`, `src/lib.rs` → the crate root (empty).
fn module_path(file: &str) -> Vec<String> {
    let file = file.replace('\\', "/");
    let inner = file.strip_prefix("src/").unwrap_or(&file);
    let mut parts: Vec<String> = inner
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] || parts == ["main"] {
        parts.pop();
    }
    parts
}

/// The top-level module a `use` path written in module `here` lands in: the first name after
/// `crate::`, or after enough `super::` to climb to the crate root; `here`'s own top-level
/// module for paths that stay inside (`self::…`, `model::…`, `super::x` below the root).
fn top_of(here: &[String], path: &str) -> Option<String> {
    let mut depth = here.len();
    for segment in path.split("::") {
        match segment {
            "crate" => depth = 0,
            "super" => depth = depth.saturating_sub(1),
            "self" => {}
            name if depth == 0 => return Some(name.to_string()),
            _ => return here.first().cloned(),
        }
    }
    None
}

/// The paths that `pub use` / `pub(crate) use` / `pub(…) use` items in `text` (the file `file`)
/// re-export out of another top-level module, grouped imports expanded.
pub fn crossing(file: &str, text: &str) -> Vec<String> {
    let here = module_path(file);
    let mut out = Vec::new();
    let code = code(text);
    let mut rest = code.as_str();
    while let Some(i) = rest.find("pub") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + "pub".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let mut after = rest.trim_start();
        if after.starts_with('(') {
            let Some(close) = after.find(')') else {
                continue;
            };
            after = after[close + 1..].trim_start();
        }
        let Some(tree_text) = after.strip_prefix("use") else {
            continue;
        };
        if !tree_text.starts_with(|c: char| c.is_whitespace() || c == '{' || c == ':') {
            continue; // `pub user: …`
        }
        for path in tree(tree_text).0 {
            if top_of(&here, &path).is_some_and(|top| here.first() != Some(&top)) {
                out.push(path);
            }
        }
    }
    out
}

/// The modules `src/lib.rs` declares with `mod x;` (`pub`, `pub(crate)` or private).
pub fn declared(lib: &str) -> Vec<String> {
    code(lib)
        .split(';')
        .filter_map(
            |statement| match statement.split_whitespace().collect::<Vec<_>>()[..] {
                [.., "mod", name] => Some(name.to_string()),
                _ => None,
            },
        )
        .collect()
}

/// The modules a table connects: an arrow from each row's module to the top-level module of each
/// path it may name (`quotes::ports` → `quotes`), and from an exception's file's module to its
/// path's. Arrows from a module to itself are left out.
pub fn graph(
    arrows: &[(&str, &[&str])],
    exceptions: &[(&str, &str)],
) -> BTreeMap<String, BTreeSet<String>> {
    let top = |p: &str| p.split("::").next().unwrap_or(p).to_string();
    let rows = arrows
        .iter()
        .flat_map(|(m, paths)| paths.iter().map(move |p| (m.to_string(), top(p))));
    let excepted = exceptions
        .iter()
        .map(|(f, p)| (module_path(f).first().cloned().unwrap_or_default(), top(p)));
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in rows.chain(excepted) {
        let targets = graph.entry(from.clone()).or_default();
        if from != to {
            targets.insert(to);
        }
    }
    graph
}

/// Cycles in `graph`, each written `a → b → a`: a depth-first walk that reaches a module still
/// on its path closes one. Finds at least one cycle whenever there is any.
pub fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    fn walk(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        out: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| m == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            out.push(cycle.join(" → "));
            return;
        }
        if !done.insert(node.to_string()) {
            return;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            walk(next, graph, path, done, out);
        }
        path.pop();
    }
    let (mut done, mut out) = (BTreeSet::new(), Vec::new());
    for node in graph.keys() {
        walk(node, graph, &mut Vec::new(), &mut done, &mut out);
    }
    out
}
