//! The quote lifecycle as a pure state machine.
//!
//! `draft` → `sent` → `accepted` | `declined` (reason required); `draft` or `sent` →
//! `withdrawn`; `sent` → `expired` once the validity date has passed (read as such at once, see
//! [`status_on`]; stored by the periodic sweep; never asked for); a revision turns `draft` or
//! `sent` into `superseded`.

use chrono::{DateTime, NaiveDate, Utc};

vocabulary! {
    /// Where a quote is in its life.
    pub Status {
        Draft => "draft",
        Sent => "sent",
        Accepted => "accepted",
        Declined => "declined",
        Withdrawn => "withdrawn",
        Expired => "expired",
        Superseded => "superseded",
    }
}

impl Status {
    /// The moves a person may ask for from this status.
    pub fn allowed_moves(self) -> &'static [Status] {
        match self {
            Status::Draft => &[Status::Sent, Status::Withdrawn],
            Status::Sent => &[Status::Accepted, Status::Declined, Status::Withdrawn],
            _ => &[],
        }
    }

    /// Whether a new revision may be made from a quote in this status.
    pub fn can_revise(self) -> bool {
        matches!(self, Status::Draft | Status::Sent)
    }
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error(
        "a {from} quote cannot become {to}; allowed from {from}: {}",
        list(allowed)
    )]
    NotAllowed {
        from: Status,
        to: Status,
        allowed: Vec<Status>,
    },
    #[error("declining needs a reason")]
    ReasonRequired,
}

fn list(allowed: &[Status]) -> String {
    if allowed.is_empty() {
        "nothing (final)".into()
    } else {
        allowed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Checks a requested move. The state is checked before the reason, so a move that is not
/// allowed is refused as such whatever the body says.
pub fn check_transition(
    from: Status,
    to: Status,
    reason: Option<&str>,
) -> Result<(), TransitionError> {
    if !from.allowed_moves().contains(&to) {
        return Err(TransitionError::NotAllowed {
            from,
            to,
            allowed: from.allowed_moves().to_vec(),
        });
    }
    if to == Status::Declined && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TransitionError::ReasonRequired);
    }
    Ok(())
}

/// The status a stored quote has on `today`: a sent quote whose validity date has passed is
/// expired from the next day on, whether or not the sweep has stored that yet.
pub fn status_on(stored: Status, valid_until: NaiveDate, today: NaiveDate) -> Status {
    if stored == Status::Sent && valid_until < today {
        Status::Expired
    } else {
        stored
    }
}

/// The moment a sent quote lapses: the start (UTC) of the day after its validity date. The
/// expiry event carries this time, whether it is shown before the sweep stores it or after.
pub fn lapse_moment(valid_until: NaiveDate) -> DateTime<Utc> {
    valid_until
        .succ_opt()
        .unwrap_or(valid_until)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

/// Which stored rows show a status on `today`, as a query can match them: rows stored in
/// `status` (for `sent`: only those still valid on `today`), or (for `expired`) also rows stored
/// as `sent` whose validity ended before `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusMatch {
    pub status: Status,
    pub valid_on: Option<NaiveDate>,
    pub or_lapsed: Option<(Status, NaiveDate)>,
}

impl StatusMatch {
    pub fn new(status: Status, today: NaiveDate) -> StatusMatch {
        match status {
            Status::Sent => StatusMatch {
                status,
                valid_on: Some(today),
                or_lapsed: None,
            },
            Status::Expired => StatusMatch {
                status,
                valid_on: None,
                or_lapsed: Some((Status::Sent, today)),
            },
            _ => StatusMatch {
                status,
                valid_on: None,
                or_lapsed: None,
            },
        }
    }
}

/// `OFF-2026-00042`: prefix, year and a 5-digit sequence that restarts each year.
pub fn format_number(prefix: &str, year: i32, sequence: i64) -> String {
    format!("{prefix}-{year}-{sequence:05}")
}

/// The number as printed: revision 1 is the bare number, later ones get `-2`, `-3` ...
pub fn display_number(number: &str, revision: i64) -> String {
    if revision <= 1 {
        number.to_string()
    } else {
        format!("{number}-{revision}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_is_allowed_exactly_as_specified() {
        let allowed = [
            (Status::Draft, Status::Sent),
            (Status::Draft, Status::Withdrawn),
            (Status::Sent, Status::Accepted),
            (Status::Sent, Status::Declined),
            (Status::Sent, Status::Withdrawn),
        ];
        for &from in Status::ALL {
            for &to in Status::ALL {
                let result = check_transition(from, to, Some("reason"));
                assert_eq!(
                    result.is_ok(),
                    allowed.contains(&(from, to)),
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn state_is_checked_before_reason() {
        let e = check_transition(Status::Accepted, Status::Declined, None).unwrap_err();
        assert!(
            matches!(
                e,
                TransitionError::NotAllowed {
                    from: Status::Accepted,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            check_transition(Status::Sent, Status::Declined, None),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            check_transition(Status::Sent, Status::Declined, Some("  ")),
            Err(TransitionError::ReasonRequired)
        );
    }

    #[test]
    fn a_sent_quote_lapses_the_day_after_its_validity() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let next = day.succ_opt().unwrap();
        assert_eq!(status_on(Status::Sent, day, day), Status::Sent);
        assert_eq!(status_on(Status::Sent, day, next), Status::Expired);
        for other in Status::ALL.iter().copied().filter(|s| *s != Status::Sent) {
            assert_eq!(status_on(other, day, next), other);
        }
        assert_eq!(lapse_moment(day).to_rfc3339(), "2026-04-01T00:00:00+00:00");
        // Every status reads back through its match: the stored row matches exactly when
        // status_on says it shows the wanted status.
        for &wanted in Status::ALL {
            let m = StatusMatch::new(wanted, next);
            for &stored in Status::ALL {
                for valid_until in [day, next] {
                    let matches = (stored == m.status
                        && m.valid_on.is_none_or(|d| valid_until >= d))
                        || m.or_lapsed
                            .is_some_and(|(s, d)| stored == s && valid_until < d);
                    assert_eq!(
                        matches,
                        status_on(stored, valid_until, next) == wanted,
                        "{wanted} {stored} {valid_until}"
                    );
                }
            }
        }
    }

    #[test]
    fn numbers_are_padded_and_revisions_suffixed() {
        assert_eq!(format_number("OFF", 2026, 42), "OFF-2026-00042");
        assert_eq!(display_number("OFF-2026-00042", 1), "OFF-2026-00042");
        assert_eq!(display_number("OFF-2026-00042", 2), "OFF-2026-00042-2");
    }
}
