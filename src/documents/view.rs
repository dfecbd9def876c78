//! The one document view-model: every text already in the chosen language, every amount and
//! date already formatted. HTML, text and PDF read only this.

use chrono::NaiveDate;
use serde::Serialize;
use std::sync::Arc;

use super::format;
use super::messages::Labels;
use super::terms::{self, EarlyEndView, InstalmentView, SuccessFeeView};
use crate::catalog::model::Bureau;
use crate::catalog::{Logo, Unit};
use crate::pricing::{Computation, LineKind};
use crate::quotes::lifecycle::Status;
use crate::quotes::model::{Employee, Employer};

/// What the quote adds to a computation (absent for a preview).
pub struct QuoteFacts<'a> {
    pub display_number: &'a str,
    pub revision: i64,
    pub status: Status,
    pub valid_until: NaiveDate,
    pub employer: &'a Employer,
    pub employee: &'a Employee,
}

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub lang: &'static str,
    /// The labels of the language (from `templates/messages.toml`).
    pub t: serde_json::Value,
    pub is_preview: bool,
    pub is_draft: bool,
    /// A copy rendered now of a document that went out before the archive kept the bytes: its
    /// face says so.
    pub is_copy: bool,
    /// The cost specification for the employee: the trajectory and its costs, without the
    /// employer's terms, payment schedule, reasoning or signature.
    pub is_specification: bool,
    pub number: String,
    pub revision: i64,
    pub date: String,
    pub valid_until: String,
    pub bureau: BureauView,
    pub employer: Option<EmployerView>,
    pub employee: Option<EmployeeView>,
    pub trajectory: TrajectoryView,
    pub lines: Vec<LineView>,
    pub totals: TotalsView,
    /// When what is invoiced (empty for a quote stored before schedules existed).
    pub schedule: Vec<InstalmentView>,
    pub schedule_note: String,
    /// What is owed after each month if the trajectory ends early (empty for old quotes).
    pub early_end: Vec<EarlyEndView>,
    pub success_fee: Option<SuccessFeeView>,
    pub exemptions: Vec<String>,
    pub explanation: Vec<String>,
    pub warnings: Vec<String>,
    pub alternatives: Vec<AlternativeView>,
    pub catalog_version: String,
    pub catalog_hash: String,
    /// Who accepted the quote online, and when: the signature block is filled in with it.
    pub acceptance: Option<AcceptanceView>,
    /// A file name for downloads, e.g. `OFF-2026-00042-2`.
    pub file_stem: String,
    /// The bureau's logo image, for the PDF engine (the HTML has it in `bureau.logo`).
    #[serde(skip)]
    pub logo: Option<Logo>,
    /// The computation as JSON, for the PDF engine: attached to the PDF as `{file_stem}.json`
    /// (not part of the view-model the templates read).
    #[serde(skip)]
    pub computation_json: Option<Arc<str>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AcceptanceView {
    pub name: String,
    /// The date and time (UTC) in words of the document's language.
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BureauView {
    pub name: String,
    pub address: String,
    pub postal_city: String,
    pub kvk: String,
    pub btw_number: String,
    pub iban: String,
    pub email: String,
    pub phone: String,
    pub website: Option<String>,
    /// The logo as a `data:` URI (the HTML embeds it; the PDF reads `logo` below).
    pub logo: Option<std::sync::Arc<str>>,
    pub primary_colour: String,
    pub accent_colour: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmployerView {
    pub company_name: String,
    pub contact_person: String,
    pub street: Option<String>,
    pub postal_city: Option<String>,
    pub kvk_number: Option<String>,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmployeeView {
    pub reference: String,
    pub hours_per_week: Option<String>,
    pub job_title: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrajectoryView {
    pub name: String,
    pub description: String,
    pub months: u32,
    pub starts_on: String,
    pub ends_on: String,
    pub first_sick_day: String,
    pub start_week: u32,
    pub waiting_period_end: String,
    pub phases: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    pub name: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: String,
    pub vat: String,
    pub amount: String,
    pub exempt: bool,
    pub adjustment: bool,
    /// One of the last two lines: printed in one piece with the totals, so a page never breaks
    /// between a table and its totals.
    pub keep: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TotalsView {
    pub excl_vat: String,
    pub vat_lines: Vec<VatLineView>,
    pub vat: String,
    pub incl_vat: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VatLineView {
    pub label: String,
    pub amount: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlternativeView {
    pub name: String,
    pub months: u32,
    pub period: String,
    pub excl_vat: String,
    pub incl_vat: String,
    pub selected: bool,
    pub recommended: bool,
}

/// Builds the view-model. The computation must be in `labels`' language.
pub fn build(
    computation: &Computation,
    quote: Option<&QuoteFacts<'_>>,
    bureau: &Bureau,
    labels: &Labels,
) -> Document {
    let language = computation.language;
    let day = |d: NaiveDate| format::date(d, &labels.month_names);
    let money = |m| format::money(m, language);
    let unit = |u: Unit, period_months: Option<u32>| {
        labels
            .text(&format!("unit_{}", u.as_str()))
            .replace("{months}", &period_months.unwrap_or(1).to_string())
    };
    let c = computation;
    let kept_from = c.lines.len().saturating_sub(2);
    let lines = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| LineView {
            name: l.name.clone(),
            description: l.description.clone(),
            quantity: format::quantity(l.quantity, language),
            unit: unit(l.unit, l.period_months),
            unit_price: money(l.unit_price),
            vat: format::percent(l.vat_rate, language),
            amount: money(l.amount),
            exempt: l.vat_exempt_reason.is_some(),
            adjustment: l.kind != LineKind::Item,
            keep: i >= kept_from,
        })
        .collect();
    let terms = terms::build(c, labels);
    let mut exemptions: Vec<String> = Vec::new();
    for reason in c.lines.iter().filter_map(|l| l.vat_exempt_reason.clone()) {
        if !exemptions.contains(&reason) {
            exemptions.push(reason);
        }
    }
    let vat_lines = c
        .totals
        .vat_breakdown
        .iter()
        .map(|v| VatLineView {
            label: labels
                .text("vat_on")
                .replace("{rate}", &format::percent(v.rate, language))
                .replace("{base}", &money(v.base)),
            amount: money(v.vat),
        })
        .collect();
    let period = |from: NaiveDate, to: NaiveDate| {
        format!("{} {} {}", day(from), labels.text("period_to"), day(to))
    };
    let (number, revision, status_draft, valid_until, employer, employee) = match quote {
        Some(q) => (
            q.display_number.to_string(),
            q.revision,
            q.status == Status::Draft,
            day(q.valid_until),
            Some(employer_view(q.employer)),
            Some(EmployeeView {
                reference: user_text(&q.employee.reference),
                hours_per_week: q.employee.hours_per_week.map(|h| h.to_string()),
                job_title: q.employee.job_title.as_deref().map(user_text),
            }),
        ),
        None => (labels.text("preview"), 0, false, String::new(), None, None),
    };
    Document {
        lang: language.as_str(),
        t: labels.values.clone(),
        is_preview: quote.is_none(),
        is_draft: status_draft,
        is_copy: false,
        is_specification: false,
        file_stem: quote
            .map(|q| q.display_number.to_string())
            .unwrap_or_else(|| format!("preview-{}", c.tier.code)),
        logo: bureau.logo_image.clone(),
        computation_json: serde_json::to_string(computation).ok().map(Arc::from),
        acceptance: None,
        number,
        revision,
        date: day(c.quote_date),
        valid_until,
        bureau: BureauView {
            name: bureau.name.clone(),
            address: bureau.street.clone(),
            postal_city: format!("{} {}", bureau.postal_code, bureau.city),
            kvk: bureau.kvk.clone(),
            btw_number: bureau.btw_number.clone(),
            iban: bureau.iban.clone(),
            email: bureau.email.clone(),
            phone: bureau.phone.clone(),
            website: bureau.website.clone(),
            logo: bureau.logo_image.as_ref().map(|l| l.data_uri.clone()),
            primary_colour: bureau.primary_colour.clone(),
            accent_colour: bureau.accent_colour.clone(),
        },
        employer,
        employee,
        trajectory: TrajectoryView {
            name: c.tier.name.clone(),
            description: c.tier.description.clone(),
            months: c.tier.months,
            starts_on: day(c.tier.starts_on),
            ends_on: day(c.tier.ends_on),
            first_sick_day: day(c.timeline.first_sick_day),
            start_week: c.timeline.start_week,
            waiting_period_end: day(c.timeline.waiting_period_end),
            phases: c.tier.phases.clone(),
        },
        lines,
        totals: TotalsView {
            excl_vat: money(c.totals.excl_vat),
            vat_lines,
            vat: money(c.totals.vat),
            incl_vat: money(c.totals.incl_vat),
        },
        schedule: terms.schedule,
        schedule_note: terms.schedule_note,
        early_end: terms.early_end,
        success_fee: terms.success_fee,
        exemptions,
        explanation: c.explanation.iter().map(|e| e.message.clone()).collect(),
        warnings: c.warnings.iter().map(|w| w.message.clone()).collect(),
        alternatives: c
            .alternatives
            .iter()
            .map(|a| AlternativeView {
                name: a.name.clone(),
                months: a.months,
                period: period(a.starts_on, a.ends_on),
                excl_vat: money(a.excl_vat),
                incl_vat: money(a.incl_vat),
                selected: a.selected,
                recommended: a.recommended,
            })
            .collect(),
        catalog_version: c.catalog.version.clone(),
        catalog_hash: c.catalog.hash.chars().take(12).collect(),
    }
}

/// User text as written, but with any directional override it holds isolated (wrapped in
/// U+2068 … U+2069), so a `\u{202e}` in a name cannot reverse the rest of the page.
pub fn user_text(text: &str) -> String {
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
    if text.chars().any(bidi) {
        format!("\u{2068}{text}\u{2069}")
    } else {
        text.to_string()
    }
}

fn employer_view(e: &Employer) -> EmployerView {
    EmployerView {
        company_name: user_text(&e.company_name),
        contact_person: user_text(&e.contact_person),
        street: e.address.as_ref().map(|a| user_text(&a.street)),
        postal_city: e
            .address
            .as_ref()
            .map(|a| user_text(&format!("{} {}", a.postal_code, a.city))),
        kvk_number: e.kvk_number.clone(),
        email: user_text(&e.email),
        phone: e.phone.clone(),
    }
}

impl Document {
    /// The document with its signature block filled in: accepted online by `name` at `at`.
    pub fn accepted(
        mut self,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
        labels: &Labels,
    ) -> Document {
        self.acceptance = Some(AcceptanceView {
            name: user_text(name),
            at: format!(
                "{} {} UTC",
                format::date(at.date_naive(), &labels.month_names),
                at.format("%H:%M")
            ),
        });
        self
    }

    /// The cost specification for the employee made of this quote document: headed as such,
    /// addressed to nobody (the employer named as the employer), with the costs and the
    /// trajectory only.
    pub fn specification(mut self) -> Document {
        self.is_specification = true;
        for (key, from) in [("title", "spec_title"), ("to", "spec_employer")] {
            let word = self.t[from].clone();
            self.t[key] = word;
        }
        if let Some(employer) = self.employer.as_mut() {
            employer.street = None;
            employer.postal_city = None;
            employer.kvk_number = None;
        }
        self.schedule.clear();
        self.early_end.clear();
        self.explanation.clear();
        self.warnings.clear();
        self.alternatives.clear();
        self.acceptance = None;
        self.file_stem = format!("{}-specification", self.file_stem);
        self
    }
}
