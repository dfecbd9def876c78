//! The quote lifecycle as a pure state machine.
//!
//! `draft` → `sent` → `accepted` | `declined` (reason required); `draft` or `sent` →
//! `withdrawn`; `sent` → `expired` once the validity date has passed (done by the service, on
//! read and by a sweep, never asked for); a revision turns `draft` or `sent` into `superseded`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a quote is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Sent,
    Accepted,
    Declined,
    Withdrawn,
    Expired,
    Superseded,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::Sent,
        Status::Accepted,
        Status::Declined,
        Status::Withdrawn,
        Status::Expired,
        Status::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Sent => "sent",
            Status::Accepted => "accepted",
            Status::Declined => "declined",
            Status::Withdrawn => "withdrawn",
            Status::Expired => "expired",
            Status::Superseded => "superseded",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

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

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
        for from in Status::ALL {
            for to in Status::ALL {
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
    fn numbers_are_padded_and_revisions_suffixed() {
        assert_eq!(format_number("OFF", 2026, 42), "OFF-2026-00042");
        assert_eq!(display_number("OFF-2026-00042", 1), "OFF-2026-00042");
        assert_eq!(display_number("OFF-2026-00042", 2), "OFF-2026-00042-2");
    }
}
