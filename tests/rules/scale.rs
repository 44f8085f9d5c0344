//! §4.6 scale-down deletion order and creation; §10.6 elastic Indexed Jobs.

use crate::{s, Case};
use kjobsim::model::pod::PodPhase;

/// §4.6 excess pods are deleted in `controller.ActivePods` order: Pending before Running, then
/// ready for a shorter time before longer. Pod 2 is still starting (Pending), pod 1 ready since
/// 2 s, pod 0 since 0 s: lowering parallelism 3 -> 1 deletes pods 2 and 1. They are not counted
/// as failed (§10.1/§4.6: the finalizer is removed first).
#[test]
fn scale_down_order() {
    let out = Case::new("completions: 10, parallelism: 3")
        .workload("duration: never")
        .script("pod: 1, startup: 2s")
        .script("pod: 2, startup: 30s")
        .event("at: 10s, set: { job: j, parallelism: 1 }")
        .run();
    out.pod_end(1, Some(s(10)), Some(s(10)), PodPhase::Failed, "DeletedByController").pod_end(
        2,
        Some(s(10)),
        Some(s(10)),
        PodPhase::Failed,
        "DeletedByController",
    );
    assert_eq!(out.pod(0).deleted, None, "{}", out.dump());
    out.status(s(10), 1, 2, 0, 0);
    assert_eq!(out.job().failed, 0);
}

/// §4.6 among ready pods, the newest (ready for the shortest time) goes first; more restarts go
/// before fewer only among pods ready equally long.
#[test]
fn scale_down_ready_shortest_first() {
    let out = Case::new("completions: 10, parallelism: 3")
        .workload("duration: never")
        .script("pod: 0, startup: 3s")
        .script("pod: 1, startup: 1s")
        .script("pod: 2, startup: 2s")
        .event("at: 10s, set: { job: j, parallelism: 2 }")
        .run();
    assert_eq!(out.pod(0).deleted, Some(s(10)), "{}", out.dump());
    assert_eq!((out.pod(1).deleted, out.pod(2).deleted), (None, None));
}

/// §4.6 wantActive and creation: parallelism 5 with completions 3 creates only 3 pods (capped by
/// the remaining completions); raising parallelism creates pods at once.
#[test]
fn creation_capped_by_remaining_completions() {
    let out = Case::new("completions: 3, parallelism: 5").workload("duration: 5s").run();
    out.outcome("Complete", Some("CompletionsReached"), 3, 0, 3).created_at(&[0, 0, 0]);
    let out = Case::new("completions: 4, parallelism: 1").workload("duration: 20s").event("at: 10s, set: { job: j, parallelism: 3 }").run();
    out.created_at(&[0, s(10), s(10), s(21)]);
}

/// §10.6 elastic Indexed scale-down: pods with index >= new completions are deleted, succeeded
/// indexes beyond the range are dropped from completedIndexes and succeeded.
#[test]
fn elastic_scale_down() {
    Case::new("completionMode: Indexed, completions: 4, parallelism: 4")
        .workload("duration: 5s")
        .script("index: 1, attempt: 1, duration: 20s")
        .script("index: 2, attempt: 1, duration: never")
        .event("at: 10s, set: { job: j, completions: 2, parallelism: 2 }")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 2, 0, 4)
        .indexes(Some("0,1"), None)
        .conditions(&[("SuccessCriteriaMet", "True", "CompletionsReached", s(21)), ("Complete", "True", "CompletionsReached", s(21))]);
}

/// §10.6 elastic scale-up: new indexes are created at once.
#[test]
fn elastic_scale_up() {
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2")
        .workload("duration: 20s")
        .event("at: 10s, set: { job: j, completions: 3, parallelism: 3 }")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 3, 0, 3)
        .created_at(&[0, 0, s(10)])
        .indexes(Some("0-2"), None);
}

/// §10.6 scale to 0 -> Complete (the pods are deleted, not counted).
#[test]
fn elastic_scale_to_zero() {
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2")
        .workload("duration: never")
        .event("at: 10s, set: { job: j, completions: 0, parallelism: 0 }")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 0, 0, 2)
        .conditions(&[("SuccessCriteriaMet", "True", "CompletionsReached", s(10)), ("Complete", "True", "CompletionsReached", s(11))]);
}

/// §4.6 work queue: once a pod succeeded, no new pods and none deleted even if parallelism drops.
#[test]
fn work_queue_no_new_pods_after_success() {
    Case::new("parallelism: 3")
        .workload("duration: 30s")
        .script("pod: 0, duration: 5s")
        .event("at: 10s, set: { job: j, parallelism: 1 }")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 3, 0, 3)
        .created_at(&[0, 0, 0]);
}

/// §4.6/§11 at most 500 creations per sync (`MaxPodCreateDeletePerSync`); the pods created are
/// observed 1 s later, which triggers the next sync: 500 at 0 s, 500 at 1 s, 200 at 2 s. (Slow-start
/// batches 1, 2, 4, … only matter when a create fails: without API errors all land in one sync.)
#[test]
fn at_most_500_creations_per_sync() {
    let out = Case::new("parallelism: 1200").workload("duration: never").run();
    let created = out.created();
    let at = |t: u64| created.iter().filter(|&&c| c == t).count();
    assert_eq!((at(0), at(s(1)), at(s(2)), created.len()), (500, 500, 200, 1200));
}

/// §2 completions 0 is valid: the Job completes at its first sync, with no pod.
#[test]
fn completions_zero_completes_at_once() {
    Case::new("completions: 0, parallelism: 3")
        .workload("duration: 5s")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 0, 0, 0)
        .conditions(&[("SuccessCriteriaMet", "True", "CompletionsReached", 0), ("Complete", "True", "CompletionsReached", 0)]);
}
