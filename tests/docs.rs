//! The documentation kept honest against the code:
//!
//! - every key of `offerte::config::RawSettings` has a row in a table of `docs/configuration.md`
//!   that names it as `` `key` `` in its first cell, together with its environment variable;
//! - every operation of `openapi/openapi.json` is a row of the README's API table, and every row
//!   of that table is an operation, with a role that agrees with the spec's security;
//! - every relative link in `README.md` and `docs/*.md` points at a file that exists (and, with
//!   a `#fragment`, at a heading of that file), and the README links every document in `docs/`;
//! - the README stays a front door: at most 250 lines.
//!
//! The README's API table is the first table under the heading `## The API at a glance`. Each
//! row is `` | `METHOD` | `/path` | role | what | ``: the method in capitals and the path exactly
//! as the OpenAPI document writes it, each in backticks; the role `public…` for an operation
//! without security, else `sales`, `finance` or `admin`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const README_MAX_LINES: usize = 250;
const API_HEADING: &str = "## The API at a glance";
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The Markdown files the checks cover: `README.md` and every `docs/*.md`, relative to the root.
fn markdown_files() -> Vec<String> {
    let mut files = vec!["README.md".to_string()];
    let docs = root().join("docs");
    let mut names: Vec<String> = std::fs::read_dir(&docs)
        .unwrap_or_else(|e| panic!("reading {}: {e}", docs.display()))
        .map(|entry| entry.expect("a directory entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .collect();
    names.sort();
    files.extend(names.into_iter().map(|name| format!("docs/{name}")));
    files
}

/// The lines of a Markdown text outside fenced code blocks, with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push((i + 1, line));
        }
    }
    out
}

/// The cells of a table row (`| a | b \| c |` gives `a`, `b \| c`), trimmed; `None` when the
/// line is not a table row.
fn cells(line: &str) -> Option<Vec<String>> {
    let line = line.trim();
    if !line.starts_with('|') {
        return None;
    }
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line[1..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('\\');
                cell.push(chars.next().expect("peeked"));
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
    }
    if !cell.trim().is_empty() {
        cells.push(cell.trim().to_string());
    }
    Some(cells)
}

/// A separator row such as `|---|:---:|`.
fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// `` `text` `` → `text`; anything else → `None`.
fn in_backticks(cell: &str) -> Option<&str> {
    cell.strip_prefix('`')?
        .strip_suffix('`')
        .filter(|inner| !inner.contains('`'))
}

/// Whether `needle` occurs in `text` as a whole word: not preceded or followed by a letter,
/// digit or `_` (so `OFFERTE_BIND` is not found inside `OFFERTE_BINDING`).
fn contains_word(text: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(needle).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + needle.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

#[test]
fn every_setting_has_a_row_in_the_configuration_document() {
    let settings = serde_json::to_value(offerte::config::RawSettings::default())
        .expect("the settings serialize to JSON");
    let keys: Vec<&String> = settings
        .as_object()
        .expect("the settings serialize to a JSON object")
        .keys()
        .collect();
    assert!(keys.len() > 10, "suspiciously few settings: {keys:?}");

    let document = read("docs/configuration.md");
    // The rows of every table, by the `key` in their first cell.
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, line) in prose_lines(&document) {
        if let Some(cells) = cells(line)
            && let Some(first) = cells.first()
        {
            for part in first.split(',') {
                if let Some(key) = in_backticks(part.trim()) {
                    rows.entry(key.to_string())
                        .or_default()
                        .push(line.to_string());
                }
            }
        }
    }

    let mut missing = Vec::new();
    for key in keys {
        let Some(key_rows) = rows.get(key.as_str()) else {
            missing.push(format!(
                "no table row whose first cell is `{key}` (the setting `{key}`)"
            ));
            continue;
        };
        let row = key_rows.join("\n");
        let mut variables = Vec::new();
        if key != "webhooks" {
            // `webhooks` is file-only: `[[webhooks]]` tables in offerte.toml.
            variables.push(format!("OFFERTE_{}", key.to_uppercase()));
        }
        if key == "database_url" {
            variables.push("DATABASE_URL".to_string());
        }
        for variable in variables {
            if !contains_word(&row, &variable) {
                missing.push(format!(
                    "the environment variable {variable} in the row of `{key}`"
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/configuration.md is missing:\n  - {}",
        missing.join("\n  - ")
    );
}

/// One row of the README's API table.
#[derive(Debug)]
struct ApiRow {
    line: usize,
    method: String,
    path: String,
    role: String,
}

/// The rows of the first table under [`API_HEADING`] in the README.
fn api_table(readme: &str) -> Vec<ApiRow> {
    let lines = prose_lines(readme);
    let start = lines
        .iter()
        .position(|(_, line)| line.trim() == API_HEADING)
        .unwrap_or_else(|| panic!("README.md has no heading `{API_HEADING}`"));
    let mut rows = Vec::new();
    let mut in_table = false;
    let mut problems = Vec::new();
    for (number, line) in &lines[start + 1..] {
        if line.starts_with("## ") {
            break;
        }
        let Some(cells) = cells(line) else {
            if in_table {
                break; // the table ended
            }
            continue;
        };
        if !in_table {
            in_table = true; // the header row
            continue;
        }
        if is_separator(&cells) {
            continue;
        }
        match (
            cells.first().and_then(|c| in_backticks(c)),
            cells.get(1).and_then(|c| in_backticks(c)),
            cells.get(2),
        ) {
            (Some(method), Some(path), Some(role)) if cells.len() >= 4 => rows.push(ApiRow {
                line: *number,
                method: method.to_string(),
                path: path.to_string(),
                role: role.clone(),
            }),
            _ => problems.push(format!(
                "README.md:{number}: not a row of the form | `METHOD` | `/path` | role | what |: {line}"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        !rows.is_empty(),
        "README.md: no table under `{API_HEADING}`"
    );
    rows
}

#[test]
fn every_operation_is_a_row_of_the_readme_api_table() {
    let spec: serde_json::Value =
        serde_json::from_str(&read("openapi/openapi.json")).expect("openapi.json is JSON");
    // (METHOD, path) → whether the operation needs a key.
    let mut operations: BTreeMap<(String, String), bool> = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("the spec has `paths`") {
        for (method, operation) in item.as_object().expect("a path item is an object") {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue; // `parameters`, `summary` and the like
            }
            let needs_key = operation["security"]
                .as_array()
                .or_else(|| spec["security"].as_array())
                .is_some_and(|requirements| {
                    requirements
                        .iter()
                        .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
                });
            operations.insert((method.to_uppercase(), path.clone()), needs_key);
        }
    }
    assert!(!operations.is_empty(), "the spec lists no operation");

    let rows = api_table(&read("README.md"));
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for row in &rows {
        let operation = (row.method.clone(), row.path.clone());
        if !seen.insert(operation.clone()) {
            problems.push(format!(
                "README.md:{}: `{} {}` is listed twice",
                row.line, row.method, row.path
            ));
        }
        match operations.get(&operation) {
            None => problems.push(format!(
                "README.md:{}: `{} {}` is not an operation of openapi/openapi.json",
                row.line, row.method, row.path
            )),
            Some(&needs_key) => {
                let public = row.role.starts_with("public");
                if public == needs_key {
                    problems.push(format!(
                        "README.md:{}: `{} {}` has the role `{}`, but the spec says it {}",
                        row.line,
                        row.method,
                        row.path,
                        row.role,
                        if needs_key {
                            "needs a key"
                        } else {
                            "is public"
                        }
                    ));
                }
                if needs_key
                    && !["sales", "finance", "admin", "operator"]
                        .iter()
                        .any(|r| contains_word(&row.role, r))
                {
                    problems.push(format!(
                        "README.md:{}: `{} {}`: the role `{}` names none of sales, finance, admin, operator",
                        row.line, row.method, row.path, row.role
                    ));
                }
            }
        }
    }
    for (method, path) in operations.keys() {
        if !seen.contains(&(method.clone(), path.clone())) {
            problems.push(format!(
                "README.md: the API table has no row for `{method}` `{path}`"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// GitHub's anchor for a heading: lower case, every character but letters, digits, spaces,
/// `-` and `_` dropped, spaces turned into `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown text's headings (a repeated heading gets `-1`, `-2`, …).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for (_, line) in prose_lines(text) {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(&line[hashes..]);
        let n = counts.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

/// The targets of the inline links `[text](target)` on a line, code spans left out.
fn link_targets(line: &str) -> Vec<String> {
    let mut prose = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            prose.push(c);
        }
    }
    let mut out = Vec::new();
    let mut rest = prose.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let end = rest.find(')').unwrap_or(rest.len());
        // `[text](target "title")`: the target is the first word.
        let target = rest[..end].split_whitespace().next().unwrap_or("");
        out.push(target.to_string());
        rest = &rest[end..];
    }
    out
}

#[test]
fn every_relative_link_points_at_something_that_exists() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let text = read(&file);
        let dir = Path::new(&file).parent().unwrap_or(Path::new(""));
        for (number, line) in prose_lines(&text) {
            for target in link_targets(line) {
                if target.is_empty() {
                    problems.push(format!("{file}:{number}: an empty link"));
                    continue;
                }
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                checked += 1;
                let (path, fragment) = match target.split_once('#') {
                    Some((path, fragment)) => (path, Some(fragment)),
                    None => (target.as_str(), None),
                };
                let (shown, markdown) = if path.is_empty() {
                    (file.clone(), text.clone())
                } else {
                    let joined = dir.join(path);
                    let full = root().join(&joined);
                    if !full.exists() {
                        problems.push(format!(
                            "{file}:{number}: the link `{target}` points at {}, which does not exist",
                            joined.display()
                        ));
                        continue;
                    }
                    let markdown = if path.ends_with(".md") {
                        std::fs::read_to_string(&full).unwrap_or_default()
                    } else {
                        String::new()
                    };
                    (joined.display().to_string(), markdown)
                };
                if let Some(fragment) = fragment
                    && (shown.ends_with(".md") || path.is_empty())
                    && !anchors(&markdown).contains(fragment)
                {
                    problems.push(format!(
                        "{file}:{number}: the link `{target}`: {shown} has no heading with the anchor `#{fragment}`"
                    ));
                }
            }
        }
    }
    assert!(checked > 20, "suspiciously few relative links: {checked}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_readme_links_every_document() {
    let readme = read("README.md");
    let linked: BTreeSet<String> = prose_lines(&readme)
        .iter()
        .flat_map(|(_, line)| link_targets(line))
        .map(|target| target.split('#').next().unwrap_or("").to_string())
        .collect();
    let unlinked: Vec<String> = markdown_files()
        .into_iter()
        .filter(|file| file.starts_with("docs/") && !linked.contains(file))
        .collect();
    assert!(
        unlinked.is_empty(),
        "README.md links none of: {}",
        unlinked.join(", ")
    );
}

#[test]
fn the_readme_is_a_front_door() {
    let lines = read("README.md").lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines; at most {README_MAX_LINES}: move details into docs/"
    );
}

#[test]
fn the_helpers_read_markdown_as_github_does() {
    assert_eq!(
        slug("The employer's side: e-mail, the online quote, acceptance"),
        "the-employers-side-e-mail-the-online-quote-acceptance"
    );
    assert_eq!(slug("`[[webhooks]]`"), "webhooks");
    assert_eq!(
        slug("Load test (wrk on loopback)"),
        "load-test-wrk-on-loopback"
    );
    assert_eq!(
        anchors("# A\n```\n# not a heading\n```\n## A\n"),
        BTreeSet::from(["a".to_string(), "a-1".to_string()])
    );
    assert_eq!(
        cells("| `GET` | `/a` | sales | `x=1\\|2` |"),
        Some(vec![
            "`GET`".to_string(),
            "`/a`".to_string(),
            "sales".to_string(),
            "`x=1\\|2`".to_string()
        ])
    );
    assert_eq!(
        link_targets("see [a](docs/a.md#b) and `[c](d)` and [e](#f)"),
        vec!["docs/a.md#b".to_string(), "#f".to_string()]
    );
    assert!(contains_word("`OFFERTE_BIND` |", "OFFERTE_BIND"));
    assert!(!contains_word("OFFERTE_BINDING", "OFFERTE_BIND"));
}
