//! Each kind of catalog mistake gives its own message naming the file and the key path. The
//! broken catalogs are the default file with one edit; the binary's `catalog check` is run on
//! the real folder and on a broken copy.

use offerte::catalog::{CatalogError, CatalogSet, Problem};
use std::path::{Path, PathBuf};
use std::process::Command;

const FILE: &str = "2024-01-01.toml";

fn pricing_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing")
}

fn default_text() -> String {
    std::fs::read_to_string(pricing_dir().join(FILE)).expect("the default catalog file")
}

/// The default text with `from` (which must occur exactly once) replaced by `to`.
fn edited(from: &str, to: &str) -> String {
    let text = default_text();
    assert_eq!(
        text.matches(from).count(),
        1,
        "the default catalog must contain `{from}` exactly once"
    );
    text.replace(from, to)
}

/// The default text without the one line that starts with `start`.
fn without_line(start: &str) -> String {
    let text = default_text();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(start)).collect();
    assert_eq!(
        lines.len(),
        1,
        "the default catalog must have one line starting `{start}`"
    );
    text.replace(lines[0], "")
}

/// The problems of a set of files, which must be refused.
fn problems(files: Vec<(&str, String)>) -> Vec<Problem> {
    let files = files.into_iter().map(|(n, t)| (n.to_string(), t)).collect();
    match CatalogSet::from_sources(files) {
        Ok(_) => panic!("the broken catalog was accepted"),
        Err(problems) => problems,
    }
}

/// Asserts one of `problems` is in `file` at `path` with a message containing every fragment.
fn assert_reported<'p>(
    problems: &'p [Problem],
    file: &str,
    path: &str,
    fragments: &[&str],
) -> &'p Problem {
    problems
        .iter()
        .find(|p| {
            p.file == file && p.path == path && fragments.iter().all(|f| p.message.contains(f))
        })
        .unwrap_or_else(|| {
            panic!("no problem at {file}: {path} containing {fragments:?}; got:\n{problems:#?}")
        })
}

#[test]
fn the_default_catalog_has_no_problems() {
    let set = CatalogSet::from_sources(vec![(FILE.to_string(), default_text())])
        .unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(set.versions().len(), 1);
    assert!(CatalogSet::load_dir(&pricing_dir()).is_ok());
}

/// One edit per kind of mistake: (kind, edited text, key path, message fragments).
fn mistakes() -> Vec<(&'static str, String, &'static str, Vec<&'static str>)> {
    let contradictory = "\n[[line_rules]]\nid = \"impossible\"\ngroup = \"extra\"\n\
        when = { all = [ { field = \"readiness\", equals = \"job_ready\" }, { field = \"readiness\", equals = \"needs_time\" } ] }\n\
        add = [ { item = \"rapportage\", fixed = \"1\" } ]\n\
        reason = { nl = \"Kan niet.\", en = \"Cannot be.\" }\n";
    let unconditional = "[[line_rules]]\nid = \"always-training\"\ngroup = \"schooling\"\n\
        add = [ { item = \"sollicitatietraining\", fixed = \"1\" } ]\n\
        reason = { nl = \"Altijd training.\", en = \"Always training.\" }\n\n\
        [[line_rules]]\nid = \"retraining\"";
    vec![
        (
            "unknown key",
            edited(
                "code = \"intake\"\n",
                "code = \"intake\"\nunti = \"one_off\"\n",
            ),
            "items[0].unti",
            vec!["unknown field `unti`"],
        ),
        (
            "duplicate item code",
            edited("code = \"loopbaantest\"", "code = \"profiel\""),
            "items[2].code",
            vec!["duplicate item code `profiel`"],
        ),
        (
            "a tier naming an item that does not exist",
            edited(
                "{ item = \"coaching\", hours_per_month = { light = \"2\",",
                "{ item = \"coachign\", hours_per_month = { light = \"2\",",
            ),
            "tiers[0].lines[2].item",
            vec!["unknown item `coachign`"],
        ),
        (
            "a rule that contradicts itself",
            default_text() + contradictory,
            "line_rules[2].when",
            vec!["`impossible` can never match", "contradicts itself"],
        ),
        (
            "a rule shadowed by an earlier unconditional rule",
            edited("[[line_rules]]\nid = \"retraining\"", unconditional),
            "line_rules[1].when",
            vec![
                "`retraining` can never match",
                "taken first by `always-training`",
            ],
        ),
        (
            "a negative price",
            edited("unit_price = \"89.00\"", "unit_price = \"-89.00\""),
            "items[3].unit_price",
            vec!["must not be negative", "-89.00"],
        ),
        (
            "a float price",
            edited("unit_price = \"89.00\"", "unit_price = 89.5"),
            "items[3].unit_price",
            vec!["floating-point", "89.5"],
        ),
        (
            "a 0% category without an exemption reason",
            without_line("exempt_reason = "),
            "vat.exempt_crkbo.exempt_reason",
            vec!["a 0% category needs the exemption reason"],
        ),
        (
            "no until-the-end tier",
            edited("until_waiting_period_end = true", "months = 12"),
            "tiers",
            vec!["exactly one tier must run until the end", "found 0"],
        ),
        (
            "tier rules that leave a case uncovered",
            edited(
                "when = { field = \"readiness\", equals = \"needs_orientation\" }",
                "when = { all = [ { field = \"readiness\", equals = \"needs_orientation\" }, { field = \"intensity\", equals = \"standard\" } ] }",
            ),
            "tier_rules",
            vec!["no tier rule matches", "readiness = needs_orientation"],
        ),
    ]
}

#[test]
fn each_kind_of_mistake_names_file_key_and_reason() {
    let mut messages = Vec::new();
    for (kind, text, path, fragments) in mistakes() {
        let found = problems(vec![(FILE, text)]);
        let problem = assert_reported(&found, FILE, path, &fragments);
        println!("{kind}: {problem}");
        assert_eq!(
            problem.to_string(),
            format!("{FILE}: {path}: {}", problem.message),
            "{kind}: file: path: message"
        );
        messages.push((kind, problem.message.clone()));
    }
    // Its own message: no two kinds of mistake are reported with the same words.
    for (i, (kind, message)) in messages.iter().enumerate() {
        for (other, other_message) in &messages[i + 1..] {
            assert_ne!(message, other_message, "{kind} and {other} read the same");
        }
    }
}

#[test]
fn an_exemption_reason_only_on_a_zero_rate() {
    let text = edited("rate = \"0\"\nexempt_reason", "rate = \"9\"\nexempt_reason");
    let found = problems(vec![(FILE, text)]);
    assert_reported(
        &found,
        FILE,
        "vat.exempt_crkbo.exempt_reason",
        &["only a 0% (exempt) category"],
    );
}

#[test]
fn overlapping_versions_are_refused_and_distinct_ones_accepted() {
    // A copy meant for mid-2024 whose valid_from was not changed.
    let later = default_text().replace("version = \"2024.1\"", "version = \"2024.2\"");
    let found = problems(vec![
        (FILE, default_text()),
        ("2024-06-01.toml", later.clone()),
    ]);
    let problem = assert_reported(
        &found,
        "2024-06-01.toml",
        "valid_from",
        &["starts on the same day (2024-01-01)", FILE, "overlap"],
    );
    assert_eq!(found.len(), 1, "only the overlap: {found:#?}");
    println!("{problem}");

    // The same version name twice is an overlap too.
    let renamed = default_text().replace("valid_from = 2024-01-01", "valid_from = 2025-01-01");
    let found = problems(vec![
        (FILE, default_text()),
        ("2025-01-01.toml", renamed.clone()),
    ]);
    assert_reported(
        &found,
        "2025-01-01.toml",
        "version",
        &["same version name `2024.1`"],
    );

    // A later version with its own name and date is fine, and is the one in force from its date.
    let next = later.replace("valid_from = 2024-01-01", "valid_from = 2025-01-01");
    let set = CatalogSet::from_sources(vec![
        ("2025-01-01.toml".to_string(), next),
        (FILE.to_string(), default_text()),
    ])
    .unwrap_or_else(|p| panic!("{p:#?}"));
    let on = |date: &str| {
        set.in_force(date.parse().unwrap())
            .map(|c| c.version.clone())
    };
    assert_eq!(on("2023-12-31"), None);
    assert_eq!(on("2024-01-01").as_deref(), Some("2024.1"));
    assert_eq!(on("2024-12-31").as_deref(), Some("2024.1"));
    assert_eq!(on("2025-01-01").as_deref(), Some("2024.2"));
}

#[test]
fn a_toml_syntax_error_reports_its_line() {
    let text = edited("code = \"m6\"\n", "code = \"m6\n");
    let line = text
        .lines()
        .position(|l| l == "code = \"m6")
        .expect("the broken line")
        + 1;
    let found = problems(vec![(FILE, text)]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].file, FILE);
    assert_eq!(
        found[0].path, "",
        "a syntax error concerns the file as a whole"
    );
    assert!(
        found[0].message.contains(&format!("(line {line})")),
        "line {line} in: {}",
        found[0].message
    );
}

#[test]
fn several_mistakes_are_all_reported() {
    let text = edited("unit_price = \"89.00\"", "unit_price = \"-89.00\"")
        .replace("code = \"loopbaantest\"", "code = \"profiel\"");
    let found = problems(vec![(FILE, text)]);
    assert_reported(
        &found,
        FILE,
        "items[3].unit_price",
        &["must not be negative"],
    );
    assert_reported(&found, FILE, "items[2].code", &["duplicate item code"]);
}

#[test]
fn loading_a_broken_folder_is_an_error_with_the_same_messages() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let text = edited("unit_price = \"89.00\"", "unit_price = \"-89.00\"");
    std::fs::write(dir.path().join(FILE), &text).expect("write");
    let expected = problems(vec![(FILE, text)]);
    match CatalogSet::load_dir(dir.path()) {
        Err(CatalogError::Invalid(found)) => assert_eq!(found, expected),
        Err(CatalogError::Io(e)) => panic!("not an I/O error: {e}"),
        Ok(_) => panic!("a broken folder was loaded"),
    }
    let empty = tempfile::tempdir().expect("a temp dir");
    match CatalogSet::load_dir(empty.path()) {
        Err(CatalogError::Invalid(found)) => {
            assert!(found[0].message.contains("no catalog files"), "{found:?}")
        }
        other => panic!("an empty folder: {:?}", other.map(|_| ())),
    }
}

fn offerte() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_offerte"));
    command.env_remove("OFFERTE_PRICING_DIR");
    command
}

#[test]
fn the_binary_checks_the_default_folder() {
    let output = offerte()
        .args(["catalog", "check"])
        .arg(pricing_dir())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "exit {:?}: {stderr}",
        output.status
    );
    assert!(
        stdout.contains(&format!("{FILE}: version 2024.1 valid from 2024-01-01: ok")),
        "{stdout}"
    );
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
}

#[test]
fn the_binary_reports_a_broken_folder() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let text = edited("unit_price = \"89.00\"", "unit_price = \"-89.00\"");
    std::fs::write(dir.path().join(FILE), text).expect("write");
    let output = offerte()
        .args(["catalog", "check"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "a broken catalog must fail the check"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l == format!("{FILE}: items[3].unit_price: must not be negative (is -89.00)")),
        "{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "no ok line: {}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Mistakes in the price models of issue 15: payment schedules, price forms, success fees.
fn price_model_mistakes() -> Vec<(&'static str, String, &'static str, Vec<&'static str>)> {
    let global_start = "term_days = 14\ninstalments = [\n  { on = \"start\", share = \"50\" }";
    vec![
        (
            "shares that do not add up to 100",
            edited(
                "  { on = \"end\", share = \"50\" },",
                "  { on = \"end\", share = \"40\" },",
            ),
            "payment.instalments",
            vec!["the shares add up to 90", "not 100"],
        ),
        (
            "an instalment with a share and an amount",
            edited(
                "  { on = \"start\", share = \"50\" },",
                "  { on = \"start\", share = \"50\", amount = \"100.00\" },",
            ),
            "payment.instalments[0]",
            vec!["exactly one of `share` or `amount`"],
        ),
        (
            "after_months without months",
            edited(
                "  { on = \"end\", share = \"50\" },",
                "  { on = \"after_months\", share = \"50\" },",
            ),
            "payment.instalments[1].months",
            vec!["needs `months`"],
        ),
        (
            "a monthly amount",
            edited(
                "{ on = \"monthly\", share = \"70\" }",
                "{ on = \"monthly\", amount = \"70.00\" }",
            ),
            "tiers[3].payment.instalments[1].amount",
            vec!["a monthly instalment is a `share`"],
        ),
        (
            "a payment term over a year",
            edited(
                global_start,
                &global_start.replace("term_days = 14", "term_days = 400"),
            ),
            "payment.term_days",
            vec!["0 to 365 days", "400"],
        ),
        (
            "an item per period without its length",
            edited(
                "code = \"rapportage\"\nunit = \"piece\"",
                "code = \"rapportage\"\nunit = \"period\"",
            ),
            "items[5].period_months",
            vec!["needs `period_months`"],
        ),
        (
            "a period length on an item not priced per period",
            edited(
                "code = \"nazorg\"\nunit = \"one_off\"",
                "code = \"nazorg\"\nunit = \"one_off\"\nperiod_months = 3",
            ),
            "items[6].period_months",
            vec!["only an item with unit `period`"],
        ),
        (
            "per_period on an item priced per month",
            edited(
                "{ item = \"bemiddeling\", per_month = \"1\" },\n  { item = \"rapportage\", fixed = \"1\" },",
                "{ item = \"bemiddeling\", per_period = \"1\" },\n  { item = \"rapportage\", fixed = \"1\" },",
            ),
            "tiers[0].lines[3].per_period",
            vec!["`bemiddeling` is not priced per period"],
        ),
        (
            "a bundle price and a price by months",
            edited(
                "bundle_by_months = {",
                "bundle_price = \"3550.00\"\nbundle_by_months = {",
            ),
            "tiers[3]",
            vec!["`bundle_price` or `bundle_by_months`, not both"],
        ),
        (
            "a floor above the cap",
            edited("at_least = \"1800.00\"", "at_least = \"3600.00\""),
            "tiers[3].bundle_by_months.at_least",
            vec!["the floor (3600.00) lies above the cap (3550.00)"],
        ),
        (
            "a minimum price without the text of its line",
            edited(
                "code = \"m6\"\nmonths = 6\n",
                "code = \"m6\"\nmonths = 6\nminimum_price = \"2000.00\"\n",
            ),
            "tiers[1].minimum_price",
            vec!["needs `quote.minimum_name`"],
        ),
        (
            "a length cap without the text of its line",
            without_line("length_cap_name"),
            "quote.length_cap_name",
            vec!["`length_cap = true` needs the text"],
        ),
        (
            "a success fee for an unknown item",
            default_text()
                + "\n[success_fee]\nitem = \"plaatsing\"\n\
                   condition = { nl = \"Bij plaatsing.\", en = \"On placement.\" }\n",
            "success_fee.item",
            vec!["unknown item `plaatsing`"],
        ),
        (
            "an unknown early-end policy",
            edited("adjustments = \"pro_rata\"", "adjustments = \"pro_rato\""),
            "early_end.adjustments",
            vec!["unknown variant `pro_rato`"],
        ),
    ]
}

#[test]
fn each_price_model_mistake_names_file_key_and_reason() {
    let mut messages = Vec::new();
    for (kind, text, path, fragments) in price_model_mistakes() {
        let found = problems(vec![(FILE, text)]);
        let problem = assert_reported(&found, FILE, path, &fragments);
        println!("{kind}: {problem}");
        messages.push((kind, problem.message.clone()));
    }
    for (i, (kind, message)) in messages.iter().enumerate() {
        for (other, other_message) in &messages[i + 1..] {
            assert_ne!(message, other_message, "{kind} and {other} read the same");
        }
    }
}

const EXAMPLES: [&str; 3] = ["startfee-per-period", "hourly", "success-fee"];

#[test]
fn the_example_catalogs_pass_the_check() {
    for name in EXAMPLES {
        let dir = pricing_dir().join("examples").join(name);
        let set = CatalogSet::load_dir(&dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(set.versions().len(), 1, "{name}");
        let output = offerte()
            .args(["catalog", "check"])
            .arg(&dir)
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("2025-01-01.toml: version 2025.1 valid from 2025-01-01: ok"),
            "{name}: {stdout}"
        );
    }
    // The examples live below the default folder but are not part of it.
    let default = CatalogSet::load_dir(&pricing_dir()).expect("the default folder");
    assert_eq!(default.versions().len(), 1);
}

/// A brand colour too light for text and buttons: the check names the colour, the contrast it
/// has and the nearest one that passes (WCAG 2.1 AA, 4.5:1 against white); the binary says so
/// and exits with a failure.
#[test]
fn a_light_grey_brand_colour_is_refused_with_the_numbers() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let text = edited(
        "primary_colour = \"#1f4e79\"",
        "primary_colour = \"#cccccc\"",
    );
    std::fs::write(dir.path().join(FILE), &text).expect("write");
    let found = match CatalogSet::load_dir(dir.path()) {
        Err(CatalogError::Invalid(found)) => found,
        other => panic!("a light grey was accepted: {:?}", other.map(|_| ())),
    };
    assert_reported(
        &found,
        FILE,
        "bureau.primary_colour",
        &[
            "`#cccccc`",
            "1.61:1",
            "4.5:1",
            "nearest colour that passes is #767676",
        ],
    );
    let output = offerte()
        .args(["catalog", "check"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bureau.primary_colour") && stderr.contains("#767676"),
        "{stderr}"
    );
}
