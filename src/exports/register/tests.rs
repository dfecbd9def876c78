//! The register's layout and rows.

use super::*;
use crate::catalog::Unit;
use crate::pricing::{SuccessFee, Totals};

#[test]
fn the_success_fee_has_its_own_block_outside_the_totals() {
    let money = |s: &str| Money::round(s.parse().unwrap());
    let fee = SuccessFee {
        code: "plaatsing".into(),
        name: "Plaatsing".into(),
        description: String::new(),
        condition: "bij plaatsing".into(),
        quantity: Decimal::ONE,
        unit: Unit::OneOff,
        unit_price: money("750"),
        vat_rate: Decimal::from(21),
        excl_vat: money("750"),
        vat: money("157.50"),
        incl_vat: money("907.50"),
        vat_exempt_reason: None,
    };
    let entry = |success_fee| RegisterEntry {
        number: "OFF-2026-00001".into(),
        revision: 1,
        created_at: "2026-11-02T09:30:00Z".parse().unwrap(),
        status: Status::Accepted,
        employer: "Bakkerij B.V.".into(),
        tier: "m3".into(),
        catalog_version: "2025.1".into(),
        totals: Totals {
            excl_vat: money("1775"),
            vat: money("372.75"),
            incl_vat: money("2147.75"),
            vat_breakdown: Vec::new(),
        },
        valid_until: "2026-12-02".parse().unwrap(),
        decided_at: None,
        success_fee,
        starts_on: "2026-11-02".parse().unwrap(),
        employee_consent: None,
    };
    let register = Register {
        language: Language::Nl,
        vat_rates: vec![Decimal::from(21)],
    };
    let keys: Vec<String> = register
        .sheet()
        .columns
        .into_iter()
        .map(|c| c.key)
        .collect();
    let at = |key: &str| keys.iter().position(|k| k == key).unwrap();
    assert_eq!(at("success_fee_excl_vat"), at("incl_vat") + 1);
    assert_eq!(at("success_fee_incl_vat"), at("valid_until") - 1);

    let row = register.row(entry(Some(fee)));
    assert_eq!(row.incl_vat, money("2147.75"), "not in the totals");
    let cells = row.cells().cells;
    assert_eq!(cells.len(), keys.len());
    assert_eq!(cells[at("success_fee_excl_vat")], Cell::Money(money("750")));
    assert_eq!(cells[at("success_fee_vat")], Cell::Money(money("157.50")));
    assert_eq!(
        cells[at("success_fee_incl_vat")],
        Cell::Money(money("907.50"))
    );
    let json = serde_json::to_value(&row).unwrap();
    assert_eq!(json["success_fee_incl_vat"], "907.50");

    let none = register.row(entry(None));
    assert_eq!(none.cells().cells[at("success_fee_vat")], Cell::Empty);
    assert!(
        serde_json::to_value(&none)
            .unwrap()
            .get("success_fee_vat")
            .is_none()
    );
}

fn d(s: &str) -> Option<NaiveDate> {
    Some(s.parse().unwrap())
}

#[test]
fn download_names_say_what_they_hold() {
    let name = |from: Option<&str>, to: Option<&str>, status| {
        RegisterFilter {
            from: from.and_then(d),
            to: to.and_then(d),
            status,
        }
        .file_stem()
    };
    assert_eq!(
        name(Some("2026-11-01"), Some("2026-11-30"), None),
        "offertes-2026-11"
    );
    assert_eq!(
        name(Some("2024-02-01"), Some("2024-02-29"), None),
        "offertes-2024-02"
    );
    assert_eq!(
        name(Some("2026-01-01"), Some("2026-12-31"), None),
        "offertes-2026"
    );
    assert_eq!(
        name(
            Some("2026-11-01"),
            Some("2026-11-15"),
            Some(Status::Accepted)
        ),
        "offertes-2026-11-01-tot-2026-11-15-accepted"
    );
    assert_eq!(
        name(Some("2026-11-02"), None, None),
        "offertes-vanaf-2026-11-02"
    );
    assert_eq!(
        name(None, Some("2026-11-02"), None),
        "offertes-tot-2026-11-02"
    );
    assert_eq!(name(None, None, Some(Status::Draft)), "offertes-alle-draft");
}
