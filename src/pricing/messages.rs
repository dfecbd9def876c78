//! The few sentences the engine writes itself, in both languages. Everything a bureau may want
//! to word differently (rule reasons, item and tier texts) lives in the catalog instead.

use chrono::NaiveDate;

use crate::catalog::Language;

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

pub fn bundle(language: Language, tier: &str) -> String {
    pick(
        language,
        format!(
            "{tier} heeft een vaste pakketprijs voor de standaardsamenstelling; het verschil met de som van \
             de onderdelen staat als aparte regel op de offerte. Wat daarbovenop komt, wordt apart berekend."
        ),
        format!(
            "{tier} has a fixed package price for its standard composition; the difference from the sum of \
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
