//! §6 podFailurePolicy, §4.4 item 3 (FailJob before backoffLimit), §5 (Ignored failures still
//! lengthen the re-creation delay).

use crate::{s, Case};
use kjobsim::model::pod::PodPhase;

fn policy(rules: &str) -> String {
    format!("podFailurePolicy: {{ rules: [{rules}] }}")
}

/// §6 FailJob on an exit code (`In`): FailureTarget then Failed, reason PodFailurePolicy, with
/// the exact message. The only pod is terminal, so both conditions are written in the same sync
/// (§4.7 item 4): exit at 5 s, seen at 6 s.
#[test]
fn fail_job_on_exit_code() {
    Case::new(&policy("{ action: FailJob, onExitCodes: { operator: In, values: [42] } }"))
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 42")
        .run()
        .outcome("Failed", Some("PodFailurePolicy"), 0, 1, 1)
        .conditions(&[("FailureTarget", "True", "PodFailurePolicy", s(6)), ("Failed", "True", "PodFailurePolicy", s(6))])
        .message("Failed", "Container main for pod default/j-0 failed with exit code 42 matching FailJob rule at index 0");
}

/// §6 FailJob with other pods running: they are deleted and counted failed (§4.5); `Failed`
/// waits until they are terminal (§4.7): the sibling takes 3 s to exit on SIGTERM (6 s -> 9 s),
/// seen at 10 s.
#[test]
fn fail_job_waits_for_terminating_pods() {
    Case::new(&format!("parallelism: 2, completions: 2, {}", policy("{ action: FailJob, onExitCodes: { operator: In, values: [42] } }")))
        .workload("duration: 5s, shutdown: 3s")
        .script("pod: 0, exit_code: 42")
        .script("pod: 1, duration: never")
        .run()
        .outcome("Failed", Some("PodFailurePolicy"), 0, 2, 2)
        .conditions(&[("FailureTarget", "True", "PodFailurePolicy", s(6)), ("Failed", "True", "PodFailurePolicy", s(10))])
        .pod_end(1, Some(s(9)), Some(s(6)), PodPhase::Failed, "PodFailurePolicy");
}

/// §6 `NotIn`: exit code 1 is in the list, so the FailJob rule does not match and the failure is
/// counted; backoffLimit 0 fails the Job with BackoffLimitExceeded at the first failure (§4.4 item 4).
#[test]
fn not_in_does_not_match_listed_code() {
    Case::new(&format!("backoffLimit: 0, {}", policy("{ action: FailJob, onExitCodes: { operator: NotIn, values: [1, 2] } }")))
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 1")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1)
        .message("Failed", "Job has reached the specified backoff limit");
}

/// §6 `NotIn`: exit code 3 is not in the list: FailJob.
#[test]
fn not_in_matches_other_code() {
    Case::new(&format!("backoffLimit: 5, {}", policy("{ action: FailJob, onExitCodes: { operator: NotIn, values: [1, 2] } }")))
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 3")
        .run()
        .outcome("Failed", Some("PodFailurePolicy"), 0, 1, 1);
}

/// §6 rules are checked in order, the first match decides: Ignore (rule 0) beats FailJob (rule 1)
/// for exit code 42. The ignored failure is not counted (backoffLimit 0 is not exceeded), and the
/// replacement still waits the 10 s delay (§5: Ignored failures count toward the delay): exit at
/// 5 s, replacement at 15 s, success at 20 s, Complete at 21 s.
#[test]
fn first_matching_rule_wins_and_ignore_is_not_counted() {
    Case::new(&format!(
        "backoffLimit: 0, {}",
        policy("{ action: Ignore, onExitCodes: { operator: In, values: [42] } }, { action: FailJob, onExitCodes: { operator: In, values: [42] } }")
    ))
    .workload("duration: 5s")
    .script("pod: 0, exit_code: 42")
    .run()
    .outcome("Complete", Some("CompletionsReached"), 1, 0, 2)
    .created_at(&[0, s(15)])
    .conditions(&[("SuccessCriteriaMet", "True", "CompletionsReached", s(21)), ("Complete", "True", "CompletionsReached", s(21))]);
}

/// §6 onPodConditions: a pod failing with DisruptionTarget=True (status defaults to True) matches
/// an Ignore rule.
#[test]
fn ignore_disruption_target_condition() {
    Case::new(&format!("backoffLimit: 0, {}", policy("{ action: Ignore, onPodConditions: [{ type: DisruptionTarget }] }")))
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 137, condition: DisruptionTarget")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 1, 0, 2)
        .created_at(&[0, s(15)]);
}

/// §6 FailJob on a pod condition: message names the condition.
#[test]
fn fail_job_on_pod_condition() {
    Case::new(&policy("{ action: FailJob, onPodConditions: [{ type: DisruptionTarget, status: \"True\" }] }"))
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 137, condition: DisruptionTarget")
        .run()
        .outcome("Failed", Some("PodFailurePolicy"), 0, 1, 1)
        .message("FailureTarget", "Pod default/j-0 has condition DisruptionTarget matching FailJob rule at index 0");
}

/// §6 a pattern with status False does not match a condition that is True.
#[test]
fn condition_status_must_match() {
    Case::new(&format!(
        "backoffLimit: 0, {}",
        policy("{ action: Ignore, onPodConditions: [{ type: DisruptionTarget, status: \"False\" }] }")
    ))
    .workload("duration: 5s")
    .script("pod: 0, exit_code: 137, condition: DisruptionTarget")
    .run()
    .outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1);
}

/// §6 Ignored failures still lengthen the delay (§5, misconception 8): ignored failure at 5 s
/// (n = 1, replacement at 15 s), counted failure at 20 s (n = 2: 20 s delay, replacement at 40 s),
/// success at 45 s. backoffLimit 1 is not exceeded by the single counted failure.
#[test]
fn ignored_failures_lengthen_the_delay() {
    Case::new(&format!("backoffLimit: 1, {}", policy("{ action: Ignore, onExitCodes: { operator: In, values: [42] } }")))
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 42")
        .script("pod: 1, exit_code: 1")
        .run()
        .outcome("Complete", Some("CompletionsReached"), 1, 1, 3)
        .created_at(&[0, s(15), s(40)]);
}

/// §6 Count is the default counting: like no rule at all.
#[test]
fn count_action_counts() {
    Case::new(&format!("backoffLimit: 1, {}", policy("{ action: Count, onExitCodes: { operator: In, values: [1] } }")))
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 1")
        .script("pod: 1, exit_code: 1")
        .run()
        .outcome("Failed", Some("BackoffLimitExceeded"), 0, 2, 2)
        .created_at(&[0, s(15)]);
}

/// §6 containerName restricts the rule to that container: the rule names `other` (a valid
/// container of the template) but `main` fails, so the FailJob rule does not match.
#[test]
fn container_name_restricts_the_rule() {
    let c = Case::new(&format!(
        "backoffLimit: 0, {}",
        policy("{ action: FailJob, onExitCodes: { containerName: other, operator: In, values: [42] } }")
    ))
    .containers("[{ name: main, image: busybox }, { name: other, image: busybox }]")
    .workload("duration: 5s")
    .script("pod: 0, exit_code: 42");
    c.run().outcome("Failed", Some("BackoffLimitExceeded"), 0, 1, 1);
    let c = Case::new(&policy("{ action: FailJob, onExitCodes: { containerName: main, operator: In, values: [42] } }"))
        .containers("[{ name: main, image: busybox }, { name: other, image: busybox }]")
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 42");
    c.run().outcome("Failed", Some("PodFailurePolicy"), 0, 1, 1);
}

/// §4.4 FailJob is checked before backoffLimit: with backoffLimit 0 a FailJob match still gives
/// reason PodFailurePolicy.
#[test]
fn fail_job_beats_backoff_limit() {
    Case::new(&format!("backoffLimit: 0, {}", policy("{ action: FailJob, onExitCodes: { operator: In, values: [42] } }")))
        .workload("duration: 5s")
        .script("pod: 0, exit_code: 42")
        .run()
        .outcome("Failed", Some("PodFailurePolicy"), 0, 1, 1);
}

/// §6 exit code 0 never matches, even with NotIn: the pod succeeds.
#[test]
fn exit_code_zero_never_matches() {
    Case::new(&policy("{ action: FailJob, onExitCodes: { operator: NotIn, values: [1] } }")).workload("duration: 5s").run().outcome(
        "Complete",
        Some("CompletionsReached"),
        1,
        0,
        1,
    );
}
