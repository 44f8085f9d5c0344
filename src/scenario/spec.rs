//! Validated, defaulted domain types: what the engine runs. Built from the raw types by
//! [`super::validate`]; the engine never sees raw input.

use crate::engine::Time;

/// How completions are tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionMode {
    /// Any `completions` successful pods.
    NonIndexed,
    /// One success per index 0..completions-1.
    Indexed,
}

/// The pod template's `restartPolicy` (a Job allows only these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartPolicy {
    /// A failed container fails the pod; the Job controller replaces it.
    Never,
    /// The kubelet restarts a failed container inside the same pod.
    OnFailure,
}

/// `spec.podReplacementPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplacementPolicy {
    /// Replace a pod as soon as it is terminating (deleted) or failed.
    TerminatingOrFailed,
    /// Replace a pod only once it has reached phase Failed.
    Failed,
}

/// The four ways a Job runs, as users and the docs name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobMode {
    /// completions = parallelism = 1.
    NonParallel,
    /// completions set (NonIndexed).
    FixedCompletions,
    /// completions unset, parallelism set.
    WorkQueue,
    /// completionMode Indexed.
    Indexed,
}

impl JobMode {
    /// The name used in `summary.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobMode::NonParallel => "non-parallel",
            JobMode::FixedCompletions => "fixed-completions",
            JobMode::WorkQueue => "work-queue",
            JobMode::Indexed => "indexed",
        }
    }
}

/// Action of a pod failure policy rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureAction {
    /// Fail the whole Job.
    FailJob,
    /// Fail the pod's index (needs backoffLimitPerIndex).
    FailIndex,
    /// Do not count the failure toward any limit.
    Ignore,
    /// Count it as usual.
    Count,
}

impl FailureAction {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureAction::FailJob => "FailJob",
            FailureAction::FailIndex => "FailIndex",
            FailureAction::Ignore => "Ignore",
            FailureAction::Count => "Count",
        }
    }
}

/// `onExitCodes` of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitCodeRule {
    /// Only this container, if set.
    pub container: Option<String>,
    /// `In` (true) or `NotIn` (false).
    pub op_in: bool,
    /// The exit codes, ascending.
    pub values: Vec<i32>,
}

/// A pod condition pattern (`type` and `status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionPattern {
    /// Condition type, e.g. `DisruptionTarget`.
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
}

/// One pod failure policy rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRule {
    /// What to do on a match.
    pub action: FailureAction,
    /// Match on exit codes…
    pub on_exit_codes: Option<ExitCodeRule>,
    /// …or on pod conditions.
    pub on_pod_conditions: Vec<ConditionPattern>,
}

/// A sorted set of disjoint, non-adjacent closed intervals of indexes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexSet(pub Vec<(u32, u32)>);

impl IndexSet {
    /// Whether `i` is in the set.
    pub fn contains(&self, i: u32) -> bool {
        self.0.iter().any(|&(a, b)| a <= i && i <= b)
    }
    /// Number of indexes.
    pub fn len(&self) -> u64 {
        self.0.iter().map(|&(a, b)| (b - a) as u64 + 1).sum()
    }
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One success policy rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessRule {
    /// `succeededIndexes`.
    pub indexes: Option<IndexSet>,
    /// `succeededCount`.
    pub count: Option<u32>,
}

/// A Job spec after defaulting and validation.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    /// `metadata.name`.
    pub name: String,
    /// `spec.parallelism` (default 1).
    pub parallelism: u32,
    /// `spec.completions`; `None` is a work queue.
    pub completions: Option<u32>,
    /// `spec.completionMode`.
    pub completion_mode: CompletionMode,
    /// `spec.backoffLimit` (default 6; MaxInt32 with backoffLimitPerIndex).
    pub backoff_limit: u32,
    /// Whether `backoffLimit` was written in the manifest (rather than defaulted).
    pub backoff_limit_set: bool,
    /// `spec.backoffLimitPerIndex`.
    pub backoff_limit_per_index: Option<u32>,
    /// `spec.maxFailedIndexes`.
    pub max_failed_indexes: Option<u32>,
    /// `spec.activeDeadlineSeconds`, in ms.
    pub active_deadline: Option<Time>,
    /// `spec.ttlSecondsAfterFinished`, in ms.
    pub ttl_after_finished: Option<Time>,
    /// `spec.suspend`.
    pub suspend: bool,
    /// `spec.podReplacementPolicy` (defaulted).
    pub pod_replacement_policy: ReplacementPolicy,
    /// `spec.podFailurePolicy` rules (None when unset).
    pub pod_failure_policy: Option<Vec<FailureRule>>,
    /// `spec.successPolicy` rules (None when unset).
    pub success_policy: Option<Vec<SuccessRule>>,
    /// `spec.managedBy` names another controller: the Job controller leaves the Job alone.
    pub managed_by_other: bool,
    /// Which fields were written (for `explain`): parallelism, completions.
    pub parallelism_set: bool,
    /// Whether `completions` was written.
    pub completions_set: bool,
    /// `template.spec.restartPolicy`.
    pub restart_policy: RestartPolicy,
    /// `template.spec.terminationGracePeriodSeconds` in ms (default 30s).
    pub termination_grace: Time,
    /// `template.spec.activeDeadlineSeconds` in ms.
    pub pod_active_deadline: Option<Time>,
    /// Container names, the main (first) container first; the workload's exit code is its.
    pub containers: Vec<String>,
    /// Init container names.
    pub init_containers: Vec<String>,
}

impl JobSpec {
    /// The mode, as users name it.
    pub fn mode(&self) -> JobMode {
        match (self.completion_mode, self.completions) {
            (CompletionMode::Indexed, _) => JobMode::Indexed,
            (_, None) => JobMode::WorkQueue,
            (_, Some(1)) if self.parallelism == 1 => JobMode::NonParallel,
            _ => JobMode::FixedCompletions,
        }
    }

    /// `onlyReplaceFailedPods`: podReplacementPolicy Failed, or a podFailurePolicy is set.
    pub fn only_replace_failed_pods(&self) -> bool {
        self.pod_replacement_policy == ReplacementPolicy::Failed || self.pod_failure_policy.is_some()
    }

    /// Whether the Job is Indexed.
    pub fn indexed(&self) -> bool {
        self.completion_mode == CompletionMode::Indexed
    }
}
