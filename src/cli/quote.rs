//! `offerte quote`: price a case without a server.

use anyhow::{Context, Result};
use std::io::Read;
use std::process::ExitCode;

use super::{QuoteArgs, QuoteFormat, load_catalog};
use crate::documents::{Format, Renderer, view};
use crate::pricing::{self, Circumstances, Computation};

pub(super) fn quote(args: &QuoteArgs) -> Result<ExitCode> {
    let bytes = if args.input.as_os_str() == "-" {
        let mut buffer = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buffer)
            .context("reading the circumstances from standard input")?;
        buffer
    } else {
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?
    };
    let Some(catalogs) = load_catalog(&args.pricing_dir)? else {
        return Ok(ExitCode::FAILURE);
    };
    let today = crate::clock::Now::current().today;
    let computed = Circumstances::from_json(&bytes)
        .and_then(|input| pricing::compute(&catalogs, &input, today));
    match computed {
        Ok(computation) => {
            let bytes = match args.format {
                QuoteFormat::Json => {
                    format!("{}\n", serde_json::to_string_pretty(&computation)?).into_bytes()
                }
                QuoteFormat::Text => summary(&computation).into_bytes(),
                QuoteFormat::Html | QuoteFormat::Pdf => {
                    let renderer = Renderer::load(&args.templates_dir)?;
                    let bureau = &catalogs
                        .version(&computation.catalog.version)
                        .context("the computation's catalog version")?
                        .bureau;
                    let document = view::build(
                        &computation,
                        None,
                        bureau,
                        renderer.labels(computation.language),
                    );
                    let format = if args.format == QuoteFormat::Pdf {
                        Format::Pdf
                    } else {
                        Format::Html
                    };
                    renderer.render(&document, format, computation.quote_date)?
                }
            };
            match &args.output {
                Some(path) => std::fs::write(path, &bytes)
                    .with_context(|| format!("writing {}", path.display()))?,
                None if args.format == QuoteFormat::Pdf => {
                    anyhow::bail!("give --output FILE for a PDF")
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
            }
            for w in &computation.warnings {
                eprintln!("warning: {}", w.message);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            for e in &error.errors {
                let field = if e.field.is_empty() {
                    "input"
                } else {
                    &e.field
                };
                eprintln!("error: {field}: {} ({})", e.message, e.code);
            }
            Ok(ExitCode::from(2))
        }
    }
}

/// A plain-text summary of a computation for the terminal.
pub fn summary(c: &Computation) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let t = &c.tier;
    let _ = writeln!(
        out,
        "{} ({}), {} months, {} to {}",
        t.name, t.code, t.months, t.starts_on, t.ends_on
    );
    let _ = writeln!(
        out,
        "catalog {} ({}), quote date {}",
        c.catalog.version,
        &c.catalog.hash[..12],
        c.quote_date
    );
    let _ = writeln!(out);
    for l in &c.lines {
        let _ = writeln!(
            out,
            "  {:<44} {:>6} {:<8} x {:>9}  {:>3}%  {:>10}",
            l.name,
            l.quantity.to_string(),
            l.unit.as_str(),
            l.unit_price.to_string(),
            l.vat_rate.to_string(),
            l.amount.to_string()
        );
    }
    let _ = writeln!(
        out,
        "  {:<82} {:>10}",
        "excl. VAT",
        c.totals.excl_vat.to_string()
    );
    for v in &c.totals.vat_breakdown {
        let _ = writeln!(
            out,
            "  {:<82} {:>10}",
            format!("VAT {}% on {}", v.rate, v.base),
            v.vat.to_string()
        );
    }
    let _ = writeln!(
        out,
        "  {:<82} {:>10}",
        "incl. VAT",
        c.totals.incl_vat.to_string()
    );
    let _ = writeln!(out, "\nalternatives:");
    for a in &c.alternatives {
        let mark = if a.selected { "*" } else { " " };
        let _ = writeln!(
            out,
            " {mark} {:<44} {:>3} months  {:>10} excl.  {:>10} incl.",
            a.name,
            a.months,
            a.excl_vat.to_string(),
            a.incl_vat.to_string()
        );
    }
    let _ = writeln!(out, "\nwhy:");
    for e in &c.explanation {
        let _ = writeln!(out, "  - {}", e.message);
    }
    let _ = writeln!(
        out,
        "\nclock: first sick day {}, start in week {}, waiting period ends {}",
        c.timeline.first_sick_day, c.timeline.start_week, c.timeline.waiting_period_end
    );
    out
}
