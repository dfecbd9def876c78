//! The arrows between the service's rooms, checked by reading every `crate::` path in `src/`
//! (`use` lines, grouped `use crate::{a, b::{c}}` imports and paths written inline) against the
//! table below. Each row: a module, then the `crate::` paths it may name (a path is allowed when
//! it starts with one of them). Everything not listed is refused, so no handler reaches storage
//! and storage reaches no service. Also: no source file over 500 lines.

use std::path::{Path, PathBuf};

/// Who may name whom. `app`, `cli` and `main` wire everything and are not checked.
const ARROWS: &[(&str, &[&str])] = &[
    // The pure core.
    ("catalog", &[]),
    ("pricing", &["catalog"]),
    ("access", &[]),
    ("telemetry", &["config"]),
    ("delivery", &[]),
    // What every storage port shares: row versions, storage failures, constraint names.
    ("storage", &[]),
    // The domain: rules and the interfaces (ports) it needs from outside.
    (
        "quotes",
        &[
            "pricing",
            "catalog",
            "outbox::model",
            "outbox::webhooks",
            "outbox::ports",
            "storage",
        ],
    ),
    // The outbox: jobs (model), what it needs from a database, the worker that sends.
    ("outbox", &["storage", "delivery"]),
    // Requests queue their webhook events in the outbox, as quotes do.
    (
        "requests",
        &[
            "quotes",
            "pricing",
            "catalog",
            "outbox::model",
            "outbox::webhooks",
            "storage",
        ],
    ),
    // Storage serves the domain: its models and ports only, never its services.
    (
        "store",
        &[
            "quotes::model",
            "quotes::ports",
            "quotes::lifecycle",
            "requests::model",
            "requests::ports",
            "outbox::model",
            "outbox::ports",
            "outbox::service",
            "outbox::webhooks",
            "pricing",
            "catalog",
            "storage",
        ],
    ),
    // Rendering and exports read the core and the quote records.
    (
        "documents",
        &[
            "pricing",
            "catalog",
            "quotes::model",
            "quotes::ports",
            "quotes::lifecycle",
        ],
    ),
    (
        "exports",
        &["pricing", "catalog", "quotes::model", "quotes::lifecycle"],
    ),
    // Settings check webhook secrets, event filters and the SMTP relay when they load.
    (
        "config",
        &[
            "access",
            "delivery::relay",
            "delivery::signature",
            "outbox::webhooks",
        ],
    ),
    // The HTTP face calls services; only its shared state names the store (to hand it to them).
    (
        "api",
        &[
            "access",
            "catalog",
            "config",
            "documents",
            "exports",
            "outbox",
            "pricing",
            "quotes",
            "requests",
            "storage",
        ],
    ),
];

/// Files allowed one more arrow than their module.
const EXCEPTIONS: &[(&str, &str)] = &[("src/api/state.rs", "store")];

/// The wiring: may name anything.
const WIRING: &[&str] = &["app", "cli", "lib", "main"];

/// Every file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::` path in `text`, with grouped imports expanded: `crate::{a::b, c::{d, e}}`
/// gives `a::b`, `c::d`, `c::e`. Comments are skipped, and so is a file's test module (from
/// `#[cfg(test)]` on): tests wire what they need.
fn crate_paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .take_while(|line| line.trim() != "#[cfg(test)]")
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
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
            return (vec![prefix], i);
        }
    }
}

fn join(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() {
        rest.to_string()
    } else {
        format!("{prefix}::{rest}")
    }
}

/// `src/quotes/service/mod.rs` → `quotes`; `src/app.rs` → `app`.
fn module_of(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root.join("src")).expect("under src");
    let first = relative.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

fn allowed(module: &str, file: &str, path: &str) -> bool {
    let own = path == module || path.starts_with(&format!("{module}::"));
    let starts = |p: &str| path == p || path.starts_with(&format!("{p}::"));
    let listed = ARROWS
        .iter()
        .find(|(m, _)| *m == module)
        .unwrap_or_else(|| panic!("module `{module}` has no row in ARROWS"))
        .1
        .iter()
        .any(|p| starts(p));
    let excepted = EXCEPTIONS.iter().any(|(f, p)| *f == file && starts(p));
    own || listed || excepted
}

#[test]
fn every_module_names_only_what_the_table_allows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("src"), &mut paths);
    let mut offences = Vec::new();
    let mut checked = 0;
    for path in &paths {
        let module = module_of(root, path);
        if WIRING.contains(&module.as_str()) {
            continue;
        }
        let file = path.strip_prefix(root).unwrap().display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        for named in crate_paths(&text) {
            checked += 1;
            if !allowed(&module, &file, &named) {
                offences.push(format!("{file}: `{module}` may not name `crate::{named}`"));
            }
        }
    }
    assert!(checked > 100, "only {checked} paths read");
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}

#[test]
fn no_source_file_is_over_500_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("src"), &mut paths);
    let long: Vec<String> = paths
        .iter()
        .filter_map(|p| {
            let lines = std::fs::read_to_string(p).unwrap().lines().count();
            (lines > 500).then(|| format!("{}: {lines} lines", p.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these:\n{}", long.join("\n"));
}

#[test]
fn the_core_and_exports_use_no_http_sql_or_templates() {
    // Beyond `crate::` paths: the pure core names no outside framework either.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (dir, words) in [
        ("src/catalog", &["actix", "sqlx", "handlebars", "typst"][..]),
        ("src/pricing", &["actix", "sqlx", "handlebars", "typst"][..]),
        ("src/quotes", &["actix", "sqlx", "handlebars", "typst"][..]),
        ("src/requests", &["actix", "sqlx"][..]),
        ("src/exports", &["actix", "sqlx"][..]),
    ] {
        let mut paths = Vec::new();
        files(&root.join(dir), &mut paths);
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if let Some(word) = words.iter().find(|w| line.contains(**w)) {
                    panic!("{}:{}: mentions `{word}`", path.display(), n + 1);
                }
            }
        }
    }
}

#[test]
fn the_reader_expands_grouped_imports() {
    let sample = "use crate::{a::b, c::{d, e::f}};\nuse crate::g::H;\nlet x = crate::i::j(1); // crate::k\nmy_crate::z;";
    assert_eq!(
        crate_paths(sample),
        vec!["a::b", "c::d", "c::e::f", "g::H", "i::j"]
    );
    assert!(!allowed(
        "store",
        "src/store/x.rs",
        "quotes::service::create"
    ));
    assert!(allowed("store", "src/store/x.rs", "quotes::ports::Stored"));
    assert!(!allowed("api", "src/api/quotes.rs", "store::Store"));
    assert!(allowed("api", "src/api/state.rs", "store::Store"));
}
