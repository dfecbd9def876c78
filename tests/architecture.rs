//! The pricing core (`src/catalog/`, `src/pricing/`) imports nothing from HTTP, storage or
//! templates: no file there may even mention them. The exports (`src/exports/`) read rows and
//! write bytes: they mention no HTTP and no storage either.

use std::path::{Path, PathBuf};

const FORBIDDEN: &[&str] = &[
    "actix",
    "sqlx",
    "handlebars",
    "typst",
    "crate::api",
    "crate::store",
    "crate::documents",
    "crate::exports",
];

const CORE: &[&str] = &["src/catalog", "src/pricing"];

/// Every file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The forbidden words in `text`, with their line numbers.
fn offences(text: &str) -> Vec<(usize, &'static str)> {
    text.lines()
        .enumerate()
        .flat_map(|(i, line)| {
            FORBIDDEN
                .iter()
                .filter(move |word| line.contains(*word))
                .map(move |word| (i + 1, *word))
        })
        .collect()
}

#[test]
fn the_pricing_core_mentions_no_http_storage_or_templates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    let mut scanned = 0;
    for dir in CORE {
        let mut paths = Vec::new();
        files(&root.join(dir), &mut paths);
        assert!(
            paths.iter().any(|p| p.ends_with("mod.rs")),
            "{dir} must hold the core's modules"
        );
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            scanned += 1;
            for (line, word) in offences(&text) {
                found.push(format!(
                    "{}:{line}: mentions `{word}`",
                    path.strip_prefix(root).unwrap_or(&path).display()
                ));
            }
        }
    }
    assert!(scanned >= 10, "only {scanned} files scanned");
    assert!(
        found.is_empty(),
        "the pricing core must not depend on HTTP, storage or templates:\n{}",
        found.join("\n")
    );
}

/// Words `src/exports/` must not contain: the HTTP and storage layers.
const NOT_IN_EXPORTS: &[&str] = &["actix", "sqlx", "crate::api", "crate::store"];

#[test]
fn the_exports_mention_no_http_or_storage() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    files(&root.join("src/exports"), &mut paths);
    assert!(paths.len() >= 5, "only {} export files", paths.len());
    let mut found = Vec::new();
    for path in paths {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (i, line) in text.lines().enumerate() {
            for word in NOT_IN_EXPORTS.iter().filter(|w| line.contains(**w)) {
                found.push(format!("{}:{}: mentions `{word}`", path.display(), i + 1));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_scan_catches_each_forbidden_word() {
    let sample = "use crate::store::Quotes;\nuse actix_web::HttpResponse;\nlet x = 1;\n";
    assert_eq!(offences(sample), vec![(1, "crate::store"), (2, "actix")]);
    for word in FORBIDDEN {
        assert_eq!(offences(&format!("// {word}")).len(), 1, "{word}");
    }
    assert!(offences("use crate::catalog::Catalog;").is_empty());
}
