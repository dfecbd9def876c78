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
    assert!(shown_slug(&long).chars().count() <= 42);
    assert_eq!(shown_slug("acme"), "acme");
}

use crate::bureaus::model::{BureauSettings, SettingsChange};

#[test]
fn settings_changes_are_checked_field_by_field() {
    let start = BureauSettings::default();
    let ok = start
        .changed(SettingsChange {
            mail_from: Some(Some("Noord <offertes@noord.example>".into())),
            reply_to: Some(Some("verkoop@noord.example".into())),
            origins: Some(vec![
                "https://www.noord.example".into(),
                "http://localhost:8000".into(),
            ]),
            reminder_days: Some(Some(5)),
        })
        .unwrap();
    assert_eq!(ok.reminder_days, Some(5));
    // Left out: unchanged; null: cleared.
    let cleared = ok
        .changed(SettingsChange {
            reply_to: Some(None),
            ..SettingsChange::default()
        })
        .unwrap();
    assert_eq!(cleared.reply_to, None);
    assert_eq!(cleared.mail_from, ok.mail_from);
    let table: &[(SettingsChange, &[&str])] = &[
        (
            SettingsChange {
                mail_from: Some(Some("not an address".into())),
                ..SettingsChange::default()
            },
            &["mail_from"],
        ),
        (
            SettingsChange {
                reply_to: Some(Some("a@b".into())),
                origins: Some(vec![
                    "https://x.example/path".into(),
                    "ftp://x.example".into(),
                ]),
                ..SettingsChange::default()
            },
            &["reply_to", "origins[0]", "origins[1]"],
        ),
        (
            SettingsChange {
                reminder_days: Some(Some(61)),
                origins: Some(vec!["https://x.example/".into()]),
                ..SettingsChange::default()
            },
            &["origins[0]", "reminder_days"],
        ),
    ];
    for (change, fields) in table {
        let refused = start.changed(change.clone()).unwrap_err();
        let named: Vec<&str> = refused.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(&named, fields, "{change:?}");
    }
}
