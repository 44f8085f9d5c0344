//! `summary.json`: per Job its mode, outcome, reason, times and counts; and the run's own figures.

use crate::engine::{as_secs_f64, Time};
use crate::model::controller::{ConditionType, JobController};
use crate::model::World;
use serde::Serialize;

/// One condition of a Job, as in `status.conditions`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConditionSummary {
    /// Type.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True` or `False`.
    pub status: String,
    /// Reason.
    pub reason: String,
    /// Message.
    pub message: String,
    /// `lastTransitionTime`, seconds from the scenario's start.
    pub time: f64,
}

/// The summary of one Job.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobSummary {
    /// `metadata.name`.
    pub name: String,
    /// `non-parallel`, `fixed-completions`, `work-queue` or `indexed`.
    pub mode: String,
    /// `Complete`, `Failed` or `Running`.
    pub outcome: String,
    /// The terminal condition's reason.
    pub reason: Option<String>,
    /// Creation time (s).
    pub submitted: f64,
    /// `status.startTime` (s).
    pub start_time: Option<f64>,
    /// `status.completionTime` (s): set only when the Job is Complete, as in Kubernetes.
    pub completion_time: Option<f64>,
    /// From start time to the terminal condition, `Complete` or `Failed` (s).
    pub duration: Option<f64>,
    /// Pods created.
    pub pods_created: u32,
    /// `status.succeeded`.
    pub succeeded: u32,
    /// `status.failed`.
    pub failed: u32,
    /// Most active pods at once.
    pub max_active: u32,
    /// Succeeded indexes (`completedIndexes`), Indexed Jobs only.
    pub indexes_succeeded: Option<String>,
    /// Failed indexes (`failedIndexes`), with backoffLimitPerIndex only.
    pub indexes_failed: Option<String>,
    /// `status.conditions` at the end.
    pub conditions: Vec<ConditionSummary>,
    /// With a cluster: mean time from creation to binding of the Job's bound pods (s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queueing_mean: Option<f64>,
    /// With a cluster: longest time from creation to binding (s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queueing_max: Option<f64>,
}

/// One node of the cluster (scenarios with a cluster only).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeSummary {
    /// Name.
    pub name: String,
    /// Allocatable CPU (cores).
    pub cpu_allocatable: f64,
    /// Allocatable memory (bytes).
    pub memory_allocatable: u64,
    /// Most pods allowed.
    pub max_pods: u32,
    /// Mean share of allocatable CPU requested by bound pods, from joining to the end.
    pub mean_cpu_utilisation: f64,
    /// Mean share of allocatable memory requested by bound pods.
    pub mean_memory_utilisation: f64,
    /// Most pods bound at once.
    pub peak_pods: u32,
    /// Pods ever bound to it.
    pub pods_bound: u64,
    /// When it joined (s).
    pub joined: f64,
}

/// Figures of the run itself.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SimSummary {
    /// Events recorded.
    pub events: u64,
    /// Virtual time at the end (s).
    pub end_time: f64,
    /// Wall-clock time of the simulation (s): the only value that depends on the machine.
    pub wall_seconds: f64,
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// One entry per Job.
    pub jobs: Vec<JobSummary>,
    /// The run.
    pub sim: SimSummary,
    /// The nodes (scenarios with a cluster only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Vec<NodeSummary>>,
}

fn secs(t: Time) -> f64 {
    as_secs_f64(t)
}

/// Builds the summary of one Job from its controller and its pods.
pub fn job_summary(c: &JobController, pods_created: u32, max_active: u32) -> JobSummary {
    let terminal = c.terminal_condition();
    let outcome = match terminal.map(|t| t.type_) {
        Some(ConditionType::Complete) => "Complete",
        Some(ConditionType::Failed) => "Failed",
        _ => "Running",
    };
    let end = terminal.map(|t| t.time);
    JobSummary {
        name: c.spec.name.clone(),
        mode: c.spec.mode().as_str().to_string(),
        outcome: outcome.to_string(),
        reason: terminal.map(|t| t.reason.to_string()),
        submitted: secs(c.submit_at),
        start_time: c.start_time.map(secs),
        completion_time: c.completion_time.map(secs),
        duration: match (c.start_time, end) {
            (Some(s), Some(e)) => Some(secs(e.saturating_sub(s))),
            _ => None,
        },
        pods_created,
        succeeded: c.status.succeeded,
        failed: c.status.failed,
        max_active,
        indexes_succeeded: c.spec.indexed().then(|| c.completed_indexes()),
        indexes_failed: c.failed_indexes_string(),
        conditions: c
            .conditions
            .iter()
            .map(|k| ConditionSummary {
                type_: k.type_.as_str().to_string(),
                status: if k.status { "True" } else { "False" }.to_string(),
                reason: k.reason.to_string(),
                message: k.message.clone(),
                time: secs(k.time),
            })
            .collect(),
        queueing_mean: None,
        queueing_max: None,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Builds the summary of a finished run.
pub fn summarize(w: &World, wall_seconds: f64) -> Summary {
    let mut jobs: Vec<JobSummary> =
        w.jobs.iter().enumerate().map(|(i, c)| job_summary(c, w.api.jobs[i].created, w.api.jobs[i].max_active)).collect();
    let nodes = w.scheduler.cluster.as_ref().map(|c| {
        for (j, st) in jobs.iter_mut().zip(&w.scheduler.stats) {
            if st.bound > 0 {
                j.queueing_mean = Some(round3(st.total as f64 / st.bound as f64 / 1000.0));
                j.queueing_max = Some(secs(st.max));
            }
        }
        c.nodes
            .iter()
            .map(|n| {
                let (cpu, mem) = n.utilisation(w.now);
                NodeSummary {
                    name: n.spec.name.clone(),
                    cpu_allocatable: n.spec.cpu as f64 / 1000.0,
                    memory_allocatable: n.spec.memory,
                    max_pods: n.spec.pods,
                    mean_cpu_utilisation: round3(cpu),
                    mean_memory_utilisation: round3(mem),
                    peak_pods: n.peak_pods,
                    pods_bound: n.bound_total,
                    joined: secs(n.joined),
                }
            })
            .collect()
    });
    Summary {
        scenario: w.scenario.name.clone(),
        seed: w.scenario.seed,
        jobs,
        sim: SimSummary { events: w.rec.events, end_time: secs(w.now), wall_seconds },
        nodes,
    }
}
