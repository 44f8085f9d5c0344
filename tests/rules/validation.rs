//! §3.1 API validation: every create-time rule, with the API server's field path, error type and
//! detail, all errors at once.

use crate::Case;

fn strip(errs: Vec<String>) -> Vec<String> {
    errs.into_iter().map(|e| e.strip_prefix("jobs[0].manifest.").map(str::to_string).unwrap_or(e)).collect()
}

#[track_caller]
fn rejects(c: Case, want: &[&str]) {
    let got = strip(c.errors());
    assert_eq!(got, want, "\n{}", c.yaml());
}

fn indexed(extra: &str) -> Case {
    Case::new(&format!("completionMode: Indexed, completions: 4, {extra}"))
}

fn pfp(rules: &str) -> Case {
    Case::new(&format!("podFailurePolicy: {{ rules: [{rules}] }}"))
}

#[test]
fn accepts_a_valid_job() {
    assert_eq!(Case::new("completions: 3").errors(), Vec::<String>::new());
}

/// Non-negative fields (`ValidateNonnegativeField`), all reported at once.
#[test]
fn negative_fields() {
    rejects(
        Case::new("parallelism: -1, completions: -1, activeDeadlineSeconds: -1, backoffLimit: -1, ttlSecondsAfterFinished: -1"),
        &[
            "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
            "spec.completions: Invalid value: -1: must be greater than or equal to 0",
            "spec.activeDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
            "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
            "spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0",
        ],
    );
    rejects(
        indexed("backoffLimitPerIndex: -1, maxFailedIndexes: -1"),
        &[
            "spec.backoffLimitPerIndex: Invalid value: -1: must be greater than or equal to 0",
            "spec.maxFailedIndexes: Invalid value: -1: must be greater than or equal to 0",
        ],
    );
}

/// activeDeadlineSeconds 0 is allowed.
#[test]
fn zero_deadline_allowed() {
    assert_eq!(Case::new("activeDeadlineSeconds: 0").errors(), Vec::<String>::new());
}

#[test]
fn max_failed_indexes_requires_backoff_limit_per_index() {
    rejects(indexed("maxFailedIndexes: 1"), &["spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified"]);
}

#[test]
fn managed_by() {
    rejects(
        Case::new("managedBy: foo"),
        &["spec.managedBy: Invalid value: \"foo\": must be a domain-prefixed path (such as \"acme.io/foo\")"],
    );
    let long = format!("example.com/{}", "a".repeat(60));
    rejects(Case::new(&format!("managedBy: {long}")), &["spec.managedBy: Too long: may not be more than 63 bytes"]);
    assert_eq!(Case::new("managedBy: example.com/my-controller").errors(), Vec::<String>::new());
    rejects(
        Case::new("managedBy: Example_Com/x"),
        &["spec.managedBy: Invalid value: \"Example_Com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
    );
    rejects(
        Case::new("managedBy: \"example.com/a b\""),
        &["spec.managedBy: Invalid value: \"a b\": Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"],
    );
    rejects(Case::new("managedBy: \"\""), &["spec.managedBy: Required value"]);
}

#[test]
fn job_name_must_be_dns_subdomain() {
    rejects(Case::new("").name("My_Job"), &["metadata.name: Invalid value: \"My_Job\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]);
}

#[test]
fn completion_mode_not_supported() {
    rejects(
        Case::new("completionMode: Ordered"),
        &["spec.completionMode: Unsupported value: \"Ordered\": supported values: \"NonIndexed\", \"Indexed\""],
    );
}

#[test]
fn indexed_requires_completions() {
    rejects(Case::new("completionMode: Indexed"), &["spec.completions: Required value: when completion mode is Indexed"]);
}

#[test]
fn indexed_limits() {
    rejects(
        indexed("parallelism: 100001"),
        &["spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed"],
    );
    rejects(
        indexed("backoffLimitPerIndex: 1, maxFailedIndexes: 5"),
        &["spec.maxFailedIndexes: Invalid value: 5: must be less than or equal to completions"],
    );
    rejects(
        Case::new("completionMode: Indexed, completions: 200000, backoffLimitPerIndex: 1, maxFailedIndexes: 100001"),
        &[
            "spec.maxFailedIndexes: Invalid value: 100001: must be less than or equal to 100000",
            "spec.maxFailedIndexes: Invalid value: 100001: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index",
        ],
    );
    rejects(
        Case::new("completionMode: Indexed, completions: 200000, parallelism: 10001, backoffLimitPerIndex: 1"),
        &[
            "spec.maxFailedIndexes: Required value: must be specified when completions is above 100000",
            "spec.parallelism: Invalid value: 10001: must be less than or equal to 10000 when completions are above 100000 and used with backoff limit per index",
        ],
    );
}

#[test]
fn per_index_fields_require_indexed() {
    rejects(
        Case::new("backoffLimitPerIndex: 1, maxFailedIndexes: 1"),
        &[
            "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
            "spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode",
        ],
    );
}

#[test]
fn success_policy_rules() {
    rejects(
        Case::new("successPolicy: { rules: [{ succeededCount: 1 }] }"),
        &["spec.successPolicy: Invalid value: requires indexed completion mode"],
    );
    rejects(
        indexed("successPolicy: { rules: [] }"),
        &["spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified"],
    );
    let many = vec!["{ succeededCount: 1 }"; 21].join(", ");
    rejects(
        indexed(&format!("successPolicy: {{ rules: [{many}] }}")),
        &["spec.successPolicy.rules: Too many: 21: must have at most 20 items"],
    );
    rejects(
        indexed("successPolicy: { rules: [{}] }"),
        &["spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified"],
    );
    rejects(
        indexed("successPolicy: { rules: [{ succeededIndexes: \"3-3\" }] }"),
        &["spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"3-3\": error parsing succeededIndexes: non-increasing order, previous: 3, current: 3"],
    );
    rejects(
        indexed("successPolicy: { rules: [{ succeededIndexes: \"2,1\" }] }"),
        &["spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"2,1\": error parsing succeededIndexes: non-increasing order, previous: 2, current: 1"],
    );
    rejects(
        indexed("successPolicy: { rules: [{ succeededIndexes: \"0-4\" }] }"),
        &["spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"0-4\": error parsing succeededIndexes: too large: 4"],
    );
    rejects(
        indexed("successPolicy: { rules: [{ succeededCount: -1 }] }"),
        &["spec.successPolicy.rules[0].succeededCount: Invalid value: -1: must be greater than or equal to 0"],
    );
    rejects(
        indexed("successPolicy: { rules: [{ succeededCount: 5 }] }"),
        &["spec.successPolicy.rules[0].succeededCount: Invalid value: 5: must be less than or equal to 4 (the number of specified completions)"],
    );
    rejects(
        indexed("successPolicy: { rules: [{ succeededIndexes: \"0,1\", succeededCount: 3 }] }"),
        &["spec.successPolicy.rules[0].succeededCount: Invalid value: 3: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)"],
    );
    // Both checks on succeededCount apply independently.
    rejects(
        indexed("successPolicy: { rules: [{ succeededIndexes: \"0,1\", succeededCount: 5 }] }"),
        &[
            "spec.successPolicy.rules[0].succeededCount: Invalid value: 5: must be less than or equal to 4 (the number of specified completions)",
            "spec.successPolicy.rules[0].succeededCount: Invalid value: 5: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)",
        ],
    );
    let long = (0..12000).map(|i| (i * 2).to_string()).collect::<Vec<_>>().join(",");
    let errs = strip(
        Case::new(&format!(
            "completionMode: Indexed, completions: 100000, successPolicy: {{ rules: [{{ succeededIndexes: \"{long}\" }}] }}"
        ))
        .errors(),
    );
    assert_eq!(errs, ["spec.successPolicy.rules[0].succeededIndexes: Too long: may not be more than 65536 bytes"]);
}

#[test]
fn pod_replacement_policy() {
    rejects(
        Case::new("podReplacementPolicy: Sometimes"),
        &["spec.podReplacementPolicy: Unsupported value: \"Sometimes\": supported values: \"Failed\", \"TerminatingOrFailed\""],
    );
    rejects(
        Case::new(
            "podReplacementPolicy: TerminatingOrFailed, podFailurePolicy: { rules: [{ action: Ignore, onPodConditions: [{ type: DisruptionTarget }] }] }",
        ),
        &["spec.podReplacementPolicy: Unsupported value: \"TerminatingOrFailed\": supported values: \"Failed\""],
    );
}

#[test]
fn restart_policy() {
    rejects(Case::new("").restart("Always"), &["spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""]);
    // Unset (the pod default Always would apply) or empty: Required too.
    rejects(Case::new("").restart("\"\""), &["spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""]);
    rejects(
        Case::new("").restart("Sometimes"),
        &["spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"OnFailure\", \"Never\""],
    );
    rejects(
        pfp("{ action: Ignore, onPodConditions: [{ type: DisruptionTarget }] }").restart("OnFailure"),
        &["spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified"],
    );
    // backoffLimitPerIndex does not require Never (§3.1 note).
    assert_eq!(indexed("backoffLimitPerIndex: 1").restart("OnFailure").errors(), Vec::<String>::new());
}

#[test]
fn pod_failure_policy_rules() {
    let many =
        (1..=21).map(|i| format!("{{ action: FailJob, onExitCodes: {{ operator: In, values: [{i}] }} }}")).collect::<Vec<_>>().join(", ");
    rejects(pfp(&many), &["spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items"]);
    rejects(
        pfp("{ onExitCodes: { operator: In, values: [1] } }"),
        &["spec.podFailurePolicy.rules[0].action: Required value: valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]"],
    );
    rejects(
        pfp("{ action: FailIndex, onExitCodes: { operator: In, values: [1] } }"),
        &["spec.podFailurePolicy.rules[0].action: Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set"],
    );
    rejects(
        pfp("{ action: Retry, onExitCodes: { operator: In, values: [1] } }"),
        &["spec.podFailurePolicy.rules[0].action: Unsupported value: \"Retry\": supported values: \"Count\", \"FailIndex\", \"FailJob\", \"Ignore\""],
    );
    rejects(
        pfp("{ action: Ignore, onExitCodes: { operator: In, values: [1] }, onPodConditions: [{ type: DisruptionTarget }] }"),
        &["spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported"],
    );
    rejects(
        pfp("{ action: Ignore }"),
        &["spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required"],
    );
}

#[test]
fn on_exit_codes() {
    rejects(
        pfp("{ action: Ignore, onExitCodes: { values: [1] } }"),
        &["spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: [\"In\" \"NotIn\"]"],
    );
    rejects(
        pfp("{ action: Ignore, onExitCodes: { operator: Equals, values: [1] } }"),
        &["spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: \"Equals\": supported values: \"In\", \"NotIn\""],
    );
    rejects(
        pfp("{ action: Ignore, onExitCodes: { containerName: xyz, operator: In, values: [1] } }"),
        &["spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: \"xyz\": must be one of the container or initContainer names in the pod template"],
    );
    // An init container name is accepted.
    assert_eq!(
        pfp("{ action: Ignore, onExitCodes: { containerName: init, operator: In, values: [1] } }")
            .template("initContainers: [{ name: init, image: busybox }]")
            .errors(),
        Vec::<String>::new()
    );
    rejects(
        pfp("{ action: Ignore, onExitCodes: { operator: In, values: [] } }"),
        &["spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{}: at least one value is required"],
    );
    let many = (1..=256).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    rejects(
        pfp(&format!("{{ action: Ignore, onExitCodes: {{ operator: In, values: [{many}] }} }}")),
        &["spec.podFailurePolicy.rules[0].onExitCodes.values: Too many: 256: must have at most 255 items"],
    );
    rejects(
        pfp("{ action: Ignore, onExitCodes: { operator: In, values: [0, 1] } }"),
        &["spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator"],
    );
    // 0 is fine with NotIn.
    assert_eq!(pfp("{ action: Ignore, onExitCodes: { operator: NotIn, values: [0, 1] } }").errors(), Vec::<String>::new());
    rejects(
        pfp("{ action: Ignore, onExitCodes: { operator: In, values: [1, 2, 2] } }"),
        &["spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 2"],
    );
    // A duplicate that is not adjacent is still a duplicate (and the list is unordered).
    rejects(
        pfp("{ action: Ignore, onExitCodes: { operator: In, values: [1, 2, 1] } }"),
        &[
            "spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 1",
            "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{1, 2, 1}: must be ordered",
        ],
    );
    rejects(
        pfp("{ action: Ignore, onExitCodes: { operator: In, values: [3, 2] } }"),
        &["spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{3, 2}: must be ordered"],
    );
}

#[test]
fn on_pod_conditions() {
    let many = vec!["{ type: DisruptionTarget }"; 21].join(", ");
    rejects(
        pfp(&format!("{{ action: Ignore, onPodConditions: [{many}] }}")),
        &["spec.podFailurePolicy.rules[0].onPodConditions: Too many: 21: must have at most 20 items"],
    );
    rejects(
        pfp("{ action: Ignore, onPodConditions: [{ type: \"Bad Type\" }] }"),
        &["spec.podFailurePolicy.rules[0].onPodConditions[0].type: Invalid value: \"Bad Type\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
    );
    rejects(
        pfp("{ action: Ignore, onPodConditions: [{ type: DisruptionTarget, status: Maybe }] }"),
        &["spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\""],
    );
}

#[test]
fn indexed_name_must_make_dns_labels() {
    let name = "a".repeat(62);
    rejects(
        Case::new("completionMode: Indexed, completions: 10").name(&name),
        &[format!("metadata.name: Invalid value: \"{name}\": will not able to create pod with invalid DNS label: {name}-9").as_str()],
    );
}

#[test]
fn selector_must_match_template_labels() {
    let c = Case::new("manualSelector: true, selector: { matchLabels: { app: x } }");
    let errs = strip(c.errors());
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("spec.template.metadata.labels: Invalid value: ")
            && errs[0].ends_with("`selector` does not match template `labels`"),
        "{errs:?}"
    );
}

/// All errors at once, across sections.
#[test]
fn all_errors_at_once() {
    let errs = Case::new("parallelism: -1, backoffLimitPerIndex: 1").restart("Always").errors();
    assert_eq!(errs.len(), 3, "{errs:?}");
}
