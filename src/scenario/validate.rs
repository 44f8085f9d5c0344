//! API-server validation and defaulting of a Job manifest: exactly what `kubectl apply` would
//! reject or fill in (`pkg/apis/batch/validation`, `pkg/apis/batch/v1/defaults.go`), reported the
//! way the API server reports it: field path, error type, detail. All errors at once.

use super::k8s;
use super::spec::*;
use crate::engine::SECOND;
use std::fmt;

/// The API server's error types (`field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// `Required value`.
    Required,
    /// `Invalid value`.
    Invalid,
    /// `Unsupported value`.
    NotSupported,
    /// `Too many`.
    TooMany,
    /// `Too long`.
    TooLong,
    /// `Duplicate value`.
    Duplicate,
}

impl FieldErrorKind {
    /// The API server's wording.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldErrorKind::Required => "Required value",
            FieldErrorKind::Invalid => "Invalid value",
            FieldErrorKind::NotSupported => "Unsupported value",
            FieldErrorKind::TooMany => "Too many",
            FieldErrorKind::TooLong => "Too long",
            FieldErrorKind::Duplicate => "Duplicate value",
        }
    }
}

/// One validation error, formatted like the API server's `field.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Field path within the manifest, e.g. `spec.parallelism`.
    pub path: String,
    /// Error type.
    pub kind: FieldErrorKind,
    /// The offending value as the API server prints it (`-1`, `"Always"`), if any.
    pub value: Option<String>,
    /// Why.
    pub detail: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind.as_str())?;
        if let Some(v) = &self.value {
            write!(f, ": {v}")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// Collects errors in the order the API server reports them.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, kind: FieldErrorKind, value: Option<String>, detail: impl Into<String>) {
        self.0.push(FieldError { path: path.into(), kind, value, detail: detail.into() });
    }
    fn invalid(&mut self, path: impl Into<String>, value: impl fmt::Display, detail: impl Into<String>) {
        self.push(path, FieldErrorKind::Invalid, Some(value.to_string()), detail);
    }
    /// `Invalid value` with the value omitted (`field.OmitValueType`).
    fn invalid_omit(&mut self, path: impl Into<String>, detail: impl Into<String>) {
        self.push(path, FieldErrorKind::Invalid, None, detail);
    }
    fn required(&mut self, path: impl Into<String>, detail: impl Into<String>) {
        self.push(path, FieldErrorKind::Required, None, detail);
    }
    fn not_supported(&mut self, path: impl Into<String>, value: &str, supported: &[&str]) {
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        self.push(path, FieldErrorKind::NotSupported, Some(format!("{value:?}")), format!("supported values: {}", list.join(", ")));
    }
}

const MAX_PARALLELISM_INDEXED: i64 = 100_000;
const MAX_FAILED_INDEXES_INDEXED: i64 = 100_000;
const COMPLETIONS_SOFT_LIMIT: i64 = 100_000;
const PARALLELISM_LIMIT_HIGH_COMPLETIONS: i64 = 10_000;
const MAX_FAILED_INDEXES_LIMIT_HIGH_COMPLETIONS: i64 = 10_000;
const MAX_POD_FAILURE_POLICY_RULES: usize = 20;
const MAX_EXIT_CODE_VALUES: usize = 255;
const MAX_POD_CONDITION_PATTERNS: usize = 20;
const MAX_MANAGED_BY_LENGTH: usize = 63;
const MAX_SUCCEEDED_INDEXES_LENGTH: usize = 64 * 1024;
const MAX_SUCCESS_POLICY_RULES: usize = 20;
const MAX_INT32: i64 = i32::MAX as i64;
const JOB_CONTROLLER_NAME: &str = "kubernetes.io/job-controller";

fn non_negative(errs: &mut Errors, path: &str, v: Option<i64>) {
    if let Some(v) = v {
        if v < 0 {
            errs.invalid(path, v, "must be greater than or equal to 0");
        } else if v > MAX_INT32 {
            errs.invalid(path, v, "must be less than or equal to 2147483647");
        }
    }
}

/// Validates and defaults a Job manifest. Errors carry paths relative to the manifest
/// (`spec.parallelism`); the caller prefixes where the manifest sits in the file.
pub fn validate_job(job: &k8s::Job) -> Result<JobSpec, Vec<FieldError>> {
    let mut errs = Errors::default();
    let s = &job.spec;

    match job.api_version.as_deref() {
        None | Some("batch/v1") => {}
        Some(v) => errs.not_supported("apiVersion", v, &["batch/v1"]),
    }
    match job.kind.as_deref() {
        None | Some("Job") => {}
        Some(v) => errs.not_supported("kind", v, &["Job"]),
    }

    let name = job.metadata.name.clone().or_else(|| job.metadata.generate_name.clone()).unwrap_or_default();
    if name.is_empty() {
        errs.required("metadata.name", "name or generateName is required");
    } else if !is_dns1123_subdomain(&name) {
        errs.invalid("metadata.name", format!("{name:?}"), DNS1123_SUBDOMAIN_ERR);
    }

    non_negative(&mut errs, "spec.parallelism", s.parallelism);
    non_negative(&mut errs, "spec.completions", s.completions);
    non_negative(&mut errs, "spec.activeDeadlineSeconds", s.active_deadline_seconds);
    non_negative(&mut errs, "spec.backoffLimit", s.backoff_limit);
    non_negative(&mut errs, "spec.ttlSecondsAfterFinished", s.ttl_seconds_after_finished);
    non_negative(&mut errs, "spec.backoffLimitPerIndex", s.backoff_limit_per_index);
    non_negative(&mut errs, "spec.maxFailedIndexes", s.max_failed_indexes);
    if s.max_failed_indexes.is_some() && s.backoff_limit_per_index.is_none() {
        errs.required("spec.backoffLimitPerIndex", "when maxFailedIndexes is specified");
    }

    if let Some(mb) = &s.managed_by {
        // Both checks apply independently (`IsDomainPrefixedPath`, then the length).
        domain_prefixed_path_errors(&mut errs, "spec.managedBy", mb);
        if mb.len() > MAX_MANAGED_BY_LENGTH {
            errs.push("spec.managedBy", FieldErrorKind::TooLong, None, format!("may not be more than {MAX_MANAGED_BY_LENGTH} bytes"));
        }
    }

    let completion_mode = match s.completion_mode.as_deref() {
        None | Some("NonIndexed") => CompletionMode::NonIndexed,
        Some("Indexed") => CompletionMode::Indexed,
        Some(v) => {
            errs.not_supported("spec.completionMode", v, &["NonIndexed", "Indexed"]);
            CompletionMode::NonIndexed
        }
    };
    let indexed = completion_mode == CompletionMode::Indexed;

    if indexed {
        match s.completions {
            None => errs.required("spec.completions", "when completion mode is Indexed"),
            Some(c) => {
                if let Some(p) = s.parallelism {
                    if p > MAX_PARALLELISM_INDEXED {
                        errs.invalid(
                            "spec.parallelism",
                            p,
                            format!("must be less than or equal to {MAX_PARALLELISM_INDEXED} when completion mode is Indexed"),
                        );
                    }
                }
                if let Some(m) = s.max_failed_indexes {
                    if m > c {
                        errs.invalid("spec.maxFailedIndexes", m, "must be less than or equal to completions");
                    }
                    if m > MAX_FAILED_INDEXES_INDEXED {
                        errs.invalid("spec.maxFailedIndexes", m, format!("must be less than or equal to {MAX_FAILED_INDEXES_INDEXED}"));
                    }
                }
                if c > COMPLETIONS_SOFT_LIMIT && s.backoff_limit_per_index.is_some() {
                    match s.max_failed_indexes {
                        None => errs.required("spec.maxFailedIndexes", format!("must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}")),
                        Some(m) if m > MAX_FAILED_INDEXES_LIMIT_HIGH_COMPLETIONS => errs.invalid(
                            "spec.maxFailedIndexes",
                            m,
                            format!("must be less than or equal to {MAX_FAILED_INDEXES_LIMIT_HIGH_COMPLETIONS} when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"),
                        ),
                        _ => {}
                    }
                    if let Some(p) = s.parallelism {
                        if p > PARALLELISM_LIMIT_HIGH_COMPLETIONS {
                            errs.invalid(
                                "spec.parallelism",
                                p,
                                format!("must be less than or equal to {PARALLELISM_LIMIT_HIGH_COMPLETIONS} when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"),
                            );
                        }
                    }
                }
                if c >= 1 && !name.is_empty() {
                    let last = format!("{name}-{}", c - 1);
                    if !is_dns1123_label(&last) {
                        errs.invalid(
                            "metadata.name",
                            format!("{name:?}"),
                            format!("will not able to create pod with invalid DNS label: {last}"),
                        );
                    }
                }
            }
        }
    } else {
        if let Some(v) = s.backoff_limit_per_index {
            errs.invalid("spec.backoffLimitPerIndex", v, "requires indexed completion mode");
        }
        if let Some(v) = s.max_failed_indexes {
            errs.invalid("spec.maxFailedIndexes", v, "requires indexed completion mode");
        }
    }

    let containers: Vec<String> = s.template.spec.containers.iter().filter_map(|c| c.name.clone()).collect();
    let init_containers: Vec<String> = s.template.spec.init_containers.iter().filter_map(|c| c.name.clone()).collect();

    let pod_failure_policy =
        s.pod_failure_policy.as_ref().map(|p| validate_pod_failure_policy(&mut errs, p, s, &containers, &init_containers));
    let success_policy = s.success_policy.as_ref().map(|p| validate_success_policy(&mut errs, p, indexed, s.completions));

    let pod_replacement_policy = match s.pod_replacement_policy.as_deref() {
        None => {
            if s.pod_failure_policy.is_some() {
                ReplacementPolicy::Failed
            } else {
                ReplacementPolicy::TerminatingOrFailed
            }
        }
        Some("Failed") => ReplacementPolicy::Failed,
        Some("TerminatingOrFailed") => {
            if s.pod_failure_policy.is_some() {
                errs.push(
                    "spec.podReplacementPolicy",
                    FieldErrorKind::NotSupported,
                    Some("\"TerminatingOrFailed\"".into()),
                    "supported values: \"Failed\"",
                );
            }
            ReplacementPolicy::TerminatingOrFailed
        }
        Some(v) => {
            if s.pod_failure_policy.is_some() {
                errs.not_supported("spec.podReplacementPolicy", v, &["Failed"]);
            } else {
                errs.not_supported("spec.podReplacementPolicy", v, &["Failed", "TerminatingOrFailed"]);
            }
            ReplacementPolicy::TerminatingOrFailed
        }
    };

    let restart_policy = match s.template.spec.restart_policy.as_deref() {
        None | Some("") | Some("Always") => {
            errs.required("spec.template.spec.restartPolicy", "valid values: \"OnFailure\", \"Never\"");
            RestartPolicy::Never
        }
        Some("Never") => RestartPolicy::Never,
        Some("OnFailure") => {
            if s.pod_failure_policy.is_some() {
                errs.invalid(
                    "spec.template.spec.restartPolicy",
                    "\"OnFailure\"",
                    "only \"Never\" is supported when podFailurePolicy is specified",
                );
            }
            RestartPolicy::OnFailure
        }
        Some(v) => {
            errs.not_supported("spec.template.spec.restartPolicy", v, &["OnFailure", "Never"]);
            RestartPolicy::Never
        }
    };

    if s.template.spec.containers.is_empty() {
        errs.required("spec.template.spec.containers", "");
    }
    for (i, c) in s.template.spec.containers.iter().enumerate() {
        if c.name.as_deref().unwrap_or("").is_empty() {
            errs.required(format!("spec.template.spec.containers[{i}].name"), "");
        }
        if c.image.as_deref().unwrap_or("").is_empty() {
            errs.required(format!("spec.template.spec.containers[{i}].image"), "");
        }
    }
    non_negative(&mut errs, "spec.template.spec.terminationGracePeriodSeconds", s.template.spec.termination_grace_period_seconds);
    if let Some(v) = s.template.spec.active_deadline_seconds {
        if v <= 0 {
            errs.invalid("spec.template.spec.activeDeadlineSeconds", v, "must be between 1 and 2147483647, inclusive");
        }
    }

    validate_selector(&mut errs, job);

    if !errs.0.is_empty() {
        return Err(errs.0);
    }

    // Defaulting (SetDefaults_Job): parallelism 1; completions 1 only if parallelism is unset too.
    let parallelism_set = s.parallelism.is_some();
    let completions_set = s.completions.is_some();
    let (parallelism, completions) = match (s.parallelism, s.completions) {
        (None, None) => (1, Some(1)),
        (None, c) => (1, c),
        (p, c) => (p.unwrap_or(1), c),
    };
    let backoff_limit = match (s.backoff_limit, s.backoff_limit_per_index) {
        (Some(b), _) => b,
        (None, Some(_)) => MAX_INT32,
        (None, None) => 6,
    };
    Ok(JobSpec {
        name,
        parallelism: parallelism as u32,
        completions: completions.map(|c| c as u32),
        completion_mode,
        backoff_limit: backoff_limit as u32,
        backoff_limit_set: s.backoff_limit.is_some(),
        backoff_limit_per_index: s.backoff_limit_per_index.map(|v| v as u32),
        max_failed_indexes: s.max_failed_indexes.map(|v| v as u32),
        active_deadline: s.active_deadline_seconds.map(|v| v as u64 * SECOND),
        ttl_after_finished: s.ttl_seconds_after_finished.map(|v| v as u64 * SECOND),
        suspend: s.suspend.unwrap_or(false),
        pod_replacement_policy,
        pod_failure_policy,
        success_policy,
        managed_by_other: s.managed_by.as_deref().is_some_and(|m| m != JOB_CONTROLLER_NAME),
        parallelism_set,
        completions_set,
        restart_policy,
        termination_grace: s.template.spec.termination_grace_period_seconds.unwrap_or(30) as u64 * SECOND,
        pod_active_deadline: s.template.spec.active_deadline_seconds.map(|v| v as u64 * SECOND),
        containers,
        init_containers,
    })
}

fn validate_selector(errs: &mut Errors, job: &k8s::Job) {
    let s = &job.spec;
    if s.manual_selector != Some(true) {
        return;
    }
    let Some(sel) = &s.selector else {
        errs.required("spec.selector", "");
        return;
    };
    let labels = s.template.metadata.labels.clone().unwrap_or_default();
    if let Some(ml) = &sel.match_labels {
        for (k, v) in ml {
            if labels.get(k) != Some(v) {
                errs.invalid("spec.template.metadata.labels", format!("{labels:?}"), "`selector` does not match template `labels`");
                return;
            }
        }
    }
}

fn validate_pod_failure_policy(
    errs: &mut Errors,
    p: &k8s::PodFailurePolicy,
    s: &k8s::JobSpec,
    containers: &[String],
    init_containers: &[String],
) -> Vec<FailureRule> {
    let base = "spec.podFailurePolicy.rules";
    if p.rules.len() > MAX_POD_FAILURE_POLICY_RULES {
        errs.push(
            base,
            FieldErrorKind::TooMany,
            Some(p.rules.len().to_string()),
            format!("must have at most {MAX_POD_FAILURE_POLICY_RULES} items"),
        );
    }
    let mut out = Vec::new();
    for (i, r) in p.rules.iter().enumerate() {
        let rp = format!("{base}[{i}]");
        let action = match r.action.as_deref() {
            None | Some("") => {
                errs.required(format!("{rp}.action"), "valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]");
                FailureAction::Count
            }
            Some("FailJob") => FailureAction::FailJob,
            Some("Ignore") => FailureAction::Ignore,
            Some("Count") => FailureAction::Count,
            Some("FailIndex") => {
                if s.backoff_limit_per_index.is_none() {
                    errs.invalid(format!("{rp}.action"), "\"FailIndex\"", "requires the backoffLimitPerIndex to be set");
                }
                FailureAction::FailIndex
            }
            Some(v) => {
                errs.not_supported(format!("{rp}.action"), v, &["Count", "FailIndex", "FailJob", "Ignore"]);
                FailureAction::Count
            }
        };
        let mut exit_rule = None;
        let mut conds = Vec::new();
        if let Some(ec) = &r.on_exit_codes {
            let ep = format!("{rp}.onExitCodes");
            let op_in = match ec.operator.as_deref() {
                None | Some("") => {
                    errs.required(format!("{ep}.operator"), "valid values: [\"In\" \"NotIn\"]");
                    true
                }
                Some("In") => true,
                Some("NotIn") => false,
                Some(v) => {
                    errs.not_supported(format!("{ep}.operator"), v, &["In", "NotIn"]);
                    true
                }
            };
            if let Some(cn) = &ec.container_name {
                if !containers.contains(cn) && !init_containers.contains(cn) {
                    errs.invalid(
                        format!("{ep}.containerName"),
                        format!("{cn:?}"),
                        "must be one of the container or initContainer names in the pod template",
                    );
                }
            }
            if ec.values.is_empty() {
                errs.invalid(format!("{ep}.values"), go_int32_slice(&ec.values), "at least one value is required");
            } else if ec.values.len() > MAX_EXIT_CODE_VALUES {
                errs.push(
                    format!("{ep}.values"),
                    FieldErrorKind::TooMany,
                    Some(ec.values.len().to_string()),
                    format!("must have at most {MAX_EXIT_CODE_VALUES} items"),
                );
            }
            // Every value is checked, whatever the list's length: 0 with In, duplicates anywhere
            // in the list, and the order.
            let mut seen = std::collections::BTreeSet::new();
            let mut ordered = true;
            for (j, &v) in ec.values.iter().enumerate() {
                if op_in && v == 0 {
                    errs.invalid(format!("{ep}.values[{j}]"), v, "must not be 0 for the In operator");
                }
                if !seen.insert(v) {
                    errs.push(format!("{ep}.values[{j}]"), FieldErrorKind::Duplicate, Some(v.to_string()), "");
                }
                if j > 0 && ec.values[j - 1] > v {
                    ordered = false;
                }
            }
            if !ordered {
                errs.invalid(format!("{ep}.values"), go_int32_slice(&ec.values), "must be ordered");
            }
            exit_rule =
                Some(ExitCodeRule { container: ec.container_name.clone(), op_in, values: ec.values.iter().map(|&v| v as i32).collect() });
        }
        let pcs = r.on_pod_conditions.as_deref().unwrap_or(&[]);
        if !pcs.is_empty() {
            let cp = format!("{rp}.onPodConditions");
            if pcs.len() > MAX_POD_CONDITION_PATTERNS {
                errs.push(
                    cp.clone(),
                    FieldErrorKind::TooMany,
                    Some(pcs.len().to_string()),
                    format!("must have at most {MAX_POD_CONDITION_PATTERNS} items"),
                );
            }
            for (j, pc) in pcs.iter().enumerate() {
                let t = pc.type_.clone().unwrap_or_default();
                for msg in qualified_name_errors(&t) {
                    errs.invalid(format!("{cp}[{j}].type"), format!("{t:?}"), msg);
                }
                // Defaulting fills an empty status with True.
                let status = pc.status.clone().unwrap_or_else(|| "True".into());
                if !matches!(status.as_str(), "True" | "False" | "Unknown") {
                    errs.not_supported(format!("{cp}[{j}].status"), &status, &["False", "True", "Unknown"]);
                }
                conds.push(ConditionPattern { type_: t, status });
            }
        }
        // Checked after the rule's own fields, as the API server does.
        match (r.on_exit_codes.is_some(), !pcs.is_empty()) {
            (true, true) => errs.invalid_omit(rp.clone(), "specifying both OnExitCodes and OnPodConditions is not supported"),
            (false, false) => errs.invalid_omit(rp.clone(), "specifying one of OnExitCodes and OnPodConditions is required"),
            _ => {}
        }
        out.push(FailureRule { action, on_exit_codes: exit_rule, on_pod_conditions: conds });
    }
    out
}

fn validate_success_policy(errs: &mut Errors, p: &k8s::SuccessPolicy, indexed: bool, completions: Option<i64>) -> Vec<SuccessRule> {
    if !indexed {
        errs.invalid_omit("spec.successPolicy", "requires indexed completion mode");
        return Vec::new();
    }
    let base = "spec.successPolicy.rules";
    if p.rules.is_empty() {
        errs.required(base, "at least one rules must be specified when the successPolicy is specified");
    }
    if p.rules.len() > MAX_SUCCESS_POLICY_RULES {
        errs.push(
            base,
            FieldErrorKind::TooMany,
            Some(p.rules.len().to_string()),
            format!("must have at most {MAX_SUCCESS_POLICY_RULES} items"),
        );
    }
    let completions = completions.unwrap_or(0);
    let mut out = Vec::new();
    for (i, r) in p.rules.iter().enumerate() {
        let rp = format!("{base}[{i}]");
        if r.succeeded_count.is_none() && r.succeeded_indexes.is_none() {
            errs.required(rp.clone(), "at least one of succeededCount or succeededIndexes must be specified");
        }
        let mut indexes = None;
        if let Some(si) = &r.succeeded_indexes {
            if si.len() > MAX_SUCCEEDED_INDEXES_LENGTH {
                errs.push(
                    format!("{rp}.succeededIndexes"),
                    FieldErrorKind::TooLong,
                    None,
                    format!("may not be more than {MAX_SUCCEEDED_INDEXES_LENGTH} bytes"),
                );
            }
            // The format is checked whatever the length.
            match parse_index_list(si, completions) {
                Ok(set) => indexes = Some(set),
                Err(e) => errs.invalid(format!("{rp}.succeededIndexes"), format!("{si:?}"), format!("error parsing succeededIndexes: {e}")),
            }
        }
        // The three checks on succeededCount apply independently.
        if let Some(c) = r.succeeded_count {
            let cp = format!("{rp}.succeededCount");
            if c < 0 {
                errs.invalid(cp.clone(), c, "must be greater than or equal to 0");
            }
            if c > completions {
                errs.invalid(cp.clone(), c, format!("must be less than or equal to {completions} (the number of specified completions)"));
            }
            if let Some(set) = &indexes {
                if c > 0 && c as u64 > set.len() {
                    errs.invalid(
                        cp,
                        c,
                        format!(
                            "must be less than or equal to {} (the number of indexes in the specified succeededIndexes field)",
                            set.len()
                        ),
                    );
                }
            }
        }
        out.push(SuccessRule { indexes, count: r.succeeded_count.filter(|c| *c >= 0).map(|c| c as u32) });
    }
    out
}

/// Parses an index list such as `0,2-4,7` (strictly increasing, each value < completions).
pub fn parse_index_list(s: &str, completions: i64) -> Result<IndexSet, String> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut prev: i64 = -1;
    for item in s.split(',') {
        let (a, b) = match item.split_once('-') {
            Some((a, b)) => (parse_index(a)?, parse_index(b)?),
            None => {
                let v = parse_index(item)?;
                (v, v)
            }
        };
        if item.contains('-') && a >= b {
            return Err(format!("non-increasing order, previous: {a}, current: {b}"));
        }
        if a <= prev {
            return Err(format!("non-increasing order, previous: {prev}, current: {a}"));
        }
        if b >= completions {
            return Err(format!("too large: {b}"));
        }
        prev = b;
        match out.last_mut() {
            Some(last) if last.1 as i64 + 1 == a => last.1 = b as u32,
            _ => out.push((a as u32, b as u32)),
        }
    }
    Ok(IndexSet(out))
}

fn parse_index(s: &str) -> Result<i64, String> {
    s.parse::<i64>().ok().filter(|v| *v >= 0 && *v <= MAX_INT32).ok_or_else(|| format!("cannot convert string to integer for index: {s:?}"))
}

fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric()
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// Go's `%#v` of a `[]int32`, as the API server prints a list of exit codes.
fn go_int32_slice(v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(i64::to_string).collect();
    format!("[]int32{{{}}}", items.join(", "))
}

const QUALIFIED_NAME_ERR: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/// The messages of `ValidateQualifiedName` (empty when valid): an optional DNS-subdomain prefix
/// and `/`, then a name part of at most 63 characters.
fn qualified_name_errors(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    if s.matches('/').count() > 1 {
        out.push("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".to_string());
        return out;
    }
    if let Some(p) = prefix {
        if p.is_empty() {
            out.push("prefix part must be non-empty".to_string());
        } else if !is_dns1123_subdomain(p) {
            out.push(format!("prefix part {DNS1123_SUBDOMAIN_ERR}"));
        }
    }
    if name.is_empty() {
        out.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        out.push("name part must be no more than 63 characters".to_string());
    }
    if !name_part_ok(name) {
        out.push(QUALIFIED_NAME_ERR.to_string());
    }
    out
}

fn name_part_ok(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}

const DNS1123_SUBDOMAIN_ERR: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// `IsDomainPrefixedPath`: `host/path`, the host a DNS subdomain, the path HTTP-path characters.
fn domain_prefixed_path_errors(errs: &mut Errors, path: &str, v: &str) {
    if v.is_empty() {
        errs.required(path, "");
        return;
    }
    let Some((host, p)) = v.split_once('/').filter(|(h, p)| !h.is_empty() && !p.is_empty()) else {
        errs.invalid(path, format!("{v:?}"), "must be a domain-prefixed path (such as \"acme.io/foo\")");
        return;
    };
    if !is_dns1123_subdomain(host) {
        errs.invalid(path, format!("{host:?}"), DNS1123_SUBDOMAIN_ERR);
    }
    let http_path_char = |b: u8| b.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:".contains(&b);
    if !p.bytes().all(http_path_char) {
        errs.invalid(path, format!("{p:?}"), "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_lists() {
        assert_eq!(parse_index_list("0,2-4,5", 10).unwrap(), IndexSet(vec![(0, 0), (2, 5)]));
        assert!(parse_index_list("3-3", 10).is_err());
        assert!(parse_index_list("4,2", 10).is_err());
        assert!(parse_index_list("9-10", 10).is_err());
        assert!(parse_index_list("a", 10).is_err());
    }
}
