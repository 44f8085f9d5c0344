//! The pod object as the API server stores it, and the slab that holds live pods. A slot is reused
//! once its pod is retired, so memory follows the number of live pods, not the history.

use crate::engine::Time;

/// Slot of a pod in the [`PodStore`].
pub type PodId = u32;

/// "Not bound to a node" (and every pod of a scenario without a cluster).
pub const NO_NODE: u32 = u32::MAX;

/// "No completion index" (NonIndexed pods).
pub const NO_INDEX: u32 = u32::MAX;

/// `status.phase` of a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodPhase {
    /// Created, not yet running.
    Pending,
    /// A container is running (or waiting to restart under OnFailure).
    Running,
    /// Every container exited 0.
    Succeeded,
    /// A container failed, or the pod was killed.
    Failed,
}

impl PodPhase {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
        }
    }

    /// Succeeded or Failed.
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// Why a pod ended (the `reason` column of pods.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Still running at the end of the simulation.
    None,
    /// The container exited 0.
    Completed,
    /// The container exited non-zero.
    Error,
    /// Deleted by the Job controller (scale-down, suspend, success, excess pods).
    DeletedByController,
    /// Deleted by a user (scenario event).
    DeletedByUser,
    /// Deleted because the Job failed with `BackoffLimitExceeded`.
    BackoffLimitExceeded,
    /// Deleted because the Job passed its `activeDeadlineSeconds`.
    DeadlineExceeded,
    /// Deleted because a FailJob rule matched.
    PodFailurePolicy,
    /// Deleted because too many indexes failed.
    MaxFailedIndexesExceeded,
    /// Deleted because indexes failed.
    FailedIndexes,
    /// Deleted with its Job by the TTL controller.
    TtlExpired,
    /// Deleted with its Job.
    JobDeleted,
    /// The pod's own `activeDeadlineSeconds` passed.
    PodDeadlineExceeded,
    /// Evicted by a drain (DisruptionTarget).
    Evicted,
    /// Its node went down and it was evicted (DisruptionTarget).
    NodeLost,
}

impl EndReason {
    /// The text shown in pods.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::None => "",
            EndReason::Completed => "Completed",
            EndReason::Error => "Error",
            EndReason::DeletedByController => "DeletedByController",
            EndReason::DeletedByUser => "DeletedByUser",
            EndReason::BackoffLimitExceeded => "BackoffLimitExceeded",
            EndReason::DeadlineExceeded => "DeadlineExceeded",
            EndReason::PodFailurePolicy => "PodFailurePolicy",
            EndReason::MaxFailedIndexesExceeded => "MaxFailedIndexesExceeded",
            EndReason::FailedIndexes => "FailedIndexes",
            EndReason::TtlExpired => "TTLExpired",
            EndReason::JobDeleted => "JobDeleted",
            EndReason::PodDeadlineExceeded => "DeadlineExceeded",
            EndReason::Evicted => "Evicted",
            EndReason::NodeLost => "NodeLost",
        }
    }
}

/// A pod: its identity, timestamps, status, and the kubelet's bookkeeping.
#[derive(Debug, Clone)]
pub struct Pod {
    /// Owning Job (index in the scenario).
    pub job: u32,
    /// Creation ordinal within the Job (0 = first).
    pub ordinal: u32,
    /// Completion index, or [`NO_INDEX`].
    pub index: u32,
    /// Indexed: 1-based attempt of its index; NonIndexed: 0.
    pub attempt: u32,
    /// Bumped when the slot is reused or the pod reaches a terminal phase: stale events are skipped.
    pub gen: u32,
    /// `metadata.creationTimestamp`.
    pub created: Time,
    /// When bound to a node.
    pub scheduled: Option<Time>,
    /// The node it is bound to, or [`NO_NODE`].
    pub node: u32,
    /// When the first container started.
    pub started: Option<Time>,
    /// When it reached a terminal phase.
    pub finished: Option<Time>,
    /// `metadata.deletionTimestamp` (when deletion was requested).
    pub deleted: Option<Time>,
    /// `status.phase`.
    pub phase: PodPhase,
    /// Ready condition.
    pub ready: bool,
    /// Exit code of the last container exit.
    pub exit_code: Option<i32>,
    /// Container restarts (OnFailure).
    pub restarts: u32,
    /// Why it ended.
    pub reason: EndReason,
    /// Carries the `batch.kubernetes.io/job-tracking` finalizer.
    pub finalizer: bool,
    /// Listed in its Job's "changed since the last sync" list.
    pub listed: bool,
    /// A scripted pod condition (e.g. `DisruptionTarget`) present once it fails.
    pub condition: Option<Box<str>>,
    /// `job-index-failure-count` annotation.
    pub failure_count: u32,
    /// `job-index-ignored-failure-count` annotation.
    pub ignored_failure_count: u32,
    /// Position in its Job's live list (while live).
    pub live_pos: u32,
    /// Start of the current container run.
    pub run_started: Time,
    /// A work item in progress (work-queue workloads).
    pub work_item: Option<u64>,
    /// How long the container keeps running after SIGTERM.
    pub shutdown: Time,
    /// Exit code the current container run will end with.
    pub run_exit: i32,
    /// Consecutive crashes of the container (the kubelet's restart back-off).
    pub crash_streak: u32,
    /// The current container is running (not waiting to restart, not killed).
    pub container_up: bool,
}

/// Slab of live pods with slot reuse.
#[derive(Default)]
pub struct PodStore {
    slots: Vec<Pod>,
    free: Vec<PodId>,
    live: usize,
    peak: usize,
}

impl PodStore {
    /// Inserts a pod, reusing a free slot if any.
    pub fn insert(&mut self, mut pod: Pod) -> PodId {
        self.live += 1;
        self.peak = self.peak.max(self.live);
        if let Some(id) = self.free.pop() {
            pod.gen = self.slots[id as usize].gen.wrapping_add(1);
            self.slots[id as usize] = pod;
            id
        } else {
            self.slots.push(pod);
            (self.slots.len() - 1) as PodId
        }
    }

    /// Frees a slot.
    pub fn remove(&mut self, id: PodId) {
        self.live -= 1;
        self.free.push(id);
    }

    /// The pod in a slot.
    #[inline]
    pub fn get(&self, id: PodId) -> &Pod {
        &self.slots[id as usize]
    }

    /// The pod in a slot, mutably.
    #[inline]
    pub fn get_mut(&mut self, id: PodId) -> &mut Pod {
        &mut self.slots[id as usize]
    }

    /// Most pods held at once.
    pub fn peak(&self) -> usize {
        self.peak
    }
}
