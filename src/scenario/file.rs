//! The scenario file format (our own keys: unknown ones are rejected as typos).

use super::duration::Dur;
use super::k8s;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A scenario file as written.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Name of the scenario (default: the file stem); names the output folder.
    #[serde(default)]
    pub name: Option<String>,
    /// A comment shown by `explain` and in the report.
    #[serde(default)]
    pub description: Option<String>,
    /// Seed of every random draw.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Controller timing knobs; the defaults match the real Job controller.
    #[serde(default)]
    pub kubernetes: Option<KubernetesConfig>,
    /// The cluster (unlimited room when absent).
    #[serde(default)]
    pub cluster: Option<ClusterFile>,
    /// Priority classes: `priorityClassName` -> priority value (used by the scheduler's queue).
    #[serde(default)]
    pub priority_classes: Option<BTreeMap<String, i64>>,
    /// The Jobs.
    #[serde(default)]
    pub jobs: Vec<JobEntry>,
    /// Things that happen at given times.
    #[serde(default)]
    pub events: Vec<ScenarioEvent>,
    /// Stop the simulation at this time even if Jobs are still running.
    #[serde(default)]
    pub until: Option<Dur>,
    /// For `compare`: variants of the first Job, each run on the same workload (`run` ignores them).
    #[serde(default)]
    pub variants: Vec<Variant>,
}

/// A variant for `compare`: spec fields of the first Job overridden, optionally its workload.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Name shown in `compare.svg` and `compare.csv`.
    pub name: String,
    /// Spec fields to override (`null` unsets a field).
    #[serde(default)]
    pub set: VariantSet,
    /// Replaces the first Job's workload (e.g. a work queue for a variant without completions).
    #[serde(default)]
    pub workload: Option<WorkloadSpec>,
}

/// Spec fields a variant overrides: a value sets the field, `null` removes it, absent keeps it.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VariantSet {
    /// `spec.parallelism`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub parallelism: Option<Option<i64>>,
    /// `spec.completions`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub completions: Option<Option<i64>>,
    /// `spec.completionMode`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub completion_mode: Option<Option<String>>,
    /// `spec.backoffLimit`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub backoff_limit: Option<Option<i64>>,
    /// `spec.backoffLimitPerIndex`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub backoff_limit_per_index: Option<Option<i64>>,
    /// `spec.maxFailedIndexes`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub max_failed_indexes: Option<Option<i64>>,
    /// `spec.activeDeadlineSeconds`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub active_deadline_seconds: Option<Option<i64>>,
    /// `spec.podReplacementPolicy`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub pod_replacement_policy: Option<Option<String>>,
    /// `spec.suspend`.
    #[serde(default, deserialize_with = "set_or_unset")]
    pub suspend: Option<Option<bool>>,
}

fn set_or_unset<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl VariantSet {
    /// Applies the overrides to a manifest's spec.
    pub fn apply(&self, spec: &mut k8s::JobSpec) {
        fn put<T: Clone>(field: &mut Option<T>, v: &Option<Option<T>>) {
            if let Some(v) = v {
                *field = v.clone();
            }
        }
        put(&mut spec.parallelism, &self.parallelism);
        put(&mut spec.completions, &self.completions);
        put(&mut spec.completion_mode, &self.completion_mode);
        put(&mut spec.backoff_limit, &self.backoff_limit);
        put(&mut spec.backoff_limit_per_index, &self.backoff_limit_per_index);
        put(&mut spec.max_failed_indexes, &self.max_failed_indexes);
        put(&mut spec.active_deadline_seconds, &self.active_deadline_seconds);
        put(&mut spec.pod_replacement_policy, &self.pod_replacement_policy);
        put(&mut spec.suspend, &self.suspend);
    }
}

/// Controller timing (all optional; defaults are the upstream constants).
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct KubernetesConfig {
    /// `syncJobBatchPeriod`: delay between a pod change and the sync that sees it (1s).
    pub sync_batch: Option<Dur>,
    /// `DefaultJobPodFailureBackOff` (10s).
    pub pod_failure_backoff: Option<Dur>,
    /// `MaxJobPodFailureBackOff` (10m).
    pub max_pod_failure_backoff: Option<Dur>,
    /// `MaxPodCreateDeletePerSync` (500).
    pub max_pods_per_sync: Option<u32>,
    /// The kubelet's first delay between container restarts after the immediate one (10s).
    pub container_backoff: Option<Dur>,
    /// The kubelet's cap on container restart delays (300s).
    pub max_container_backoff: Option<Dur>,
    /// A container that ran this long resets its restart back-off (10m).
    pub container_backoff_reset: Option<Dur>,
    /// The namespace's ResourceQuota on `pods` (non-terminal pods at once); creates beyond it fail.
    pub pod_quota: Option<u32>,
}

/// One Job of the scenario.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct JobEntry {
    /// When the Job is created (default 0s).
    #[serde(default)]
    pub submit_at: Option<Dur>,
    /// The batch/v1 Job manifest, inline.
    #[serde(default)]
    pub manifest: Option<k8s::Job>,
    /// Or a path to it, relative to the scenario file.
    #[serde(default)]
    pub manifest_file: Option<String>,
    /// What the pods do.
    #[serde(default)]
    pub workload: Option<WorkloadSpec>,
}

/// What a Job's pods do: random models keyed by (job, index or ordinal, attempt), or scripted facts.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Time from pod creation to Running (default 0s).
    pub startup: Option<DistSpec>,
    /// Time from Running to the container's exit (default 10s); `never` runs until deleted.
    pub duration: Option<DurationSpec>,
    /// Random failures.
    pub failure: Option<FailureSpec>,
    /// How long a container takes to exit after SIGTERM (default 0s), capped by the grace period.
    pub shutdown: Option<DistSpec>,
    /// Pods drain a shared queue of work items instead of running `duration`.
    pub work_queue: Option<WorkQueueSpec>,
    /// Exact facts for chosen pods; override the random model.
    #[serde(default)]
    pub script: Vec<ScriptEntry>,
}

/// A duration distribution.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum DistSpec {
    /// `2s`: a fixed duration.
    Fixed(Dur),
    /// `{ fixed: 2s }`, `{ uniform: [1s, 60s] }`, …
    Tagged(DistTagged),
}

/// The tagged forms of a distribution.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum DistTagged {
    /// Always the same.
    Fixed(Dur),
    /// Uniform between the two bounds.
    Uniform([Dur; 2]),
    /// Normal, truncated at 0.
    Normal {
        /// Mean.
        mean: Dur,
        /// Standard deviation.
        sd: Dur,
    },
    /// Log-normal given by its median and the sigma of the underlying normal.
    Lognormal {
        /// Median.
        median: Dur,
        /// Sigma (≥ 0).
        sigma: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean.
        mean: Dur,
    },
    /// One of the listed values, each equally likely.
    Empirical(Vec<Dur>),
}

/// A run duration: a distribution or `never` (runs until something deletes the pod).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum DurationSpec {
    /// `never`.
    Never(NeverWord),
    /// A distribution.
    Dist(DistSpec),
}

/// The word `never`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum NeverWord {
    /// `never`.
    Never,
}

/// Random failures of pods.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FailureSpec {
    /// Probability that a pod (or a container run, under OnFailure) fails.
    #[serde(default)]
    pub probability: f64,
    /// Exit code of a failure (default 1).
    pub exit_code: Option<i32>,
}

/// A shared queue of work items drained by the pods of a work-queue Job.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkQueueSpec {
    /// Number of items.
    pub items: u64,
    /// Time to process one item.
    pub per_item: DistSpec,
    /// What happens to the item a pod was working on when it fails: `requeue` (default) or `lose`.
    #[serde(default)]
    pub on_failure: Option<ItemOnFailure>,
}

/// Fate of an in-flight work item when its pod fails.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ItemOnFailure {
    /// Returned to the queue for another pod.
    #[default]
    Requeue,
    /// Lost.
    Lose,
}

/// Exact facts for one pod (or one container run of it).
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ScriptEntry {
    /// Creation ordinal within the Job (0 = first pod created).
    pub pod: Option<u32>,
    /// Completion index (Indexed Jobs).
    pub index: Option<u32>,
    /// With `index`: the n-th pod of that index (1 = first; default 1).
    pub attempt: Option<u32>,
    /// OnFailure: which container run (0 = first run, k = k-th restart).
    pub restart: Option<u32>,
    /// Creation to Running.
    pub startup: Option<Dur>,
    /// Running to exit, or `never`.
    pub duration: Option<DurationSpec>,
    /// Exit code (0 = success).
    pub exit_code: Option<i32>,
    /// A pod condition set when it fails, e.g. `DisruptionTarget`.
    pub condition: Option<String>,
    /// The container keeps running this long after SIGTERM.
    pub ignore_sigterm_for: Option<Dur>,
}

/// Something that happens at a given time.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEvent {
    /// When.
    pub at: Dur,
    /// Suspend the named Job (`spec.suspend: true`).
    pub suspend: Option<String>,
    /// Resume the named Job (`spec.suspend: false`).
    pub resume: Option<String>,
    /// Change mutable spec fields of a Job.
    pub set: Option<SetFields>,
    /// Delete one pod (as a user or another controller would).
    pub delete_pod: Option<PodRef>,
    /// Delete a Job (background propagation).
    pub delete_job: Option<String>,
    /// A node goes NotReady; its pods fail with `DisruptionTarget` after the eviction delay.
    pub node_down: Option<String>,
    /// A node that was down is Ready again.
    pub node_up: Option<String>,
    /// Cordon a node and evict its pods gracefully.
    pub drain: Option<String>,
    /// Nodes join the cluster (after `after`, default 0s).
    pub add_nodes: Option<NodeGroup>,
}

/// The cluster the pods are scheduled onto.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ClusterFile {
    /// Groups of identical nodes.
    #[serde(default)]
    pub nodes: Vec<NodeGroup>,
    /// `least-allocated` (default) or `most-allocated`.
    #[serde(default)]
    pub scoring: Option<Scoring>,
    /// Time from a pod's creation until the scheduler first considers it (default 0s).
    #[serde(default)]
    pub scheduling_latency: Option<DistSpec>,
    /// From `node_down` to the eviction of its pods (default 5m50s: 50s node-monitor grace
    /// period + the 300s default `tolerationSeconds` of the `unreachable` taint).
    #[serde(default)]
    pub eviction_delay: Option<Dur>,
    /// Image pull time by image name; `default` for the others (default 0s).
    #[serde(default)]
    pub image_pull: Option<BTreeMap<String, DistSpec>>,
}

/// How the scheduler scores feasible nodes.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Scoring {
    /// Prefer the emptiest node (spreads pods).
    #[default]
    LeastAllocated,
    /// Prefer the fullest node that fits (bin packing).
    MostAllocated,
}

/// A group of identical nodes.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NodeGroup {
    /// Number of nodes (default 1).
    #[serde(default)]
    pub count: Option<u32>,
    /// Allocatable CPU (quantity: `4`, `3500m`).
    pub cpu: serde_json::Value,
    /// Allocatable memory (quantity: `16Gi`).
    pub memory: serde_json::Value,
    /// Most pods per node (default 110).
    #[serde(default)]
    pub pods: Option<u32>,
    /// Node labels (matched by `nodeSelector`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Node taints.
    #[serde(default)]
    pub taints: Vec<TaintFile>,
    /// Names are `<name_prefix>-<n>`, n counting from 1 per prefix (default `node`).
    #[serde(default)]
    pub name_prefix: Option<String>,
    /// `add_nodes` only: the nodes join this long after the event (default 0s).
    #[serde(default)]
    pub after: Option<Dur>,
}

/// A node taint.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TaintFile {
    /// Key.
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
}

/// Mutable Job fields changed by a `set` event.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SetFields {
    /// The Job's name.
    pub job: String,
    /// New `spec.parallelism`.
    pub parallelism: Option<i64>,
    /// New `spec.completions` (Indexed Jobs only, together with parallelism).
    pub completions: Option<i64>,
    /// New `spec.backoffLimit`.
    pub backoff_limit: Option<i64>,
    /// New `spec.activeDeadlineSeconds`.
    pub active_deadline_seconds: Option<i64>,
    /// New `spec.ttlSecondsAfterFinished`.
    pub ttl_seconds_after_finished: Option<i64>,
    /// New `spec.maxFailedIndexes`.
    pub max_failed_indexes: Option<i64>,
}

/// Names a pod: by Job and creation ordinal, or by Job and index (its current active pod).
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PodRef {
    /// The Job's name.
    pub job: String,
    /// Creation ordinal.
    pub pod: Option<u32>,
    /// Completion index (the newest active pod of that index).
    pub index: Option<u32>,
}
