//! The rule lessons in `scenarios/` run to the outcome their header comment claims.

use kjobsim::{simulate, RunOptions};

/// (name, outcome, reason, succeeded, failed, pods, terminal condition time in s)
type Claim = (&'static str, &'static str, &'static str, u32, u32, u32, f64);

#[track_caller]
fn lesson(file: &str, claims: &[Claim]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
    let s = kjobsim::scenario::load(&path, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let run = simulate(&s, RunOptions::default()).unwrap();
    for (c, j) in claims.iter().zip(&run.summary.jobs) {
        let end = j.conditions.iter().find(|k| k.type_ == "Complete" || k.type_ == "Failed").map(|k| k.time);
        let got = (j.name.as_str(), j.outcome.as_str(), j.reason.as_deref().unwrap_or(""), j.succeeded, j.failed, j.pods_created, end);
        assert_eq!(got, (c.0, c.1, c.2, c.3, c.4, c.5, Some(c.6)), "{file}");
    }
    assert_eq!(claims.len(), run.summary.jobs.len());
}

#[test]
fn pod_failure_policy() {
    lesson("pod-failure-policy.yaml", &[("pfp-demo", "Failed", "PodFailurePolicy", 1, 1, 3, 42.0)]);
}

#[test]
fn per_index_backoff() {
    lesson("per-index-backoff.yaml", &[("per-index", "Failed", "FailedIndexes", 3, 3, 6, 24.0)]);
}

#[test]
fn success_policy() {
    lesson("success-policy.yaml", &[("leader-workers", "Complete", "SuccessPolicy", 1, 0, 5, 37.0)]);
}

#[test]
fn deadline() {
    lesson("deadline.yaml", &[("deadline-demo", "Failed", "DeadlineExceeded", 2, 1, 3, 66.0)]);
}

#[test]
fn suspend_resume() {
    lesson(
        "suspend-resume.yaml",
        &[("in-time", "Complete", "CompletionsReached", 4, 0, 6, 131.0), ("too-late", "Failed", "DeadlineExceeded", 0, 0, 1, 45.0)],
    );
}

#[test]
fn ttl() {
    lesson("ttl.yaml", &[("ttl-demo", "Complete", "CompletionsReached", 1, 0, 1, 21.0)]);
}

#[test]
fn onfailure_restarts() {
    lesson("onfailure-restarts.yaml", &[("crashloop", "Failed", "BackoffLimitExceeded", 0, 1, 1, 92.0)]);
}
