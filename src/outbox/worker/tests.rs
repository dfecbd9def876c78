use super::*;
use uuid::Uuid;

fn job(round_attempts: u32, started_secs_ago: i64, now: DateTime<Utc>) -> ClaimedJob {
    ClaimedJob {
        bureau: BureauId::DEFAULT,
        id: Uuid::nil(),
        kind: JobKind::Webhook,
        payload: String::new(),
        attempts: round_attempts + 3,
        round_attempts,
        round_started_at: now - TimeDelta::seconds(started_secs_ago),
    }
}

#[test]
fn retries_follow_the_round_and_honour_retry_after() {
    let now = Utc::now();
    let at = |o: Outcome| match o {
        Outcome::Retry { at, .. } => (at - now).num_seconds(),
        other => panic!("{other:?}"),
    };
    assert_eq!(at(retry(&job(1, 0, now), "x".into(), None, now)), 5);
    assert_eq!(at(retry(&job(2, 5, now), "x".into(), None, now)), 300);
    let later = Some(Duration::from_secs(120));
    assert_eq!(at(retry(&job(1, 0, now), "x".into(), later, now)), 120);
    // An admin's retry starts a new round: the day counts from it, not from the event.
    assert!(matches!(
        retry(&job(2, 25 * 3600, now), "x".into(), None, now),
        Outcome::Failed { error } if error.contains("gave up after 5 attempts")
    ));
}

#[test]
fn counters_count_by_kind_and_outcome() {
    let c = Counters::default();
    c.add(JobKind::Webhook, Counted::Retry);
    c.add(JobKind::Webhook, Counted::Retry);
    c.add(JobKind::Email, Counted::Delivered);
    assert_eq!(c.get(JobKind::Webhook, Counted::Retry), 2);
    assert_eq!(c.get(JobKind::Email, Counted::Delivered), 1);
    assert_eq!(c.get(JobKind::Email, Counted::Retry), 0);
}

#[test]
fn a_rotation_signs_with_both_secrets_until_its_overlap_ends() {
    use crate::delivery::signature::{Secret, Signer};
    let (new, _) = Secret::generate();
    let (old, _) = Secret::generate();
    let until = Utc::now();
    let endpoint = Endpoint {
        url: "https://hooks.example/in".parse().unwrap(),
        signer: Signer::new(vec![new.clone(), old]).unwrap(),
        after_overlap: Some((until, Signer::new(vec![new]).unwrap())),
        guarded: true,
    };
    let signatures = |at| endpoint.signer_at(at).sign("msg_1", 1, b"{}");
    assert_eq!(
        signatures(until - TimeDelta::seconds(1)).split(' ').count(),
        2
    );
    assert_eq!(signatures(until).split(' ').count(), 1);
}
