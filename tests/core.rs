//! The core Job rules (issue 2): the four modes, defaults, the pod-failure backoff and
//! backoffLimit, the controller's timing, and the two-phase terminal conditions. Every expected
//! value is derived from the Kubernetes rules (../shared/k8s-job-semantics.md, cited per test),
//! with the controller timing model of §11: first pods at the Job's creation, a pod change seen by
//! the sync 1 s later, replacements at max(seen + 1 s, last failure + delay).

use kjobsim::scenario::{self, LoadOptions};
use kjobsim::trace::{EventKind, PodRecord};
use kjobsim::{simulate, Run, RunOptions};

fn run(yaml: &str) -> Run {
    let s = scenario::load_str(yaml, "case.yaml".as_ref(), &LoadOptions::default()).expect("valid scenario");
    simulate(&s, RunOptions::default()).expect("run")
}

/// A one-Job scenario: `spec` is the Job spec body (YAML, indented 8), `workload` the workload.
fn job(spec: &str, workload: &str) -> String {
    format!(
        "name: case\nseed: 1\njobs:\n  - manifest:\n      apiVersion: batch/v1\n      kind: Job\n      metadata: {{ name: j }}\n      spec:\n{spec}        template:\n          spec:\n            restartPolicy: Never\n            containers: [{{ name: main, image: busybox }}]\n    workload:\n{workload}"
    )
}

fn secs(v: &[f64]) -> Vec<u64> {
    v.iter().map(|s| (s * 1000.0).round() as u64).collect()
}

fn created(run: &Run) -> Vec<u64> {
    run.pods.iter().map(|p| p.created).collect()
}

fn pod<'a>(run: &'a Run, name: &str) -> &'a PodRecord {
    run.pods.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no pod {name}"))
}

fn conditions(run: &Run) -> Vec<(String, String, u64)> {
    run.summary.jobs[0].conditions.iter().map(|c| (c.type_.clone(), c.reason.clone(), (c.time * 1000.0).round() as u64)).collect()
}

// §2 defaults, §4.7: neither completions nor parallelism → both 1. The pod runs 2 s start-up +
// 8 s; the sync 1 s after its exit writes SuccessCriteriaMet and, nothing terminating, Complete,
// both with reason CompletionsReached (§0.1).
#[test]
fn non_parallel_job_completes_one_sync_after_its_pod() {
    let r = run(&job("", "      startup: 2s\n      duration: 8s\n"));
    let j = &r.summary.jobs[0];
    assert_eq!(j.mode, "non-parallel");
    assert_eq!((j.outcome.as_str(), j.reason.as_deref()), ("Complete", Some("CompletionsReached")));
    assert_eq!((j.pods_created, j.succeeded, j.failed, j.max_active), (1, 1, 0, 1));
    assert_eq!(j.start_time, Some(0.0));
    assert_eq!(j.completion_time, Some(11.0));
    assert_eq!(
        conditions(&r),
        vec![("SuccessCriteriaMet".into(), "CompletionsReached".into(), 11_000), ("Complete".into(), "CompletionsReached".into(), 11_000)]
    );
    assert_eq!(j.conditions[0].message, "Reached expected number of succeeded pods");
    let p = pod(&r, "j-0");
    assert_eq!((p.created, p.started, p.finished), (0, Some(2_000), Some(10_000)));
    assert_eq!(p.exit_code, Some(0));
}

// §13.1: completions 5 without parallelism → parallelism 1: five pods one after another. Each
// pod runs 1 s + 10 s; the next is created by the sync that counts the previous success.
#[test]
fn completions_only_runs_pods_one_after_another() {
    let r = run(&job("        completions: 5\n", "      startup: 1s\n      duration: 10s\n"));
    let j = &r.summary.jobs[0];
    assert_eq!(j.mode, "fixed-completions");
    assert_eq!(created(&r), secs(&[0.0, 12.0, 24.0, 36.0, 48.0]));
    assert_eq!((j.pods_created, j.succeeded, j.max_active), (5, 5, 1));
    assert_eq!(j.completion_time, Some(60.0));
}

// §4.6: wantActive = min(completions − succeeded, parallelism): waves of 2, 2, then 1.
#[test]
fn completions_and_parallelism_caps_the_last_wave() {
    let r = run(&job("        completions: 5\n        parallelism: 2\n", "      startup: 1s\n      duration: 10s\n"));
    let j = &r.summary.jobs[0];
    assert_eq!(created(&r), secs(&[0.0, 0.0, 12.0, 12.0, 24.0]));
    assert_eq!((j.pods_created, j.succeeded, j.max_active), (5, 5, 2));
    assert_eq!(j.completion_time, Some(36.0));
}

// §4.6 work queue: parallelism 3, completions unset. Items take 10 s each; pods take items until
// the queue is empty. Items 0-2 at 0 s, 3-5 at 10 s, item 6 at 20 s (pod j-0); pods j-1 and j-2
// find the queue empty at 20 s and exit 0. Once a pod succeeded no pod is created and none is
// deleted: j-0 finishes at 30 s by itself; Complete at 31 s (succeeded > 0 and active == 0).
#[test]
fn work_queue_creates_nothing_after_first_success_and_waits_for_all() {
    let r = run(&job("        parallelism: 3\n", "      work_queue: { items: 7, per_item: 10s }\n"));
    let j = &r.summary.jobs[0];
    assert_eq!(j.mode, "work-queue");
    assert_eq!((j.pods_created, j.succeeded, j.failed, j.max_active), (3, 3, 0, 3));
    assert_eq!(r.pods.iter().map(|p| p.finished).collect::<Vec<_>>(), vec![Some(30_000), Some(20_000), Some(20_000)]);
    assert!(r.pods.iter().all(|p| p.deleted.is_none()), "work-queue pods are never deleted by the controller");
    assert_eq!(j.completion_time, Some(31.0));
}

// §4.6, §13.2: in a work queue a failure after the first success creates no replacement; the
// Job completes once every pod has ended (the failure is counted, below backoffLimit).
#[test]
fn work_queue_failure_after_a_success_is_not_replaced() {
    let r = run(&job(
        "        parallelism: 2\n",
        "      script:\n        - { pod: 0, duration: 5s, exit_code: 0 }\n        - { pod: 1, duration: 20s, exit_code: 1 }\n",
    ));
    let j = &r.summary.jobs[0];
    assert_eq!((j.pods_created, j.succeeded, j.failed), (2, 1, 1));
    assert_eq!((j.outcome.as_str(), j.completion_time), ("Complete", Some(21.0)));
}

// §4.6 Indexed: lowest missing indexes first. Index 0 fails at 4 s; the backoff (10 s) would hold
// its retry until 14 s, but index 1's success at 10 s resets the record (§5: only a success
// resets, and only failures after it count), so the sync at 11 s creates index 0 (attempt 2)
// and index 2 together. Both succeed at 21 s; Complete at 22 s with completedIndexes 0-2.
#[test]
fn indexed_retries_lowest_missing_index_and_success_resets_backoff() {
    let spec = "        completions: 3\n        parallelism: 2\n        completionMode: Indexed\n";
    let r = run(&job(spec, "      duration: 10s\n      script:\n        - { index: 0, attempt: 1, duration: 4s, exit_code: 1 }\n"));
    let j = &r.summary.jobs[0];
    assert_eq!(j.mode, "indexed");
    let got: Vec<(String, u64)> = r.pods.iter().map(|p| (p.name.clone(), p.created)).collect();
    let want: Vec<(String, u64)> =
        [("j-0-1", 0), ("j-1-1", 0), ("j-0-2", 11_000), ("j-2-1", 11_000)].iter().map(|(n, t)| (n.to_string(), *t)).collect();
    assert_eq!(got, want);
    assert_eq!((j.succeeded, j.failed), (3, 1));
    assert_eq!(j.indexes_succeeded.as_deref(), Some("0-2"));
    assert_eq!(j.indexes_failed, None);
    assert_eq!(j.completion_time, Some(22.0));
}

// §5.1 worked timeline: every pod runs 5 s and fails; replacements at 15, 40, 85, 170, 335, 660 s
// (10 s, 20 s, … 320 s after each failure); the 7th failure at 665 s makes failed 7 > 6:
// FailureTarget and Failed at 666 s, reason BackoffLimitExceeded.
#[test]
fn backoff_limit_worked_timeline() {
    let r = run(&job("        backoffLimit: 6\n", "      duration: 5s\n      failure: { probability: 1.0 }\n"));
    let j = &r.summary.jobs[0];
    assert_eq!(created(&r), secs(&[0.0, 15.0, 40.0, 85.0, 170.0, 335.0, 660.0]));
    assert_eq!((j.outcome.as_str(), j.reason.as_deref()), ("Failed", Some("BackoffLimitExceeded")));
    assert_eq!((j.pods_created, j.failed), (7, 7));
    assert_eq!(
        conditions(&r),
        vec![("FailureTarget".into(), "BackoffLimitExceeded".into(), 666_000), ("Failed".into(), "BackoffLimitExceeded".into(), 666_000)]
    );
    assert_eq!(j.conditions[1].message, "Job has reached the specified backoff limit");
    assert_eq!(j.completion_time, None, "completionTime is set only for Complete");
    assert_eq!(j.duration, Some(666.0));
    let waits: Vec<&str> = r.job_events.iter().filter(|e| e.kind == EventKind::BackoffWait).map(|e| e.detail.as_str()).collect();
    assert_eq!(waits.len(), 6);
    assert!(waits[0].contains("delay=10s") && waits[5].contains("delay=5m20s"), "{waits:?}");
}

// §13.3: backoffLimit 0 → the first failure fails the Job.
#[test]
fn backoff_limit_zero_fails_on_first_failure() {
    let r = run(&job("        backoffLimit: 0\n", "      duration: 3s\n      failure: { probability: 1.0 }\n"));
    let j = &r.summary.jobs[0];
    assert_eq!((j.outcome.as_str(), j.pods_created, j.failed, j.duration), ("Failed", 1, 1, Some(4.0)));
}

// §5 global backoff: pod A fails at 5 s, pod B at 8 s: n = 2, so both replacements wait
// 20 s from the latest failure: created together at 28 s.
#[test]
fn simultaneous_failures_share_one_global_delay() {
    let r = run(&job(
        "        completions: 2\n        parallelism: 2\n",
        "      duration: 10s\n      script:\n        - { pod: 0, duration: 5s, exit_code: 1 }\n        - { pod: 1, duration: 8s, exit_code: 1 }\n",
    ));
    let j = &r.summary.jobs[0];
    assert_eq!(created(&r), secs(&[0.0, 0.0, 28.0, 28.0]));
    assert_eq!((j.outcome.as_str(), j.succeeded, j.failed, j.completion_time), ("Complete", 2, 2, Some(39.0)));
}

// §5.2 real-cluster check (website PR #54415, v1.34): completions 8, parallelism 2,
// backoffLimit 6, pods sleep 30 s and exit 42. Observed: both fail at 31 s, pods 3-4 at 51 s,
// Job failed at 9 min 06 s with 8 failed pods. The model: failures at 31, 82, 193, 544 s;
// replacements at 51 (n=2: 20 s), 162 (n=4: 80 s), 513 (n=6: 320 s); Failed at 545 s (within
// the 1 s the real controller's batching allows).
#[test]
fn real_cluster_backoff_timeline() {
    let r = run(&job(
        "        completions: 8\n        parallelism: 2\n        backoffLimit: 6\n",
        "      startup: 1s\n      duration: 30s\n      failure: { probability: 1.0, exit_code: 42 }\n",
    ));
    let j = &r.summary.jobs[0];
    assert_eq!(created(&r), secs(&[0.0, 0.0, 51.0, 51.0, 162.0, 162.0, 513.0, 513.0]));
    assert_eq!((j.outcome.as_str(), j.failed, j.duration), ("Failed", 8, Some(545.0)));
    assert!(r.pods.iter().all(|p| p.exit_code == Some(42)));
}

// §4.6 scale-down: parallelism 3 → 1 at 50 s; the sync at once deletes 2 pods in ActivePods
// order (all running and ready since 0 s, so the newest first: j-2, then j-1). Pods deleted
// for scale-down have their finalizer removed first: never counted as failed (§13.12).
#[test]
fn scale_down_deletes_newest_pods_and_does_not_count_them() {
    let yaml = job("        completions: 4\n        parallelism: 3\n", "      duration: 100s\n")
        + "events:\n  - { at: 50s, set: { job: j, parallelism: 1 } }\n";
    let r = run(&yaml);
    let j = &r.summary.jobs[0];
    let deleted: Vec<(&str, Option<u64>)> = r.pods.iter().filter(|p| p.deleted.is_some()).map(|p| (p.name.as_str(), p.deleted)).collect();
    assert_eq!(deleted, vec![("j-1", Some(50_000)), ("j-2", Some(50_000))]);
    assert!(r.pods.iter().filter(|p| p.deleted.is_some()).all(|p| p.reason.as_str() == "DeletedByController"));
    assert_eq!(j.failed, 0);
    // j-0 succeeds at 100 s; the three remaining completions then run one at a time.
    assert_eq!(created(&r), secs(&[0.0, 0.0, 0.0, 101.0, 202.0, 303.0]));
    assert_eq!((j.outcome.as_str(), j.succeeded, j.completion_time), ("Complete", 4, Some(404.0)));
}

// §4.7 two-phase conditions: a Job that fails while a pod is still running deletes it; the
// pod needs its shutdown time to terminate, so Failed waits for it: FailureTarget at the sync,
// Failed one sync after the last pod is gone. The deleted running pod is counted as failed.
#[test]
fn terminal_condition_waits_for_terminating_pods() {
    let r = run(&job(
        "        completions: 2\n        parallelism: 2\n        backoffLimit: 0\n",
        "      shutdown: 5s\n      script:\n        - { pod: 0, duration: 3s, exit_code: 1 }\n        - { pod: 1, duration: 100s }\n",
    ));
    let j = &r.summary.jobs[0];
    assert_eq!(
        conditions(&r),
        vec![("FailureTarget".into(), "BackoffLimitExceeded".into(), 4_000), ("Failed".into(), "BackoffLimitExceeded".into(), 10_000)]
    );
    let p = pod(&r, "j-1");
    assert_eq!((p.deleted, p.finished, p.exit_code), (Some(4_000), Some(9_000), Some(143)));
    assert_eq!(p.reason.as_str(), "BackoffLimitExceeded");
    assert_eq!(j.failed, 2);
}

// §4.3 startTime is the first sync of an unsuspended Job (its creation), not the first pod's
// start; a Job submitted later starts later.
#[test]
fn start_time_is_the_creation_sync() {
    let yaml = job("", "      startup: 30s\n      duration: 5s\n").replace("  - manifest:", "  - submit_at: 1m\n    manifest:");
    let r = run(&yaml);
    let j = &r.summary.jobs[0];
    assert_eq!((j.submitted, j.start_time, j.completion_time, j.duration), (60.0, Some(60.0), Some(96.0), Some(36.0)));
}

// Common random numbers: draws are keyed by (job, ordinal, attempt), so the same pods get the
// same durations whatever the parallelism.
#[test]
fn variants_of_a_spec_see_the_same_pods() {
    let w = "      duration: { uniform: [5s, 60s] }\n";
    let a = run(&job("        completions: 6\n        parallelism: 1\n", w));
    let b = run(&job("        completions: 6\n        parallelism: 3\n", w));
    let runtime = |r: &Run| r.pods.iter().map(|p| p.finished.unwrap() - p.started.unwrap()).collect::<Vec<_>>();
    assert_eq!(runtime(&a), runtime(&b));
    assert_ne!(a.summary.jobs[0].duration, b.summary.jobs[0].duration);
}

// Same scenario and seed: identical results; another seed: different draws.
#[test]
fn same_seed_same_run() {
    let w = "      duration: { lognormal: { median: 20s, sigma: 0.5 } }\n      failure: { probability: 0.3 }\n";
    let spec = "        completions: 20\n        parallelism: 4\n        backoffLimit: 100\n";
    let a = run(&job(spec, w));
    let b = run(&job(spec, w));
    assert_eq!(a.pods, b.pods);
    assert_eq!(a.summary.jobs, b.summary.jobs);
    let c = run(&job(spec, w).replace("seed: 1", "seed: 2"));
    assert_ne!(a.pods, c.pods);
}

#[test]
fn json_scenarios_and_bare_manifests_load() {
    let json = r#"{"name":"j","jobs":[{"manifest":{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"x"},
      "spec":{"completions":2,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i"}]}}}},
      "workload":{"duration":"1m30s"}}]}"#;
    let s = scenario::load_str(json, "s.json".as_ref(), &LoadOptions::default()).unwrap();
    let r = simulate(&s, RunOptions::default()).unwrap();
    assert_eq!(r.summary.jobs[0].completion_time, Some(182.0));

    let manifest = "apiVersion: batch/v1\nkind: Job\nmetadata: { name: bare }\nspec:\n  parallelism: 2\n  completions: 4\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers: [{ name: c, image: i }]\n";
    let opts = LoadOptions { duration: Some("20s".into()), startup: Some("1s".into()), ..Default::default() };
    let s = scenario::load_str(manifest, "job.yaml".as_ref(), &opts).unwrap();
    assert_eq!(s.name, "bare");
    let r = simulate(&s, RunOptions::default()).unwrap();
    assert_eq!(r.summary.jobs[0].completion_time, Some(44.0));
}

// §4.6 slow start and §11 error requeue: with a ResourceQuota of 5 pods, the first sync creates
// in batches of 1, 2, 4: the third batch gets 2 pods and 2 "exceeded quota" errors, and the 3
// creates left are skipped (not attempted); later syncs fail their first batch of 1. The sync ends in
// error and is retried rate-limited (1 s, 2 s, 4 s, … per consecutive failure), merged with the
// syncs that pod and status changes ask for 1 s later: failed creates at 0, 0, 1, 2, 6 and 14 s.
// At 30 s the first 5 pods end, freeing the quota: the other 5 are created; Complete at 61 s.
#[test]
fn pod_quota_shows_slow_start_batches_and_rate_limited_retries() {
    let yaml = job("        completions: 10\n        parallelism: 10\n", "      duration: 30s\n")
        .replace("seed: 1\n", "seed: 1\nkubernetes: { pod_quota: 5 }\n");
    let r = run(&yaml);
    assert_eq!(created(&r), secs(&[0.0, 0.0, 0.0, 0.0, 0.0, 30.0, 30.0, 30.0, 30.0, 30.0]));
    let failed: Vec<u64> = r.job_events.iter().filter(|e| e.kind == EventKind::FailedCreate).map(|e| e.time).collect();
    assert_eq!(failed, secs(&[0.0, 0.0, 1.0, 2.0, 6.0, 14.0]));
    let j = &r.summary.jobs[0];
    assert_eq!((j.outcome.as_str(), j.completion_time, j.max_active), ("Complete", Some(61.0), 5));
}
