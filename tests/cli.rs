//! The `offerte quote` command: JSON and nothing else on stdout, the same computation the library
//! gives, stdin with `-`, a text summary, and refused input with exit code 2 naming the field.
//! The `offerte export` commands: the files they write, and no file when refused. `offerte
//! catalog diff`: the library's comparison, from files or the folder's versions. `offerte serve`
//! refusing a webhook secret not in the `whsec_` form; `offerte webhook-secret`.

use offerte::catalog::CatalogSet;
use offerte::pricing::{Circumstances, compute};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn pricing_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing")
}

/// A case with explicit dates, so the command's own `today` plays no part. It starts in week
/// 53, so the command also has a warning to write (on stderr).
fn case() -> Value {
    json!({
        "first_sick_day": "2025-01-06",
        "start_date": "2026-01-05",
        "quote_date": "2025-12-15",
        "readiness": "ready_with_support",
        "schooling": "training",
        "intensity": "intensive",
        "options": ["loopbaantest"],
        "language": "en",
    })
}

/// What the library computes for the same input (any `today` will do: the dates are given).
fn library_json(input: &Value) -> Value {
    let set = CatalogSet::load_dir(&pricing_dir()).expect("the default catalog");
    let circumstances = Circumstances::from_json(input.to_string().as_bytes()).expect("valid");
    let computation = compute(&set, &circumstances, "2000-01-01".parse().unwrap()).expect("priced");
    serde_json::to_value(computation).expect("serializes")
}

fn quote(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_offerte"));
    command
        .arg("quote")
        .args(args)
        .arg("--pricing-dir")
        .arg(pricing_dir())
        .env_remove("OFFERTE_PRICING_DIR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(bytes).expect("write stdin");
    }
    child.wait_with_output().expect("the binary ends")
}

fn input_file(dir: &tempfile::TempDir, value: &Value) -> String {
    let path = dir.path().join("case.json");
    std::fs::write(&path, value.to_string()).expect("write input");
    path.to_string_lossy().into_owned()
}

#[test]
fn quote_from_a_file_prints_only_the_computation() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = input_file(&dir, &case());
    let output = quote(&["--input", &file], None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}: {stderr}",
        output.status
    );
    // The whole of stdout is one JSON document (trailing text would not parse).
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON only ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(printed, library_json(&case()));
    assert_eq!(printed["tier"]["code"], json!("m6"));
    // The warning went to stderr, not stdout.
    assert!(
        stderr.contains("warning:") && stderr.contains("week 53"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("warning:"));
}

#[test]
fn quote_reads_standard_input_with_a_dash() {
    let input = case().to_string();
    let output = quote(&["--input", "-"], Some(input.as_bytes()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON only");
    assert_eq!(printed, library_json(&case()));
    // `-i` is the short form.
    let short = quote(&["-i", "-"], Some(input.as_bytes()));
    assert_eq!(short.stdout, output.stdout);
}

#[test]
fn text_format_prints_a_summary() {
    let input = json!({
        "first_sick_day": "2025-01-06",
        "start_date": "2025-03-03",
        "quote_date": "2025-02-20",
        "readiness": "job_ready",
    });
    let output = quote(
        &["--input", "-", "--format", "text"],
        Some(input.to_string().as_bytes()),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "not JSON: {text}"
    );
    for expected in [
        "Pakket 3 maanden (m3), 3 months, 2025-03-03 to 2025-06-02",
        "catalog 2024.1",
        "excl. VAT",
        "1975.00",
        "VAT 21% on 1975.00",
        "414.75",
        "incl. VAT",
        "2389.75",
        "alternatives:",
        "start in week 9, waiting period ends 2027-01-03",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}

#[test]
fn bad_input_exits_2_and_names_the_field() {
    let base = json!({
        "first_sick_day": "2025-01-06",
        "start_date": "2025-03-03",
        "quote_date": "2025-02-20",
        "readiness": "job_ready",
    });
    let with = |key: &str, value: Value| {
        let mut v = base.clone();
        v[key] = value;
        v.to_string()
    };
    let cases = [
        (
            "a diagnosis",
            with("diagnosis", json!("burn-out")),
            "error: diagnosis: ",
            "(unknown_field)",
        ),
        (
            "a start after the waiting period",
            with("start_date", json!("2027-01-03")),
            "error: start_date: ",
            "(after_waiting_period)",
        ),
        (
            "an unknown tier",
            with("tier", json!("m12")),
            "error: tier: ",
            "(unknown_tier)",
        ),
        (
            "a misspelt field",
            base.to_string().replace("\"readiness\"", "\"ready\""),
            "error: ",
            "(unknown_field)",
        ),
        (
            "not JSON",
            "{ first_sick_day".to_string(),
            "error: ",
            "(malformed_json)",
        ),
    ];
    for (what, input, start, code) in cases {
        let output = quote(&["--input", "-"], Some(input.as_bytes()));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert!(output.stdout.is_empty(), "{what}: nothing on stdout");
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with(start) && l.ends_with(code)),
            "{what}: `{start}…{code}` in {stderr}"
        );
    }
}

#[test]
fn a_missing_input_file_fails_without_output() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let missing = dir.path().join("nothing.json");
    let output = quote(&["--input", &missing.to_string_lossy()], None);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing.json"));
}

/// Runs `offerte export ...` in a fresh folder (no `offerte.toml` there) with the repository's
/// catalog.
fn export(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_offerte"))
        .current_dir(dir)
        .arg("export")
        .args(args)
        .arg("--pricing-dir")
        .arg(pricing_dir())
        .env_remove("OFFERTE_PRICING_DIR")
        .env_remove("DATABASE_URL")
        .env_remove("OFFERTE_DATABASE_URL")
        .env_remove("OFFERTE_CONFIG")
        .output()
        .expect("the binary runs")
}

#[test]
fn export_commands_write_the_files() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = |name: &str| dir.path().join(name);
    let ok = |output: Output| {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };

    ok(export(
        dir.path(),
        &[
            "pricing",
            "--format",
            "csv",
            "--version",
            "2024.1",
            "--output",
            "p.csv",
        ],
    ));
    let csv = std::fs::read(path("p.csv")).expect("the CSV");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "nl: a BOM");
    let text = String::from_utf8(csv).unwrap();
    assert!(
        text.contains(";Totaal Pakket 3 maanden;;;;;1975,00;414,75;2389,75\r\n"),
        "{text}"
    );

    ok(export(
        dir.path(),
        &[
            "pricing",
            "--format",
            "csv",
            "--version",
            "2024.1",
            "--part",
            "items",
            "--dialect",
            "intl",
            "--output",
            "i.csv",
        ],
    ));
    let text = std::fs::read_to_string(path("i.csv")).unwrap();
    assert!(text.starts_with("Code,Name,"), "{text}");
    assert!(text.contains("\r\ncoaching,Individual coaching,"), "{text}");

    // The JSON is what the library builds.
    ok(export(
        dir.path(),
        &[
            "pricing",
            "--format",
            "json",
            "--version",
            "2024.1",
            "--output",
            "p.json",
        ],
    ));
    let written: Value = serde_json::from_slice(&std::fs::read(path("p.json")).unwrap()).unwrap();
    let set = CatalogSet::load_dir(&pricing_dir()).expect("the default catalog");
    let catalog = set.version("2024.1").expect("the version");
    let built = offerte::exports::pricing::build(
        &set,
        catalog,
        offerte::catalog::Language::Nl,
        &offerte::exports::pricing::Part::ALL,
    )
    .expect("built");
    assert_eq!(written, serde_json::to_value(built).unwrap());

    ok(export(
        dir.path(),
        &["pricing", "--format", "xlsx", "--output", "p.xlsx"],
    ));
    assert!(std::fs::read(path("p.xlsx")).unwrap().starts_with(b"PK"));

    // The register of a new, empty database: the header only.
    let db = format!("sqlite://{}", path("offerte.db").display());
    ok(export(
        dir.path(),
        &[
            "quotes",
            "--format",
            "csv",
            "--dialect",
            "intl",
            "--database-url",
            &db,
            "--output",
            "q.csv",
        ],
    ));
    let text = std::fs::read_to_string(path("q.csv")).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("Number,Revision,Created,Status,Employer,"),
        "{text}"
    );

    // Refused: exit code 2, and no file (nor a partial one) left behind.
    for args in [
        vec![
            "quotes",
            "--format",
            "csv",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
            "--database-url",
            &db,
            "--output",
            "bad.csv",
        ],
        vec![
            "invoicing",
            "--format",
            "csv",
            "--from",
            "2026-01-01",
            "--to",
            "9999-12-31",
            "--database-url",
            &db,
            "--output",
            "bad.csv",
        ],
        vec![
            "pricing",
            "--format",
            "csv",
            "--version",
            "1999.9",
            "--output",
            "bad.csv",
        ],
    ] {
        let output = export(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!path("bad.csv").exists(), "{args:?}");
        assert!(!path(".bad.csv.part").exists(), "{args:?}");
    }
}

#[test]
fn a_webhook_secret_not_in_whsec_form_stops_the_start_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_offerte"))
        .current_dir(dir.path())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("OFFERTE_WEBHOOK_URL", "https://crm.example/hook")
        .env("OFFERTE_WEBHOOK_SECRET", "a-plain-shared-secret")
        .env("OFFERTE_LOG", "error")
        .output()
        .expect("offerte runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("webhook_secret") && stderr.contains("whsec_"),
        "{stderr}"
    );
    assert!(!stderr.contains("a-plain-shared-secret"), "{stderr}");
}

#[test]
fn an_smtp_ca_file_that_cannot_be_used_stops_the_start_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("not-a-ca.pem"), "hello").unwrap();
    for (env, reason) in [
        (
            vec![("OFFERTE_SMTP_CA_FILE", "ca.pem")],
            "smtp_ca_file is set but smtp_url is not",
        ),
        (
            vec![
                ("OFFERTE_SMTP_URL", "smtp://127.0.0.1:2525?tls=starttls"),
                ("OFFERTE_SMTP_CA_FILE", "missing.pem"),
            ],
            "smtp_ca_file: reading missing.pem",
        ),
        (
            vec![
                ("OFFERTE_SMTP_URL", "smtps://user:geheim@127.0.0.1:2465"),
                ("OFFERTE_SMTP_CA_FILE", "not-a-ca.pem"),
            ],
            "holds no PEM certificate",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_offerte"))
            .current_dir(dir.path())
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--database-url",
                "sqlite::memory:",
            ])
            .envs(env)
            .env("OFFERTE_PRICING_DIR", pricing_dir())
            .env(
                "OFFERTE_TEMPLATES_DIR",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            )
            .env("OFFERTE_LOG", "error")
            .output()
            .expect("offerte runs");
        assert!(!output.status.success(), "{reason}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{reason}: {stderr}");
        assert!(!stderr.contains("geheim"), "{stderr}");
    }
}

#[test]
fn webhook_secret_makes_a_secret_the_server_takes() {
    let output = Command::new(env!("CARGO_BIN_EXE_offerte"))
        .arg("webhook-secret")
        .output()
        .expect("offerte runs");
    assert!(output.status.success());
    let secret = String::from_utf8(output.stdout).unwrap().trim().to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    offerte::delivery::signature::Secret::parse(&secret).expect("a valid secret");
    let again = Command::new(env!("CARGO_BIN_EXE_offerte"))
        .arg("webhook-secret")
        .output()
        .unwrap();
    assert_ne!(String::from_utf8(again.stdout).unwrap().trim(), secret);
}

/// Runs `offerte catalog diff ...` in `dir` (no `offerte.toml` there).
fn catalog_diff(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_offerte"))
        .current_dir(dir)
        .args(["catalog", "diff"])
        .args(args)
        .env_remove("OFFERTE_PRICING_DIR")
        .env_remove("OFFERTE_CONFIG")
        .output()
        .expect("the binary runs")
}

#[test]
fn catalog_diff_compares_two_versions() {
    let dir = tempfile::tempdir().expect("a folder");
    let folder = dir.path().join("pricing");
    std::fs::create_dir(&folder).unwrap();
    let old_file = folder.join("2024-01-01.toml");
    std::fs::copy(pricing_dir().join("2024-01-01.toml"), &old_file).unwrap();
    let new_text = std::fs::read_to_string(&old_file)
        .unwrap()
        .replacen("version = \"2024.1\"", "version = \"2025.1\"", 1)
        .replacen("valid_from = 2024-01-01", "valid_from = 2025-01-01", 1)
        .replacen(
            "bundle_price = \"2500.00\"",
            "bundle_price = \"2600.00\"",
            1,
        );
    let new_file = folder.join("2025-01-01.toml");
    std::fs::write(&new_file, new_text).unwrap();
    let set = CatalogSet::load_dir(&folder).expect("two versions");
    let library = offerte::exports::catalog_diff::diff(
        &set,
        set.version("2024.1").unwrap(),
        &set,
        set.version("2025.1").unwrap(),
        offerte::catalog::Language::Nl,
    )
    .expect("compared");

    // Two files, as JSON to a file: the library's comparison.
    let (old, new) = (old_file.to_string_lossy(), new_file.to_string_lossy());
    let output = catalog_diff(
        dir.path(),
        &[&old, &new, "--format", "json", "--output", "d.json"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("d.json")).unwrap()).unwrap();
    assert_eq!(written, serde_json::to_value(&library).unwrap());
    assert_eq!(written["tiers"][1]["difference"], json!("100.00"));

    // Version names and dates of the folder, CSV (the default) to standard output.
    let folder_arg = folder.to_string_lossy();
    for (from, to) in [("2024.1", "2025.1"), ("2024-12-31", "2025-01-01")] {
        let output = catalog_diff(
            dir.path(),
            &[from, to, "--pricing-dir", &folder_arg, "--dialect", "intl"],
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).expect("UTF-8");
        assert!(
            text.starts_with("Variation,Tier,Tier name,Change,"),
            "{text}"
        );
        assert!(
            text.contains(
                "\r\n,m6,6-month package,changed,2500.00,2600.00,100.00,4.00,3025.00,3146.00\r\n"
            ),
            "{text}"
        );
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("5 of 20 tier prices differ"),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The item price list as XLSX.
    let output = catalog_diff(
        dir.path(),
        &[
            &old,
            "2025.1",
            "--pricing-dir",
            &folder_arg,
            "--format",
            "xlsx",
            "-o",
            "d.xlsx",
        ],
    );
    assert!(output.status.success());
    assert!(
        std::fs::read(dir.path().join("d.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );

    // Refused: exit code 2 naming what is wrong, and no file left behind.
    for (args, says) in [
        (
            vec![
                &*old,
                "1999.9",
                "--pricing-dir",
                &folder_arg,
                "-o",
                "bad.csv",
            ],
            "NEW: `1999.9`",
        ),
        (
            vec![
                "2023-12-31",
                &*new,
                "--pricing-dir",
                &folder_arg,
                "-o",
                "bad.csv",
            ],
            "OLD: `2023-12-31`",
        ),
        (
            vec![&*old, &*new, "--part", "variations", "-o", "bad.csv"],
            "part must be tiers or items",
        ),
        (
            vec![&*old, &*new, "--format", "xlsx"],
            "xlsx needs --output",
        ),
    ] {
        let output = catalog_diff(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!dir.path().join("bad.csv").exists(), "{args:?}");
        assert!(!dir.path().join(".bad.csv.part").exists(), "{args:?}");
    }
}

/// The catalog versions in a database through the command line: the first use imports the
/// folder; a new file is published (a broken one refused with its key path, exit 2); export
/// writes the stored files back byte for byte; import skips what is stored.
#[test]
fn catalog_publish_import_and_export_through_the_command_line() {
    let work = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", work.path().join("catalog.db").display());
    let catalog = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_offerte"))
            .arg("catalog")
            .args(args)
            .args(["--database-url", &url])
            .env("OFFERTE_PRICING_DIR", pricing_dir())
            .env_remove("DATABASE_URL")
            .current_dir(work.path())
            .output()
            .unwrap()
    };
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(2);
    let original = std::fs::read_to_string(pricing_dir().join("2024-01-01.toml")).unwrap();
    let next = original
        .replacen("version = \"2024.1\"", "version = \"2099.1\"", 1)
        .replacen(
            "valid_from = 2024-01-01",
            &format!("valid_from = {tomorrow}"),
            1,
        );
    let file = work.path().join("next.toml");
    std::fs::write(&file, &next).unwrap();
    let out = catalog(&["publish", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("published version 2099.1"));

    let broken = work.path().join("broken.toml");
    std::fs::write(
        &broken,
        next.replacen("version = \"2099.1\"", "version = \"../x\"", 1),
    )
    .unwrap();
    let out = catalog(&["publish", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("version: use 1-40 of letters"));

    let exported = work.path().join("exported");
    let out = catalog(&["export", exported.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: String| std::fs::read_to_string(exported.join(name)).unwrap();
    assert_eq!(read("2024-01-01.toml".into()), original);
    assert_eq!(read(format!("{tomorrow}.toml")), next);

    let out = catalog(&["import", pricing_dir().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("is stored already"));
}
