//! §5.4 restartPolicy OnFailure: in-place restarts with the kubelet's back-off (0 s, 10 s, 20 s,
//! … capped at 300 s) and backoffLimit counted on restarts of Running/Pending pods.

use crate::{s, Case};
use kjobsim::model::pod::PodPhase;

/// §5.4 a container that always fails after 5 s: restarts at 5 s (immediate), 20 s (+10 s), 45 s
/// (+20 s). The third restart makes restartCount reach backoffLimit 3 -> BackoffLimitExceeded in
/// the next sync (46 s); the pod is deleted and counted: failed = 1 for a one-pod Job; no
/// replacement pod is ever created.
#[test]
fn restarts_reach_backoff_limit() {
    let out = Case::new("backoffLimit: 3").restart("OnFailure").workload("duration: 5s, failure: { probability: 1.0, exit_code: 1 }").run();
    out.outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "BackoffLimitExceeded", s(46)), ("Failed", "True", "BackoffLimitExceeded", s(47))]);
    let p = out.pod(0);
    assert_eq!((p.restarts, p.deleted, p.phase), (3, Some(s(46)), PodPhase::Failed), "{}", out.dump());
}

/// §5.4 backoffLimit 0: the first restart (R > 0) fails the Job.
#[test]
fn backoff_limit_zero_first_restart() {
    Case::new("backoffLimit: 0")
        .restart("OnFailure")
        .workload("duration: 5s, failure: { probability: 1.0, exit_code: 1 }")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "BackoffLimitExceeded", s(6)), ("Failed", "True", "BackoffLimitExceeded", s(7))]);
}

/// §5.4 the kubelet back-off is capped at 300 s: restarts at 5, 20, 45, 90, 175, 340, 645 (320
/// capped to 300), 950 s; the 8th restart reaches backoffLimit 8 -> FailureTarget at 951 s.
#[test]
fn kubelet_backoff_cap() {
    Case::new("backoffLimit: 8")
        .restart("OnFailure")
        .workload("duration: 5s, failure: { probability: 1.0, exit_code: 1 }")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "BackoffLimitExceeded", s(951)), ("Failed", "True", "BackoffLimitExceeded", s(952))]);
}

/// §5.4 a pod that succeeds after restarts: the Job completes, failed stays 0, the restarts are on
/// the pod's row (2), and only one pod was ever created.
#[test]
fn success_after_restarts() {
    let out = Case::new("")
        .restart("OnFailure")
        .workload("duration: 5s")
        .script("pod: 0, restart: 0, exit_code: 1")
        .script("pod: 0, restart: 1, exit_code: 1")
        .run();
    out.outcome("Complete", Some("CompletionsReached"), 1, 0, 1)
        .conditions(&[("SuccessCriteriaMet", "True", "CompletionsReached", s(26)), ("Complete", "True", "CompletionsReached", s(26))]);
    assert_eq!(out.pod(0).restarts, 2);
}

/// §5.4 restarts of pods that already succeeded no longer count: two pods one after another, each
/// with 2 restarts, backoffLimit 3: never 3 restarts on Running/Pending pods at once.
#[test]
fn restarts_of_succeeded_pods_do_not_count() {
    Case::new("completions: 2, backoffLimit: 3")
        .restart("OnFailure")
        .workload("duration: 5s")
        .script("pod: 0, restart: 0, exit_code: 1")
        .script("pod: 0, restart: 1, exit_code: 1")
        .script("pod: 1, restart: 0, exit_code: 1")
        .script("pod: 1, restart: 1, exit_code: 1")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 2, 0, 2);
}

/// §5.4 restarts are summed over all Running/Pending pods: two parallel pods with 1 restart each
/// reach backoffLimit 2.
#[test]
fn restarts_summed_over_pods() {
    Case::new("completions: 2, parallelism: 2, backoffLimit: 2")
        .restart("OnFailure")
        .workload("duration: 5s")
        .script("pod: 0, restart: 0, exit_code: 1")
        .script("pod: 0, restart: 1, duration: 100s")
        .script("pod: 1, restart: 0, exit_code: 1")
        .script("pod: 1, restart: 1, duration: 100s")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 2, 2)
        .conditions(&[("FailureTarget", "True", "BackoffLimitExceeded", s(6)), ("Failed", "True", "BackoffLimitExceeded", s(7))]);
}

/// §14 (backoffLimitPerIndex with OnFailure): restarts are not counted per index, and the global
/// backoffLimit defaults to 2147483647 with backoffLimitPerIndex: a crash-looping pod never fails
/// the Job (here over a 1 h horizon), and no replacement pod is created.
#[test]
fn per_index_with_on_failure_never_fails_on_restarts() {
    let c = Case::new("completionMode: Indexed, completions: 1, backoffLimitPerIndex: 1")
        .restart("OnFailure")
        .workload("duration: 5s, failure: { probability: 1.0, exit_code: 1 }")
        .until("1h");
    let out = c.run();
    let (run, j) = (&out.run, out.job());
    assert_eq!((j.outcome.as_str(), j.failed, j.pods_created), ("Running", 0, 1));
    // Restarts at 5, 20, 45, 90, 175, 340, 645 s, then every 305 s (300 s cap + 5 s run) to 3600 s.
    assert_eq!(run.pods[0].restarts, 7 + (3600 - 645) / 305);
}
