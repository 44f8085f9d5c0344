//! §9 podReplacementPolicy and terminating pods; pod termination (grace period, SIGTERM).

use crate::{s, Case};
use kjobsim::model::pod::PodPhase;

/// §9 TerminatingOrFailed (the default): a pod deleted by a user counts as failed as soon as it has
/// a deletionTimestamp (seen at 11 s: failed 1, terminating 1), and its replacement waits only for
/// the backoff from the deletion time (§5: 10 + 10 = 20 s), while the old pod is still
/// terminating (it ignores SIGTERM for 15 s, until 25 s). Replacement runs 5 s.
#[test]
fn terminating_or_failed_replaces_at_once() {
    let out = Case::new("")
        .workload("duration: never")
        .script("pod: 0, ignore_sigterm_for: 15s")
        .script("pod: 1, duration: 5s")
        .event("at: 10s, delete_pod: { job: j, pod: 0 }")
        .run();
    out.outcome("Complete", Some("CompletionsReached"), 1, 1, 2)
        .created_at(&[0, s(20)])
        .status(s(11), 0, 1, 0, 1)
        .status(s(21), 1, 1, 0, 1)
        .pod_end(0, Some(s(25)), Some(s(10)), PodPhase::Failed, "DeletedByUser")
        // The Job completes only once the old pod is no longer terminating (§4.7).
        .conditions(&[("SuccessCriteriaMet", "True", "CompletionsReached", s(26)), ("Complete", "True", "CompletionsReached", s(26))]);
    assert_eq!(out.job().max_active, 1);
}

/// §9 Failed: the replacement is created only after the deleted pod reaches phase Failed (25 s,
/// seen 26 s), and the failure is counted then, not at deletion; the backoff counts from its finish
/// time: 25 + 10 = 35 s.
#[test]
fn failed_policy_waits_for_terminal_phase() {
    Case::new("podReplacementPolicy: Failed")
        .workload("duration: never")
        .script("pod: 0, ignore_sigterm_for: 15s")
        .script("pod: 1, duration: 5s")
        .event("at: 10s, delete_pod: { job: j, pod: 0 }")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 1, 1, 2)
        .created_at(&[0, s(35)])
        .status(s(11), 0, 1, 0, 0)
        .status(s(26), 0, 0, 0, 1)
        .pod_end(0, Some(s(25)), Some(s(10)), PodPhase::Failed, "DeletedByUser");
}

/// §9 a podFailurePolicy forces podReplacementPolicy Failed (§2 defaulting).
#[test]
fn pod_failure_policy_defaults_to_failed_replacement() {
    Case::new("podFailurePolicy: { rules: [{ action: Ignore, onPodConditions: [{ type: DisruptionTarget }] }] }")
        .workload("duration: never")
        .script("pod: 0, ignore_sigterm_for: 15s")
        .script("pod: 1, duration: 5s")
        .event("at: 10s, delete_pod: { job: j, pod: 0 }")
        .run()
        .created_at(&[0, s(35)])
        .status(s(11), 0, 1, 0, 0);
}

/// terminationGracePeriodSeconds caps how long a pod may ignore SIGTERM: grace 5 s, the pod
/// would take 60 s -> killed 5 s after the deletion.
#[test]
fn grace_period_caps_shutdown() {
    Case::new("podReplacementPolicy: Failed")
        .template("terminationGracePeriodSeconds: 5")
        .workload("duration: never")
        .script("pod: 0, ignore_sigterm_for: 60s")
        .script("pod: 1, duration: 5s")
        .event("at: 10s, delete_pod: { job: j, pod: 0 }")
        .run()
        .pod_end(0, Some(s(15)), Some(s(10)), PodPhase::Failed, "DeletedByUser")
        .created_at(&[0, s(25)]);
}

/// Workload `shutdown`: how fast pods exit on SIGTERM (here 3 s, under the default 30 s grace).
#[test]
fn workload_shutdown_time() {
    Case::new("activeDeadlineSeconds: 10")
        .workload("duration: never, shutdown: 3s")
        .run()
        .pod_end(0, Some(s(13)), Some(s(10)), PodPhase::Failed, "DeadlineExceeded")
        .conditions(&[("FailureTarget", "True", "DeadlineExceeded", s(10)), ("Failed", "True", "DeadlineExceeded", s(14))]);
}

/// §9/§13.15 TerminatingOrFailed, Indexed: the replacement of a deleted index coexists with the
/// terminating pod of the same index.
#[test]
fn indexed_replacement_coexists_with_terminating() {
    let out = Case::new("completionMode: Indexed, completions: 1")
        .workload("duration: never")
        .script("index: 0, attempt: 1, ignore_sigterm_for: 30s")
        .script("index: 0, attempt: 2, duration: 5s")
        .event("at: 10s, delete_pod: { job: j, index: 0 }")
        .run();
    out.created_at(&[0, s(20)]).outcome("Complete", Some("CompletionsReached"), 1, 1, 2);
    // The old pod is killed at the end of its 30 s grace period (10 + 30 = 40 s).
    out.pod_end(0, Some(s(40)), Some(s(10)), PodPhase::Failed, "DeletedByUser");
}

/// §9 TerminatingOrFailed: a deleted pod counts as failed at deletion even if it then ends
/// Succeeded (it finishes its work at 15 s, during its SIGTERM window); the success is not counted
/// again, and the replacement (10 + 10 = 20 s) must do the work.
#[test]
fn terminating_or_failed_counts_deleted_pod_that_succeeds() {
    Case::new("")
        .workload("duration: 15s")
        .script("pod: 0, ignore_sigterm_for: 30s")
        .script("pod: 1, duration: 5s")
        .event("at: 10s, delete_pod: { job: j, pod: 0 }")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 1, 1, 2)
        .created_at(&[0, s(20)])
        .pod_end(0, Some(s(15)), Some(s(10)), PodPhase::Succeeded, "Completed");
}

/// §9 Failed: the deleted pod is counted by the phase it reaches: it succeeds at 15 s, so it is
/// counted succeeded (seen at 16 s) and the Job completes without a replacement.
#[test]
fn failed_policy_counts_deleted_pod_by_final_phase() {
    Case::new("podReplacementPolicy: Failed")
        .workload("duration: 15s")
        .script("pod: 0, ignore_sigterm_for: 30s")
        .event("at: 10s, delete_pod: { job: j, pod: 0 }")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 1, 0, 1)
        .conditions(&[("SuccessCriteriaMet", "True", "CompletionsReached", s(16)), ("Complete", "True", "CompletionsReached", s(16))]);
}

/// §4.6 step 3 / §9 Failed, Indexed: the index of a terminating pod is not pending; it is recreated
/// only after the pod is Failed (20 s), after the backoff from that finish time (30 s). The other
/// index is unaffected.
#[test]
fn indexed_failed_policy_holds_the_index() {
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2, podReplacementPolicy: Failed")
        .workload("duration: 40s")
        .script("index: 0, attempt: 1, duration: never, ignore_sigterm_for: 10s")
        .script("index: 0, attempt: 2, duration: 5s")
        .event("at: 10s, delete_pod: { job: j, index: 0 }")
        .run()
        .created_at(&[0, 0, s(30)])
        .status(s(11), 1, 1, 0, 0)
        .outcome("Complete", Some("CompletionsReached"), 2, 1, 3);
}
