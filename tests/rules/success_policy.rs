//! §8 successPolicy; §4.4 (failure beats success in the same sync).

use crate::{s, Case};
use kjobsim::model::pod::PodPhase;

/// §8 succeededIndexes only: index 0 succeeds at 5 s -> SuccessCriteriaMet at 6 s, reason
/// SuccessPolicy, "Matched rules at index 0"; the other pods are deleted and counted neither
/// failed nor succeeded; Complete (with completionTime) once they are gone: 2 s to exit on SIGTERM
/// (6 -> 8 s), seen at 9 s. status.succeeded = 1 < completions.
#[test]
fn succeeded_indexes_rule() {
    let out = Case::new("completionMode: Indexed, completions: 3, parallelism: 3, successPolicy: { rules: [{ succeededIndexes: \"0\" }] }")
        .workload("duration: never, shutdown: 2s")
        .script("index: 0, attempt: 1, duration: 5s")
        .run();
    out.outcome("Complete", Some("SuccessPolicy"), 1, 0, 3)
        .conditions(&[("SuccessCriteriaMet", "True", "SuccessPolicy", s(6)), ("Complete", "True", "SuccessPolicy", s(9))])
        .message("Complete", "Matched rules at index 0")
        .indexes(Some("0"), None)
        .pod_end(1, Some(s(8)), Some(s(6)), PodPhase::Failed, "DeletedByController");
    assert_eq!(out.job().completion_time, Some(9.0));
}

/// §8 both fields: succeededCount counts only indexes within the list ("0-2", count 2). Index 3
/// (outside the list) succeeds at 3 s, index 1 at 5 s, index 2 at 7 s -> met at 8 s.
#[test]
fn count_within_indexes() {
    Case::new(
        "completionMode: Indexed, completions: 5, parallelism: 5, \
         successPolicy: { rules: [{ succeededIndexes: \"0-2\", succeededCount: 2 }] }",
    )
    .workload("duration: never")
    .script("index: 3, attempt: 1, duration: 3s")
    .script("index: 1, attempt: 1, duration: 5s")
    .script("index: 2, attempt: 1, duration: 7s")
    .run()
    .outcome("Complete", Some("SuccessPolicy"), 3, 0, 5)
    .conditions(&[("SuccessCriteriaMet", "True", "SuccessPolicy", s(8)), ("Complete", "True", "SuccessPolicy", s(9))])
    .indexes(Some("1-3"), None);
}

/// §8 rules in order, the first met rule is named: rule 0 (index 0) is not met, rule 1
/// (succeededCount 2) is.
#[test]
fn second_rule_named() {
    Case::new(
        "completionMode: Indexed, completions: 3, parallelism: 3, \
         successPolicy: { rules: [{ succeededIndexes: \"0\" }, { succeededCount: 2 }] }",
    )
    .workload("duration: never")
    .script("index: 1, attempt: 1, duration: 5s")
    .script("index: 2, attempt: 1, duration: 5s")
    .run()
    .outcome("Complete", Some("SuccessPolicy"), 2, 0, 3)
    .message("SuccessCriteriaMet", "Matched rules at index 1");
}

/// §4.4 failure beats success within one sync: the success-policy index succeeds in the same
/// sync as a failure exceeding backoffLimit 0 -> BackoffLimitExceeded.
#[test]
fn failure_beats_success_in_same_sync() {
    Case::new(
        "completionMode: Indexed, completions: 3, parallelism: 3, backoffLimit: 0, \
         successPolicy: { rules: [{ succeededIndexes: \"2\" }] }",
    )
    .workload("duration: never")
    .script("index: 0, attempt: 1, duration: 5s, exit_code: 1")
    .script("index: 2, attempt: 1, duration: 5s")
    .run()
    .outcome("Failed", Some("BackoffLimitExceeded"), 1, 2, 3);
}

/// §4.4 item 6 before item 7: the failed-index rule triggers in the same sync as the success rule
/// -> FailedIndexes.
#[test]
fn failed_indexes_beats_success_policy() {
    Case::new(
        "completionMode: Indexed, completions: 3, parallelism: 3, backoffLimitPerIndex: 0, \
         successPolicy: { rules: [{ succeededIndexes: \"2\" }] }",
    )
    .workload("duration: 5s")
    .script("index: 0, attempt: 1, exit_code: 1")
    .script("index: 1, attempt: 1, exit_code: 1")
    .run()
    .outcome("Failed", Some("FailedIndexes"), 1, 2, 3);
}

/// §4.4 item 1: once SuccessCriteriaMet is recorded, later failures cannot fail the Job: the
/// deleted pods are not counted failed even with backoffLimit 0.
#[test]
fn success_criteria_met_is_final() {
    Case::new(
        "completionMode: Indexed, completions: 2, parallelism: 2, backoffLimit: 0, \
         successPolicy: { rules: [{ succeededIndexes: \"0\" }] }",
    )
    .workload("duration: never, shutdown: 5s")
    .script("index: 0, attempt: 1, duration: 5s")
    .run()
    .outcome("Complete", Some("SuccessPolicy"), 1, 0, 2)
    .conditions(&[("SuccessCriteriaMet", "True", "SuccessPolicy", s(6)), ("Complete", "True", "SuccessPolicy", s(12))]);
}

/// §4.4 item 7 before §4.7: when the last indexes succeed and a success rule is met in the same
/// sync, the reason is SuccessPolicy, not CompletionsReached.
#[test]
fn success_policy_reason_wins_over_completions() {
    Case::new("completionMode: Indexed, completions: 2, parallelism: 2, successPolicy: { rules: [{ succeededCount: 2 }] }")
        .workload("duration: 5s")
        .run()
        .outcome("Complete", Some("SuccessPolicy"), 2, 0, 2)
        .message("Complete", "Matched rules at index 0");
}
