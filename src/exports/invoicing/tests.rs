//! The expected invoicing's period checks.

use super::*;

#[test]
fn a_period_is_in_order_within_the_century_and_at_most_ten_years() {
    let d = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
    let refused = |from, to| {
        let e = check_period(from, to).unwrap_err().errors.remove(0);
        (e.field, e.code)
    };
    let is = |field: &str, code: &str| (field.to_string(), code.to_string());
    assert!(check_period(None, None).is_ok());
    assert!(check_period(d("2026-01-01"), None).is_ok());
    assert!(
        check_period(d("2026-01-01"), d("2035-12-31")).is_ok(),
        "120 months"
    );
    assert!(check_period(d("2000-01-01"), d("2000-01-01")).is_ok());
    assert_eq!(
        refused(d("2026-01-01"), d("2036-01-01")),
        is("to", "period_too_long")
    );
    assert_eq!(
        refused(d("2026-02-01"), d("2026-01-31")),
        is("to", "before_from")
    );
    assert_eq!(refused(d("1999-12-31"), None), is("from", "out_of_range"));
    assert_eq!(refused(None, d("2100-01-01")), is("to", "out_of_range"));
}
