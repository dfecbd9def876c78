//! The few sentences the engine writes itself, in both languages. Everything a bureau may want
//! to word differently (rule reasons, item and tier texts) lives in the catalog instead.

use chrono::NaiveDate;

use super::money::Money;
use crate::catalog::model::MonthsPrice;
use crate::catalog::{DueEvent, Language};

fn pick(language: Language, nl: String, en: String) -> String {
    match language {
        Language::Nl => nl,
        Language::En => en,
    }
}

/// A matched rule's reason as the catalog words it (the rule id and condition are separate
/// fields of the explanation, so documents can show just the reason).
pub fn rule_matched(_language: Language, reason: &str, _id: &str) -> String {
    reason.to_string()
}

pub fn fallback(
    language: Language,
    tier: &str,
    ends_on: NaiveDate,
    wpe: NaiveDate,
    until_end: &str,
) -> String {
    pick(
        language,
        format!(
            "Het aanbevolen pakket {tier} zou eindigen op {ends_on}, na het einde van de wachttijd ({wpe}); \
             daarom {until_end}."
        ),
        format!(
            "The recommended package {tier} would end on {ends_on}, after the end of the waiting period ({wpe}); \
             hence {until_end}."
        ),
    )
}

pub fn not_eligible(language: Language, tier: &str, ends_on: NaiveDate, wpe: NaiveDate) -> String {
    pick(
        language,
        format!(
            "{tier} valt af: het zou eindigen op {ends_on}, na het einde van de wachttijd ({wpe})."
        ),
        format!(
            "{tier} is not eligible: it would end on {ends_on}, after the end of the waiting period ({wpe})."
        ),
    )
}

pub fn overridden(language: Language, chosen: &str, recommended: &str) -> String {
    pick(
        language,
        format!(
            "Gekozen door de adviseur: {chosen}, in plaats van het aanbevolen pakket {recommended}."
        ),
        format!(
            "Chosen by the adviser: {chosen}, instead of the recommended package {recommended}."
        ),
    )
}

pub fn option_added(language: Language, item: &str) -> String {
    pick(
        language,
        format!("Op verzoek toegevoegd: {item}."),
        format!("Added on request: {item}."),
    )
}

pub fn bundle(language: Language, tier: &str, by_months: bool) -> String {
    let (nl, en) = if by_months {
        (
            "een pakketprijs die de looptijd volgt",
            "a package price that follows its duration",
        )
    } else {
        ("een vaste pakketprijs", "a fixed package price")
    };
    pick(
        language,
        format!(
            "{tier} heeft {nl} voor de standaardsamenstelling; het verschil met de som van \
             de onderdelen staat als aparte regel op de offerte. Wat daarbovenop komt, wordt apart berekend."
        ),
        format!(
            "{tier} has {en} for its standard composition; the difference from the sum of \
             its parts is a separate line on the quote. Anything added on top is priced separately."
        ),
    )
}

pub fn waiting_period_extended(language: Language, wpe: NaiveDate, statutory: NaiveDate) -> String {
    pick(
        language,
        format!(
            "De wachttijd eindigt op {wpe} in plaats van {statutory} (loonsanctie, verlenging of samengetelde ziekteperiodes)."
        ),
        format!(
            "The waiting period ends on {wpe} instead of {statutory} (wage sanction, voluntary extension or added-up sick periods)."
        ),
    )
}

pub fn early_start(language: Language, week: u32) -> String {
    pick(
        language,
        format!(
            "Het traject start in week {week} van de ziekte, vóór week 8 (plan van aanpak). Dat is ongebruikelijk vroeg."
        ),
        format!(
            "The trajectory starts in week {week} of sickness, before week 8 (plan of action). That is unusually early."
        ),
    )
}

pub fn late_start(language: Language, week: u32) -> String {
    pick(
        language,
        format!(
            "Het traject start in week {week} van de ziekte, na week 52. UWV kan een te late start van het tweede spoor \
             bestraffen met een loonsanctie."
        ),
        format!(
            "The trajectory starts in week {week} of sickness, after week 52. UWV may penalise a late start of the \
             second track with a wage sanction."
        ),
    )
}

pub fn started_before_quote(language: Language, start: NaiveDate, quote_date: NaiveDate) -> String {
    pick(
        language,
        format!("Het traject is al gestart ({start}), vóór de offertedatum ({quote_date})."),
        format!("The trajectory already started ({start}), before the quote date ({quote_date})."),
    )
}

/// The milestones of the legal clock: (week, code, Dutch label, English label).
pub const MILESTONES: &[(u32, &str, &str, &str)] = &[
    (
        6,
        "probleemanalyse",
        "Probleemanalyse door de bedrijfsarts",
        "Problem analysis by the company doctor",
    ),
    (
        8,
        "plan_van_aanpak",
        "Plan van aanpak; vroegste start tweede spoor",
        "Plan of action; earliest start of the second track",
    ),
    (
        42,
        "ziekmelding_uwv",
        "Ziekmelding bij UWV",
        "Sickness reported to UWV",
    ),
    (
        52,
        "eerstejaarsevaluatie",
        "Eerstejaarsevaluatie; tweede spoor uiterlijk gestart",
        "First-year evaluation; second track started at the latest",
    ),
    (
        91,
        "wia_aanvraag",
        "WIA-aanvraag (uiterlijk week 93)",
        "WIA application (week 93 at the latest)",
    ),
];

pub fn milestone_label(language: Language, nl: &str, en: &str) -> String {
    pick(language, nl.to_string(), en.to_string())
}

pub fn waiting_period_end_label(language: Language) -> String {
    pick(
        language,
        "Einde wachttijd".into(),
        "End of the waiting period".into(),
    )
}

/// An amount as a reader of the language writes it: `€ 1.975,00`, `€1,975.00`.
fn euros(language: Language, amount: Money) -> String {
    let text = format!("{:.2}", amount.amount().abs());
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let (thousands, decimal) = match language {
        Language::Nl => ('.', ','),
        Language::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(thousands);
        }
        grouped.push(digit);
    }
    let sign = if amount.is_negative() { "-" } else { "" };
    match language {
        Language::Nl => format!("€ {sign}{grouped}{decimal}{cents}"),
        Language::En => format!("{sign}€{grouped}{decimal}{cents}"),
    }
}

fn months_word(language: Language, months: u32) -> String {
    match (language, months) {
        (Language::Nl, 1) => "1 maand".into(),
        (Language::Nl, n) => format!("{n} maanden"),
        (Language::En, 1) => "1 month".into(),
        (Language::En, n) => format!("{n} months"),
    }
}

/// The label of an instalment the catalog gives no label.
pub fn instalment(language: Language, on: DueEvent, months: Option<u32>) -> String {
    match on {
        DueEvent::Acceptance => pick(language, "Bij akkoord".into(), "On acceptance".into()),
        DueEvent::Start => pick(language, "Bij de start".into(), "At the start".into()),
        DueEvent::End => pick(language, "Aan het einde".into(), "At the end".into()),
        DueEvent::AfterMonths => {
            let after = months_word(language, months.unwrap_or(0));
            pick(language, format!("Na {after}"), format!("After {after}"))
        }
        DueEvent::Monthly => pick(language, "Per maand".into(), "Monthly".into()),
    }
}

/// The label of month `k` of a monthly instalment, after the catalog's label if it has one.
pub fn monthly_instalment(language: Language, label: Option<&str>, k: u32, months: u32) -> String {
    let month = pick(
        language,
        format!("maand {k} van {months}"),
        format!("month {k} of {months}"),
    );
    match label {
        Some(label) => format!("{label}, {month}"),
        None => {
            let mut chars = month.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

pub fn months_left(language: Language, months: u32, price: &MonthsPrice) -> String {
    let amount = |d| euros(language, Money::round(d));
    let mut bounds = Vec::new();
    if let Some(floor) = price.at_least {
        bounds.push(pick(
            language,
            format!("minimaal {}", amount(floor)),
            format!("at least {}", amount(floor)),
        ));
    }
    if let Some(cap) = price.at_most {
        bounds.push(pick(
            language,
            format!("maximaal {}", amount(cap)),
            format!("at most {}", amount(cap)),
        ));
    }
    let bounds = if bounds.is_empty() {
        String::new()
    } else {
        format!(
            " ({})",
            bounds.join(pick(language, " en ".into(), " and ".into()).as_str())
        )
    };
    let total = amount(price.price(months));
    let start = amount(price.start);
    let per_month = amount(price.per_month);
    let run = months_word(language, months);
    pick(
        language,
        format!(
            "De pakketprijs volgt de looptijd: {start} plus {per_month} per maand{bounds}; \
             voor {run} is dat {total}."
        ),
        format!(
            "The package price follows the duration: {start} plus {per_month} a month{bounds}; \
             for {run} that is {total}."
        ),
    )
}

pub fn minimum(language: Language, minimum: Money) -> String {
    let minimum = euros(language, minimum);
    pick(
        language,
        format!(
            "Dit pakket kost minimaal {minimum} excl. btw; het verschil staat als aparte regel op de offerte."
        ),
        format!(
            "This package costs at least {minimum} excl. VAT; the difference is a separate line on the quote."
        ),
    )
}

pub fn length_cap(language: Language, longer: &str, price: Money) -> String {
    let price = euros(language, price);
    pick(
        language,
        format!(
            "Een traject kost nooit meer dan een pakket dat minstens even lang loopt: de prijs is verlaagd \
             tot die van {longer} ({price} excl. btw)."
        ),
        format!(
            "A trajectory never costs more than a package that runs at least as long: the price is lowered \
             to that of {longer} ({price} excl. VAT)."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_words_follow_the_language() {
        let m = |s: &str| Money::round(s.parse().unwrap());
        assert_eq!(euros(Language::Nl, m("3550")), "€ 3.550,00");
        assert_eq!(euros(Language::En, m("3550")), "€3,550.00");
        assert_eq!(euros(Language::Nl, m("-21.5")), "€ -21,50");
        assert_eq!(euros(Language::En, m("1234567.891")), "€1,234,567.89");
        assert_eq!(euros(Language::Nl, m("0.05")), "€ 0,05");
    }

    #[test]
    fn instalment_labels() {
        assert_eq!(
            instalment(Language::Nl, DueEvent::AfterMonths, Some(3)),
            "Na 3 maanden"
        );
        assert_eq!(
            instalment(Language::En, DueEvent::AfterMonths, Some(1)),
            "After 1 month"
        );
        assert_eq!(
            monthly_instalment(Language::Nl, None, 2, 9),
            "Maand 2 van 9"
        );
        assert_eq!(
            monthly_instalment(Language::En, Some("Guidance"), 2, 9),
            "Guidance, month 2 of 9"
        );
    }
}
