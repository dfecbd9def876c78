//! The arrows between the service's rooms, checked by reading every `crate::` path in `src/`
//! (`use` lines, grouped `use crate::{a, b::{c}}` imports and paths written inline) against the
//! table below. Each row: a module, then the `crate::` paths it may name (a path is allowed when
//! it starts with one of them). Everything not listed is refused, so no handler reaches storage
//! and storage reaches no service. Also checked: the table has no cycle between modules; no
//! module passes another's items on with `pub use` (which would hide an arrow); every module
//! `src/lib.rs` declares has a row (or is wiring) and every row a module; no source file over
//! 500 lines.

#[path = "architecture/read.rs"]
mod read;

use read::{crate_paths, crossing, cycles, declared, graph};
use std::path::{Path, PathBuf};

/// Who may name whom. `app`, `cli` and `main` wire everything and are not checked.
const ARROWS: &[(&str, &[&str])] = &[
    // The pure core.
    ("catalog", &[]),
    ("pricing", &["catalog"]),
    ("access", &[]),
    ("telemetry", &["config"]),
    ("delivery", &[]),
    // Bureaus: who owns what, in a deployment serving many.
    (
        "bureaus",
        &[
            "storage",
            "clock",
            "access",
            "pricing",
            "delivery",
            "outbox::webhooks",
        ],
    ),
    // What every storage port shares: row versions, storage failures, constraint names.
    ("storage", &[]),
    // The time as services read it.
    ("clock", &[]),
    // The vocabulary! macro (used by name, not by path).
    ("words", &[]),
    // The archive of sent documents: its port, the hash-checked read, the object-store adapter.
    ("archive", &["storage"]),
    // Catalog versions in the database: checked by the catalog, kept through their port.
    (
        "publishing",
        &[
            "catalog",
            "storage",
            "clock",
            "outbox::model",
            "outbox::webhooks",
        ],
    ),
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
            "clock",
            "archive",
        ],
    ),
    // The outbox: jobs (model), what it needs from a database, the worker that sends (the
    // attachments it reads from the archive).
    ("outbox", &["storage", "delivery", "clock", "archive"]),
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
            "clock",
        ],
    ),
    // Storage serves the domain: its models and ports only, never its services.
    (
        "store",
        &[
            "quotes::model",
            "quotes::ports",
            "quotes::lifecycle",
            "quotes::consent",
            "requests::model",
            "requests::ports",
            "outbox::model",
            "outbox::ports",
            "outbox::webhooks",
            "pricing",
            "catalog",
            "storage",
            "archive",
            "publishing::model",
            "publishing::ports",
            "bureaus::model",
            "bureaus::ports",
            "access",
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
            "quotes::certificate",
            "quotes::consent",
            "clock",
        ],
    ),
    (
        "exports",
        &[
            "pricing",
            "catalog",
            "quotes::model",
            "quotes::lifecycle",
            "quotes::consent",
            "quotes::ports",
            "storage",
            "clock",
        ],
    ),
    // Settings check webhook secrets, event filters, the SMTP relay and the document store's
    // S3 URL when they load.
    (
        "config",
        &[
            "access",
            "delivery::relay",
            "delivery::signature",
            "outbox::webhooks",
            "archive::s3",
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
            "clock",
            "archive",
            "publishing",
            "bureaus",
            // The bureaus in force with their services: what a key or a link resolves to.
            "tenancy",
        ],
    ),
];

/// Files allowed one more arrow than their module.
const EXCEPTIONS: &[(&str, &str)] = &[("src/api/state.rs", "store")];

/// The wiring: may name anything.
const WIRING: &[&str] = &["app", "cli", "lib", "main", "tenancy"];

/// Files besides `src/lib.rs` and the wiring that may re-export another top-level module's items
/// (`pub use crate::other::…`). Each entry needs a comment saying why: a re-export lets a module
/// name `other` through a third one, past the table.
const REEXPORTS: &[&str] = &[];

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
fn the_table_has_no_cycle() {
    let found = cycles(&graph(ARROWS, EXCEPTIONS));
    assert!(
        found.is_empty(),
        "tests/architecture.rs: ARROWS (with EXCEPTIONS) has a cycle between modules:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_module_re_exports_another_modules_items() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("src"), &mut paths);
    let mut offences = Vec::new();
    for path in &paths {
        let module = module_of(root, path);
        let file = path.strip_prefix(root).unwrap().display().to_string();
        if WIRING.contains(&module.as_str()) || REEXPORTS.contains(&file.as_str()) {
            continue;
        }
        for named in crossing(&file, &std::fs::read_to_string(path).unwrap()) {
            offences.push(format!(
                "{file}: `{module}` re-exports `{named}` from another module; name it where it lives"
            ));
        }
    }
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}

#[test]
fn every_module_has_a_row_and_every_row_a_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let modules = declared(&std::fs::read_to_string(root.join("src/lib.rs")).unwrap());
    assert!(modules.len() > 10, "only {modules:?} read from src/lib.rs");
    let exists = |name: &str| modules.iter().any(|m| m == name);
    let has_row = |name: &str| ARROWS.iter().filter(|(m, _)| *m == name).count();
    let mut offences = Vec::new();
    for module in &modules {
        if has_row(module) == 0 && !WIRING.contains(&module.as_str()) {
            offences.push(format!(
                "src/lib.rs: module `{module}` has no row in ARROWS and is not WIRING"
            ));
        }
    }
    for (module, paths) in ARROWS {
        if !exists(module) {
            offences.push(format!(
                "tests/architecture.rs: ARROWS has a row for `{module}`, a module src/lib.rs does not declare"
            ));
        }
        if has_row(module) > 1 {
            offences.push(format!(
                "tests/architecture.rs: ARROWS has more than one row for `{module}`"
            ));
        }
        for path in paths
            .iter()
            .filter(|p| !exists(p.split("::").next().unwrap()))
        {
            offences.push(format!(
                "tests/architecture.rs: ARROWS row `{module}` names `{path}`, in no module src/lib.rs declares"
            ));
        }
    }
    for (file, path) in EXCEPTIONS {
        if !root.join(file).is_file() || !exists(path.split("::").next().unwrap()) {
            offences.push(format!(
                "tests/architecture.rs: EXCEPTIONS `{file}` → `{path}`: no such file or module"
            ));
        }
    }
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
fn the_readers_and_detectors_find_what_they_look_for() {
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
    let reexports = "use crate::catalog::Item;\npub use crate::quotes::Quote; // crate::x\n\
        // pub use crate::pricing::Money;\n\
        pub(crate) use crate::{pricing, quotes::model::{self as m, Row}};\n\
        pub use super::super::catalog::Language;\npub use super::model::Own;\n\
        pub use self::x::Y;\npub use model::{A, B};\npub use serde::Serialize;\n";
    assert_eq!(
        crossing("src/store/ports.rs", reexports),
        vec![
            "crate::quotes::Quote",
            "crate::pricing",
            "crate::quotes::model",
            "crate::quotes::model::Row",
            "super::super::catalog::Language",
        ]
    );
    assert_eq!(
        crossing("src/quotes/ports.rs", reexports),
        vec!["crate::pricing", "super::super::catalog::Language"]
    );
    let within = "pub use super::super::model::Quote;\npub use crate::quotes::Quote;";
    assert!(crossing("src/quotes/service/send.rs", within).is_empty());
    let table: &[(&str, &[&str])] = &[
        ("a", &["b"]),
        ("b", &["c::x"]),
        ("c", &["a::y"]),
        ("d", &["d::z", "a"]),
    ];
    assert_eq!(cycles(&graph(table, &[])), vec!["a → b → c → a"]);
    let acyclic: &[(&str, &[&str])] = &[("a", &["a::x", "b::y"]), ("b", &[])];
    assert!(cycles(&graph(acyclic, &[])).is_empty());
    assert_eq!(
        cycles(&graph(acyclic, &[("src/b/x.rs", "a::z")])),
        vec!["a → b → a"]
    );
    let lib = "//! mod not_one;\npub mod a;\npub(crate) mod b;\nmod c;\n#[cfg(test)]\nmod tests;";
    assert_eq!(declared(lib), vec!["a", "b", "c"]);
}
