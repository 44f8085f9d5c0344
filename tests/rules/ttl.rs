//! §10.3 ttlSecondsAfterFinished.

use crate::{s, Case};
use kjobsim::model::pod::PodPhase;
use kjobsim::trace::EventKind;

fn deleted_at(out: &crate::Out) -> Vec<u64> {
    out.run.job_events.iter().filter(|e| e.kind == EventKind::JobDeleted).map(|e| e.time).collect()
}

/// §10.3 the Job and its pods are deleted at the terminal condition's time + ttl: Complete at 6 s,
/// ttl 10 -> deleted at 16 s; the finished pod's `deleted` is 16 s.
#[test]
fn deleted_ttl_after_complete() {
    let out = Case::new("ttlSecondsAfterFinished: 10").workload("duration: 5s").run();
    out.outcome("Complete", Some("CompletionsReached"), 1, 0, 1).pod_end(0, Some(s(5)), Some(s(16)), PodPhase::Succeeded, "Completed");
    assert_eq!(deleted_at(&out), vec![s(16)]);
}

/// §10.3 ttl 0 on a failed Job: deleted right after it finishes.
#[test]
fn ttl_zero_after_failed() {
    let out = Case::new("ttlSecondsAfterFinished: 0, backoffLimit: 0").workload("duration: 5s").script("pod: 0, exit_code: 1").run();
    out.outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1).pod_end(0, Some(s(5)), Some(s(6)), PodPhase::Failed, "Error");
    assert_eq!(deleted_at(&out), vec![s(6)]);
}

/// §10.3/§4.7 the TTL clock starts at the terminal condition, not the interim one: FailureTarget
/// at 10 s (deadline), the pod needs 5 s to exit, Failed at 16 s, deleted at 16 + 4 = 20 s.
#[test]
fn ttl_counts_from_terminal_condition() {
    let out = Case::new("ttlSecondsAfterFinished: 4, activeDeadlineSeconds: 10").workload("duration: never, shutdown: 5s").run();
    out.conditions(&[("FailureTarget", "True", "DeadlineExceeded", s(10)), ("Failed", "True", "DeadlineExceeded", s(16))]);
    assert_eq!(deleted_at(&out), vec![s(20)]);
}

/// §10.3 no TTL: never deleted.
#[test]
fn no_ttl_kept() {
    let out = Case::new("").workload("duration: 5s").run();
    out.pod_end(0, Some(s(5)), None, PodPhase::Succeeded, "Completed");
    assert!(deleted_at(&out).is_empty());
}

/// §10.3 the TTL is read when it expires: raised from 10 to 100 after the Job finished (6 s), the
/// Job is deleted at 6 + 100 = 106 s, not at 16 s.
#[test]
fn ttl_changed_after_finish() {
    let out = Case::new("ttlSecondsAfterFinished: 10")
        .workload("duration: 5s")
        .event("at: 10s, set: { job: j, ttlSecondsAfterFinished: 100 }")
        .run();
    assert_eq!(deleted_at(&out), vec![s(106)]);
}

/// §10.3 a TTL added to a finished Job: deleted at finish + ttl, or at once if that has passed.
#[test]
fn ttl_added_after_finish() {
    let out = Case::new("").workload("duration: 5s").event("at: 10s, set: { job: j, ttlSecondsAfterFinished: 2 }").run();
    assert_eq!(deleted_at(&out), vec![s(10)]);
    out.pod_end(0, Some(s(5)), Some(s(10)), PodPhase::Succeeded, "Completed");
}

/// §10.4 a Job deleted by a scenario event takes its pods with it, finished ones included.
#[test]
fn deleted_job_takes_its_pods() {
    let out = Case::new("completions: 2").workload("duration: 5s, shutdown: 1s").event("at: 8s, delete_job: j").run();
    out.pod_end(0, Some(s(5)), Some(s(8)), PodPhase::Succeeded, "Completed").pod_end(
        1,
        Some(s(9)),
        Some(s(8)),
        PodPhase::Failed,
        "JobDeleted",
    );
    assert_eq!(deleted_at(&out), vec![s(8)]);
}
