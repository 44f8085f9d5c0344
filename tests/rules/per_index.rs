//! §7 backoffLimitPerIndex, maxFailedIndexes, FailIndex and per-index backoff; §4.4 item 6.

use crate::{s, Case};

/// §7 an index fails on failure number limit + 1 (limit 1: the second pod of index 0 fails it);
/// the first retry waits the per-index delay of 10 s (fail at 5 s, retry at 15 s). All indexes
/// finished with one failed -> FailedIndexes (§4.4 item 6) at the sync after the 2nd failure.
#[test]
fn index_fails_after_limit_plus_one_failures() {
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2, backoffLimitPerIndex: 1")
        .workload("duration: 5s")
        .script("index: 0, attempt: 1, exit_code: 1")
        .script("index: 0, attempt: 2, exit_code: 1")
        .run()
        .outcome("Failed", Some("FailedIndexes"), 1, 2, 3)
        .created_at(&[0, 0, s(15)])
        // §7 delayed counting: the first failure is counted one sync after its replacement exists
        // (created at 15 s, counted at 16 s), not when it is seen (6 s).
        .status(s(6), 0, 0, 1, 0)
        .status(s(16), 1, 0, 1, 1)
        .indexes(Some("1"), Some("0"))
        .conditions(&[("FailureTarget", "True", "FailedIndexes", s(21)), ("Failed", "True", "FailedIndexes", s(21))])
        .message("Failed", "Job has failed indexes");
}

/// §7 per-index backoff: each index waits its own delay, the global backoff is not used. Index 0
/// fails at 5 s (retry at 15 s), index 1 at 8 s (retry at 18 s); a global backoff would have
/// held both until 8 + 20 = 28 s.
#[test]
fn per_index_delays_are_independent() {
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2, backoffLimitPerIndex: 2")
        .workload("duration: 5s")
        .script("index: 0, attempt: 1, exit_code: 1")
        .script("index: 1, attempt: 1, duration: 8s, exit_code: 1")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 2, 2, 4)
        .created_at(&[0, 0, s(15), s(18)])
        .indexes(Some("0,1"), Some(""));
}

/// §7 per-index delay doubles with the index's own failures: 10 s then 20 s.
#[test]
fn per_index_delay_doubles() {
    Case::new("completionMode: Indexed, completions: 1, backoffLimitPerIndex: 3")
        .workload("duration: 5s")
        .script("index: 0, attempt: 1, exit_code: 1")
        .script("index: 0, attempt: 2, exit_code: 1")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 1, 2, 3)
        .created_at(&[0, s(15), s(40)]);
}

/// §7 a failed index does not stop the others (no maxFailedIndexes) and is never retried; the
/// next index is created at once (no global backoff). limit 0: the first failure fails the index.
#[test]
fn failed_index_does_not_stop_others() {
    Case::new("completionMode: Indexed, completions: 3, parallelism: 1, backoffLimitPerIndex: 0")
        .workload("duration: 5s")
        .script("index: 0, attempt: 1, exit_code: 1")
        .run()
        .outcome("Failed", Some("FailedIndexes"), 2, 1, 3)
        .created_at(&[0, s(6), s(12)])
        .indexes(Some("1,2"), Some("0"));
}

/// §7 maxFailedIndexes: the Job fails once failed indexes exceed it (2 > 1), reason
/// MaxFailedIndexesExceeded; the still-running pods are deleted and counted failed (§4.5).
#[test]
fn max_failed_indexes_exceeded() {
    Case::new("completionMode: Indexed, completions: 4, parallelism: 4, backoffLimitPerIndex: 0, maxFailedIndexes: 1")
        .workload("duration: never")
        .script("index: 0, attempt: 1, duration: 5s, exit_code: 1")
        .script("index: 1, attempt: 1, duration: 5s, exit_code: 1")
        .run()
        .outcome("Failed", Some("MaxFailedIndexesExceeded"), 0, 4, 4)
        .indexes(Some(""), Some("0,1"))
        .conditions(&[("FailureTarget", "True", "MaxFailedIndexesExceeded", s(6)), ("Failed", "True", "MaxFailedIndexesExceeded", s(7))])
        .message("Failed", "Job has exceeded the specified maximal number of failed indexes");
}

/// §7 maxFailedIndexes not exceeded (1 failed index, max 1): the Job runs on and ends with
/// FailedIndexes when every index is finished.
#[test]
fn max_failed_indexes_not_exceeded() {
    Case::new("completionMode: Indexed, completions: 3, parallelism: 3, backoffLimitPerIndex: 0, maxFailedIndexes: 1")
        .workload("duration: 5s")
        .script("index: 0, attempt: 1, exit_code: 1")
        .run()
        .outcome("Failed", Some("FailedIndexes"), 2, 1, 3)
        .indexes(Some("1,2"), Some("0"));
}

/// §6 FailIndex: the index fails at once, with no retry, even though the per-index limit (2) is
/// not reached; the failure is counted in status.failed.
#[test]
fn fail_index_action() {
    Case::new(
        "completionMode: Indexed, completions: 3, parallelism: 3, backoffLimitPerIndex: 2, \
         podFailurePolicy: { rules: [{ action: FailIndex, onExitCodes: { operator: In, values: [42] } }] }",
    )
    .workload("duration: 5s")
    .script("index: 1, attempt: 1, exit_code: 42")
    .run()
    .outcome("Failed", Some("FailedIndexes"), 2, 1, 3)
    .indexes(Some("0,2"), Some("1"));
}

/// §6 Ignore with backoffLimitPerIndex: not counted toward the index limit (limit 0 would fail the
/// index at its first counted failure), but the retry still waits the delay (§7: k = failure-count
/// + ignored-failure-count + 1).
#[test]
fn ignore_with_per_index() {
    Case::new(
        "completionMode: Indexed, completions: 1, backoffLimitPerIndex: 0, \
         podFailurePolicy: { rules: [{ action: Ignore, onExitCodes: { operator: In, values: [42] } }] }",
    )
    .workload("duration: 5s")
    .script("index: 0, attempt: 1, exit_code: 42")
    .script("index: 0, attempt: 2, exit_code: 42")
    .run()
    .outcome("Complete", Some("CompletionsReached"), 1, 0, 3)
    .created_at(&[0, s(15), s(40)]);
}

/// §7 the global backoffLimit still applies with backoffLimitPerIndex when set explicitly and is
/// checked first (§4.4 item 4 before item 6): one failure in each of 3 indexes exceeds 2. With
/// delayed counting the 3 failures (at 5 s) are counted only once their replacements exist
/// (created at 15 s, counted at 16 s): BackoffLimitExceeded at 16 s, and the 3 running
/// replacements are deleted and counted failed too (§4.5): failed = 6.
#[test]
fn global_backoff_limit_still_applies() {
    Case::new("completionMode: Indexed, completions: 3, parallelism: 3, backoffLimit: 2, backoffLimitPerIndex: 1")
        .workload("duration: 5s")
        .script("index: 0, attempt: 1, exit_code: 1")
        .script("index: 1, attempt: 1, exit_code: 1")
        .script("index: 2, attempt: 1, exit_code: 1")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 6, 6)
        .created_at(&[0, 0, 0, s(15), s(15), s(15)])
        .status(s(6), 0, 0, 0, 0)
        .conditions(&[("FailureTarget", "True", "BackoffLimitExceeded", s(16)), ("Failed", "True", "BackoffLimitExceeded", s(17))]);
}

/// §7 a delayed pod is still written to pods.csv when the run stops before its replacement.
#[test]
fn delayed_pod_row_kept_at_horizon() {
    let c = Case::new("completionMode: Indexed, completions: 1, backoffLimitPerIndex: 1")
        .workload("duration: 5s")
        .script("index: 0, attempt: 1, exit_code: 1")
        .until("10s");
    let out = c.run();
    assert_eq!((out.run.pods.len(), out.job().failed), (1, 0));
}

/// §12 failedIndexes is "" (not null) while no index has failed, and null without backoffLimitPerIndex.
#[test]
fn failed_indexes_empty_not_null() {
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2, backoffLimitPerIndex: 1")
        .workload("duration: 5s")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 2, 0, 2)
        .indexes(Some("0,1"), Some(""));
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2").workload("duration: 5s").run().indexes(Some("0,1"), None);
}
