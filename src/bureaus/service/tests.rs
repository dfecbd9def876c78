use super::*;

#[test]
fn months_are_bounded_in_utc() {
    let (from, before) = month_bounds(NaiveDate::from_ymd_opt(2026, 12, 4).unwrap());
    assert_eq!(from.to_rfc3339(), "2026-12-01T00:00:00+00:00");
    assert_eq!(before.to_rfc3339(), "2027-01-01T00:00:00+00:00");
}

#[test]
fn secrets_carry_their_role() {
    assert!(new_secret(Role::Public).starts_with("pk_"));
    assert!(new_secret(Role::Sales).starts_with("ofk_"));
    assert_ne!(new_secret(Role::Admin), new_secret(Role::Admin));
}

#[test]
fn long_slugs_are_cut_in_messages() {
    let long = "a".repeat(10_000);
    assert!(shown(&long).chars().count() <= 42);
    assert_eq!(shown("acme"), "acme");
}
