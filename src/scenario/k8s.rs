//! The subset of the Kubernetes `batch/v1` Job and `core/v1` Pod API that kjobsim simulates,
//! as raw serde types. Unknown Kubernetes fields are ignored, as `kubectl apply` would accept them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A `batch/v1` Job manifest, as written by a user.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    /// `apiVersion`, expected `batch/v1`.
    #[serde(default)]
    pub api_version: Option<String>,
    /// `kind`, expected `Job`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Object metadata (name, labels).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The Job spec.
    #[serde(default)]
    pub spec: JobSpec,
}

/// `metadata` of a Job or pod template.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// `metadata.name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `metadata.generateName` (used when `name` is empty).
    #[serde(default)]
    pub generate_name: Option<String>,
    /// `metadata.namespace`.
    #[serde(default)]
    pub namespace: Option<String>,
    /// `metadata.labels`.
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    /// `metadata.annotations`.
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// `spec` of a batch/v1 Job.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    /// `spec.parallelism`.
    pub parallelism: Option<i64>,
    /// `spec.completions`.
    pub completions: Option<i64>,
    /// `spec.completionMode`: `NonIndexed` or `Indexed`.
    pub completion_mode: Option<String>,
    /// `spec.backoffLimit`.
    pub backoff_limit: Option<i64>,
    /// `spec.backoffLimitPerIndex`.
    pub backoff_limit_per_index: Option<i64>,
    /// `spec.maxFailedIndexes`.
    pub max_failed_indexes: Option<i64>,
    /// `spec.activeDeadlineSeconds`.
    pub active_deadline_seconds: Option<i64>,
    /// `spec.ttlSecondsAfterFinished`.
    pub ttl_seconds_after_finished: Option<i64>,
    /// `spec.suspend`.
    pub suspend: Option<bool>,
    /// `spec.podReplacementPolicy`: `TerminatingOrFailed` or `Failed`.
    pub pod_replacement_policy: Option<String>,
    /// `spec.podFailurePolicy`.
    pub pod_failure_policy: Option<PodFailurePolicy>,
    /// `spec.successPolicy`.
    pub success_policy: Option<SuccessPolicy>,
    /// `spec.managedBy`.
    pub managed_by: Option<String>,
    /// `spec.manualSelector`.
    pub manual_selector: Option<bool>,
    /// `spec.selector`.
    pub selector: Option<LabelSelector>,
    /// `spec.template`.
    #[serde(default)]
    pub template: PodTemplateSpec,
}

/// A label selector (only `matchLabels` is interpreted).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    /// `matchLabels`.
    pub match_labels: Option<BTreeMap<String, String>>,
    /// `matchExpressions` (kept opaque).
    pub match_expressions: Option<Vec<serde_json::Value>>,
}

/// `spec.podFailurePolicy`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodFailurePolicy {
    /// `rules`, evaluated in order.
    #[serde(default)]
    pub rules: Vec<PodFailurePolicyRule>,
}

/// One rule of a pod failure policy.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodFailurePolicyRule {
    /// `action`: `FailJob`, `FailIndex`, `Ignore` or `Count`.
    pub action: Option<String>,
    /// `onExitCodes`.
    pub on_exit_codes: Option<OnExitCodes>,
    /// `onPodConditions`.
    pub on_pod_conditions: Option<Vec<OnPodCondition>>,
}

/// `onExitCodes` requirement.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OnExitCodes {
    /// `containerName`.
    pub container_name: Option<String>,
    /// `operator`: `In` or `NotIn`.
    pub operator: Option<String>,
    /// `values`.
    #[serde(default)]
    pub values: Vec<i64>,
}

/// `onPodConditions` pattern.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OnPodCondition {
    /// `type`, e.g. `DisruptionTarget`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// `status` (defaults to `True`).
    pub status: Option<String>,
}

/// `spec.successPolicy`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SuccessPolicy {
    /// `rules`, evaluated in order.
    #[serde(default)]
    pub rules: Vec<SuccessPolicyRule>,
}

/// One success policy rule.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SuccessPolicyRule {
    /// `succeededIndexes`, e.g. `0-3,7`.
    pub succeeded_indexes: Option<String>,
    /// `succeededCount`.
    pub succeeded_count: Option<i64>,
}

/// `spec.template`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplateSpec {
    /// Template metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Pod spec.
    #[serde(default)]
    pub spec: PodSpec,
}

/// The subset of `core/v1` PodSpec that matters to a Job's simulation.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// `restartPolicy`: must be `Never` or `OnFailure` in a Job.
    pub restart_policy: Option<String>,
    /// `containers`.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// `initContainers`.
    #[serde(default)]
    pub init_containers: Vec<Container>,
    /// `terminationGracePeriodSeconds` (default 30).
    pub termination_grace_period_seconds: Option<i64>,
    /// `activeDeadlineSeconds` of each pod.
    pub active_deadline_seconds: Option<i64>,
    /// `nodeSelector`.
    pub node_selector: Option<BTreeMap<String, String>>,
    /// `tolerations`.
    pub tolerations: Option<Vec<Toleration>>,
    /// `priorityClassName`.
    pub priority_class_name: Option<String>,
    /// `priority`.
    pub priority: Option<i64>,
}

/// A container (name, image, resources).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// `name`.
    pub name: Option<String>,
    /// `image`.
    pub image: Option<String>,
    /// `restartPolicy` of an init container (`Always` makes it a sidecar).
    pub restart_policy: Option<String>,
    /// `resources`.
    pub resources: Option<ResourceRequirements>,
}

/// `resources` of a container; quantities are kept as strings (or numbers) until parsed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequirements {
    /// `requests`.
    pub requests: Option<BTreeMap<String, serde_json::Value>>,
    /// `limits`.
    pub limits: Option<BTreeMap<String, serde_json::Value>>,
}

/// A toleration.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Toleration {
    /// `key`.
    pub key: Option<String>,
    /// `operator`: `Equal` (default) or `Exists`.
    pub operator: Option<String>,
    /// `value`.
    pub value: Option<String>,
    /// `effect`.
    pub effect: Option<String>,
}
