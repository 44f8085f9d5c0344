//! §5 the pod-failure backoff (global record) and §5.4 the kubelet's container back-off reset;
//! §10.2 the pod-level deadline; §10.5 managedBy.

use crate::{s, Case};
use kjobsim::model::pod::PodPhase;

/// §5.1 the worked global timeline: pods at 0, 15, 40, 85, 170, 335, 660 s; the 7th failure
/// (665 s) makes failed 7 > 6: Failed at 666 s.
#[test]
fn worked_global_timeline() {
    Case::new("backoffLimit: 6")
        .workload("duration: 5s, failure: { probability: 1.0, exit_code: 1 }")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 7, 7)
        .created_at(&[0, s(15), s(40), s(85), s(170), s(335), s(660)])
        .conditions(&[("FailureTarget", "True", "BackoffLimitExceeded", s(666)), ("Failed", "True", "BackoffLimitExceeded", s(666))]);
}

/// §5 one global record: pod A fails at 5 s, pod B at 8 s -> n = 2 and the last failure moves to
/// 8 s: both replacements at 8 + 20 = 28 s (misconception 7).
#[test]
fn later_failure_delays_pending_replacements() {
    Case::new("completions: 2, parallelism: 2")
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 1")
        .script("pod: 1, duration: 8s, exit_code: 1")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 2, 2, 4)
        .created_at(&[0, 0, s(28), s(28)]);
}

/// §5 simultaneous failures of k pods give delay(n + k): two failures at 5 s -> 20 s.
#[test]
fn simultaneous_failures_add_up() {
    Case::new("completions: 2, parallelism: 2")
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 1")
        .script("pod: 1, exit_code: 1")
        .run()
        .created_at(&[0, 0, s(25), s(25)]);
}

/// §5 only a success resets the record, and only failures strictly after the success count: a
/// failure at the same instant as the success does not delay the next pods (created at the next
/// sync, 11 s).
#[test]
fn failure_at_same_instant_as_success_not_counted() {
    Case::new("completions: 3, parallelism: 2")
        .workload("duration: 10s")
        .script("pod: 1, exit_code: 1")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 3, 1, 4)
        .created_at(&[0, 0, s(11), s(11)]);
}

/// §5 a success after the failure resets n: pod 1 fails at 4 s (replacement due at 14 s), pod 0
/// succeeds at 10 s -> n = 0, so the two missing pods (completions 3 - 1 succeeded) are created at
/// the 11 s sync.
#[test]
fn success_resets_backoff() {
    Case::new("completions: 3, parallelism: 2").workload("duration: 10s").script("pod: 1, duration: 4s, exit_code: 1").run().created_at(&[
        0,
        0,
        s(11),
        s(11),
    ]);
}

/// §5.4 the kubelet back-off resets after a container ran 10 min: restarts at 5 s (immediate),
/// 20 s (+10 s), then the third run lasts 700 s and its restart at 720 s is immediate again:
/// restartCount 3 = backoffLimit at 720 s, FailureTarget at 721 s.
#[test]
fn container_backoff_resets_after_ten_minutes() {
    Case::new("backoffLimit: 3")
        .restart("OnFailure")
        .workload("duration: 5s, failure: { probability: 1.0, exit_code: 1 }")
        .script("pod: 0, restart: 2, duration: 700s, exit_code: 1")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "BackoffLimitExceeded", s(721)), ("Failed", "True", "BackoffLimitExceeded", s(722))]);
}

/// §10.2 the pod-level activeDeadlineSeconds fails the single pod (reason DeadlineExceeded on the
/// pod); the Job counts it like any failure (backoffLimit 0 -> BackoffLimitExceeded).
#[test]
fn pod_level_deadline() {
    Case::new("backoffLimit: 0")
        .template("activeDeadlineSeconds: 10")
        .workload("duration: never")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1)
        .pod_end(0, Some(s(10)), None, PodPhase::Failed, "DeadlineExceeded");
}

/// §10.5 managedBy another controller: the built-in controller does nothing: no pods, no
/// startTime, no conditions.
#[test]
fn managed_by_other_controller() {
    let out = Case::new("managedBy: example.com/other").workload("duration: 5s").run();
    out.outcome("Running", None, 0, 0, 0).conditions(&[]);
    assert_eq!(out.job().start_time, None);
}

/// §10.5 managedBy set to the built-in controller's name is the default behaviour.
#[test]
fn managed_by_job_controller() {
    Case::new("managedBy: kubernetes.io/job-controller").workload("duration: 5s").run().outcome(
        "Complete",
        Some("CompletionsReached"),
        1,
        0,
        1,
    );
}

/// §5/§1 the controller reads finish times at the API's whole-second precision: a pod failing at
/// 5.9 s has lastFailureTime 5 s, so its replacement comes at 5 + 10 = 15 s, not 15.9 s.
#[test]
fn finish_time_truncated_to_seconds() {
    Case::new("").workload("duration: 5900ms").script("pod: 0, exit_code: 1").run().created_at(&[0, s(15)]);
}
