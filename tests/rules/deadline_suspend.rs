//! §10.2 activeDeadlineSeconds, §10.1 suspend/resume, §4.3 startTime.

use crate::{s, Case};
use kjobsim::model::pod::PodPhase;

/// §10.2 the deadline fires at startTime + ADS exactly (a requeue for the remaining time):
/// FailureTarget at 10 s; the running pod is deleted and counted failed; Failed once it is gone.
#[test]
fn deadline_exceeded() {
    Case::new("activeDeadlineSeconds: 10")
        .workload("duration: never, shutdown: 2s")
        .run()
        .outcome("Failed", Some("DeadlineExceeded"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "DeadlineExceeded", s(10)), ("Failed", "True", "DeadlineExceeded", s(13))])
        .message("Failed", "Job was active longer than specified deadline")
        .pod_end(0, Some(s(12)), Some(s(10)), PodPhase::Failed, "DeadlineExceeded");
}

/// §10.2 ADS 0 expires at once (`≥`): the first sync fails the Job before any pod is created.
#[test]
fn deadline_zero() {
    Case::new("activeDeadlineSeconds: 0")
        .workload("duration: 5s")
        .run()
        .outcome("Failed", Some("DeadlineExceeded"), 0, 0, 0)
        .conditions(&[("FailureTarget", "True", "DeadlineExceeded", 0), ("Failed", "True", "DeadlineExceeded", 0)]);
}

/// §10.2 the deadline counts from startTime, not from the pod's start: a 30 s start-up does not
/// extend it. The pending pod is deleted at 20 s; `Failed` follows in the next sync (§4.7: it was
/// terminating when FailureTarget was written).
#[test]
fn deadline_counts_from_start_time_not_pod_start() {
    Case::new("activeDeadlineSeconds: 20")
        .workload("startup: 30s, duration: 5s")
        .run()
        .outcome("Failed", Some("DeadlineExceeded"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "DeadlineExceeded", s(20)), ("Failed", "True", "DeadlineExceeded", s(21))]);
}

/// §4.4/§14 backoffLimit and the deadline exceeded in the same sync: BackoffLimitExceeded wins.
#[test]
fn backoff_limit_beats_deadline_in_same_sync() {
    Case::new("activeDeadlineSeconds: 6, backoffLimit: 0")
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 1")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "BackoffLimitExceeded", s(6)), ("Failed", "True", "BackoffLimitExceeded", s(6))]);
}

/// §10.2 changing ADS on a running Job re-arms the timer from startTime: ADS 100 lowered to 30 at
/// 10 s fires at 30 s.
#[test]
fn deadline_changed_rearms() {
    Case::new("activeDeadlineSeconds: 100")
        .workload("duration: never")
        .event("at: 10s, set: { job: j, activeDeadlineSeconds: 30 }")
        .run()
        .outcome("Failed", Some("DeadlineExceeded"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "DeadlineExceeded", s(30)), ("Failed", "True", "DeadlineExceeded", s(31))]);
}

/// §10.1 created suspended: no pods, no startTime, Suspended=True JobSuspended.
#[test]
fn created_suspended() {
    let out = Case::new("suspend: true").workload("duration: 5s").run();
    out.outcome("Running", None, 0, 0, 0).conditions(&[("Suspended", "True", "JobSuspended", 0)]).message("Suspended", "Job suspended");
    assert_eq!(out.job().start_time, None);
}

/// §10.1 created suspended then resumed: startTime is the resume time; Suspended flips to False
/// with reason JobResumed; pods are created at once.
#[test]
fn created_suspended_then_resumed() {
    let out = Case::new("suspend: true").workload("duration: 5s").event("at: 20s, resume: j").run();
    out.outcome("Complete", Some("CompletionsReached"), 1, 0, 1)
        .created_at(&[s(20)])
        .conditions(&[
            ("Suspended", "False", "JobResumed", s(20)),
            ("SuccessCriteriaMet", "True", "CompletionsReached", s(26)),
            ("Complete", "True", "CompletionsReached", s(26)),
        ])
        .message("Suspended", "Job resumed");
    assert_eq!(out.job().start_time, Some(20.0));
}

/// §10.1 suspending deletes the active pods without counting them failed, and adds no backoff:
/// the replacement is created at the resume itself.
#[test]
fn suspend_deletes_pods_not_counted() {
    let out = Case::new("").workload("duration: 20s").event("at: 5s, suspend: j").event("at: 10s, resume: j").run();
    out.outcome("Complete", Some("CompletionsReached"), 1, 0, 2)
        .created_at(&[0, s(10)])
        .pod_end(0, Some(s(5)), Some(s(5)), PodPhase::Failed, "DeletedByController")
        // status.terminating shows the deleted pod in the suspend sync; failed stays 0.
        .status(s(5), 0, 1, 0, 0)
        .status(s(6), 0, 0, 0, 0);
    assert_eq!(out.job().start_time, Some(10.0));
}

/// §10.1 resume after the deadline has run out fails the Job at once, in the resume sync, against
/// the old startTime: ADS 10, suspended at 4 s, resumed at 14 s -> DeadlineExceeded at 14 s and
/// never JobResumed. The pod deleted by the suspend is not counted.
#[test]
fn resume_after_deadline_fails_at_once() {
    Case::new("activeDeadlineSeconds: 10")
        .workload("duration: never")
        .event("at: 4s, suspend: j")
        .event("at: 14s, resume: j")
        .run()
        .outcome("Failed", Some("DeadlineExceeded"), 0, 0, 1)
        .conditions(&[
            ("Suspended", "True", "JobSuspended", s(4)),
            ("FailureTarget", "True", "DeadlineExceeded", s(14)),
            ("Failed", "True", "DeadlineExceeded", s(14)),
        ]);
}

/// §10.1 resumed before the deadline, the clock restarts from the resume: ADS 10, suspended at
/// 4 s, resumed at 8 s -> deadline at 18 s.
#[test]
fn resume_before_deadline_restarts_clock() {
    let out =
        Case::new("activeDeadlineSeconds: 10").workload("duration: never").event("at: 4s, suspend: j").event("at: 8s, resume: j").run();
    out.outcome("Failed", Some("DeadlineExceeded"), 0, 1, 2).created_at(&[0, s(8)]).conditions(&[
        ("Suspended", "False", "JobResumed", s(8)),
        ("FailureTarget", "True", "DeadlineExceeded", s(18)),
        ("Failed", "True", "DeadlineExceeded", s(19)),
    ]);
    assert_eq!(out.job().start_time, Some(8.0));
}

/// §10.1 while suspended the deadline never fires.
#[test]
fn no_deadline_while_suspended() {
    Case::new("activeDeadlineSeconds: 10, suspend: true").workload("duration: 5s").run().outcome("Running", None, 0, 0, 0).conditions(&[(
        "Suspended",
        "True",
        "JobSuspended",
        0,
    )]);
}

/// §10.1 counters survive suspension: an Indexed Job's succeeded index is not run again.
#[test]
fn counters_survive_suspension() {
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2")
        .workload("duration: 5s")
        .script("index: 1, attempt: 1, duration: 30s")
        .event("at: 10s, suspend: j")
        .event("at: 20s, resume: j")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 2, 0, 3)
        .created_at(&[0, 0, s(20)])
        .indexes(Some("0,1"), None);
}

/// §4.3 parallelism 0 is not suspension: startTime is set and the deadline runs.
#[test]
fn parallelism_zero_still_has_deadline() {
    let out = Case::new("parallelism: 0, completions: 1, activeDeadlineSeconds: 5").workload("duration: 5s").run();
    out.outcome("Failed", Some("DeadlineExceeded"), 0, 0, 0);
    assert_eq!(out.job().start_time, Some(0.0));
}

/// §10.1 with §2 (completions 0): a Job created suspended with completions 0 is complete at once
/// ("a Job can be suspended only if it is not completed"), without a startTime and without a
/// Suspended condition. The API server accepts this since kubernetes#132614 (issue #132144).
#[test]
fn suspended_with_zero_completions_completes() {
    let out = Case::new("completions: 0, suspend: true").workload("duration: 5s").run();
    out.outcome("Complete", Some("CompletionsReached"), 0, 0, 0)
        .conditions(&[("SuccessCriteriaMet", "True", "CompletionsReached", 0), ("Complete", "True", "CompletionsReached", 0)]);
    assert_eq!(out.job().start_time, None);
}
