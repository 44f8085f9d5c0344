//! The recorder: every state change, streamed as it happens (events.csv, pods.csv), plus the
//! compact in-memory records that charts and summaries need. With [`TraceLevel::Summary`] nothing
//! is formatted or kept per event.

pub mod summary;

use crate::engine::{fmt_secs, Time};
use crate::model::pod::{EndReason, Pod, PodPhase, NO_INDEX, NO_NODE};
use std::fmt::Write as _;
use std::io::Write;

/// How much a run records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TraceLevel {
    /// Only the summary: no per-event work at all.
    Summary,
    /// Every event and pod, streamed to the writers; pod records kept for charts.
    Full,
}

/// What happened (the `kind` column of events.csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A Job was created.
    JobCreated,
    /// The controller created a pod.
    PodCreated,
    /// A pod was bound to a node.
    PodScheduled,
    /// A pod's container started.
    PodRunning,
    /// A container exited (detail: exit code).
    ContainerExited,
    /// A container was restarted in place (OnFailure).
    ContainerRestarted,
    /// Deletion of a pod was requested (detail: by whom, why).
    PodDeleted,
    /// A pod reached phase Succeeded.
    PodSucceeded,
    /// A pod reached phase Failed.
    PodFailed,
    /// The controller counted a finished pod (detail: succeeded/failed/ignored and policy action).
    PodCounted,
    /// The controller holds back replacements for the pod-failure backoff.
    BackoffWait,
    /// A condition was added or changed on the Job.
    Condition,
    /// The Job's status counters changed.
    Status,
    /// A spec field was changed by a scenario event.
    SpecChanged,
    /// The TTL controller deleted a finished Job.
    JobDeleted,
    /// A work item was finished by a pod.
    WorkItemDone,
    /// A pod create was rejected by the API server (e.g. `exceeded quota`).
    FailedCreate,
    /// The scheduler found no node for a pod; it stays Pending until room frees.
    Unschedulable,
    /// The kubelet pulls (or finds) a pod's image on its node (detail: image, times).
    ImagePull,
    /// A pod gets the `DisruptionTarget` condition and is evicted (drain or lost node).
    Evicted,
    /// A node went NotReady.
    NodeNotReady,
    /// A node is Ready again.
    NodeReady,
    /// A node was cordoned (drain).
    NodeCordoned,
    /// A node joined the cluster.
    NodeAdded,
}

impl EventKind {
    /// The text in events.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::JobCreated => "JobCreated",
            EventKind::PodCreated => "PodCreated",
            EventKind::PodScheduled => "PodScheduled",
            EventKind::PodRunning => "PodRunning",
            EventKind::ContainerExited => "ContainerExited",
            EventKind::ContainerRestarted => "ContainerRestarted",
            EventKind::PodDeleted => "PodDeleted",
            EventKind::PodSucceeded => "PodSucceeded",
            EventKind::PodFailed => "PodFailed",
            EventKind::PodCounted => "PodCounted",
            EventKind::BackoffWait => "BackoffWait",
            EventKind::Condition => "Condition",
            EventKind::Status => "Status",
            EventKind::SpecChanged => "SpecChanged",
            EventKind::JobDeleted => "JobDeleted",
            EventKind::WorkItemDone => "WorkItemDone",
            EventKind::FailedCreate => "FailedCreate",
            EventKind::Unschedulable => "Unschedulable",
            EventKind::ImagePull => "ImagePull",
            EventKind::Evicted => "Evicted",
            EventKind::NodeNotReady => "NodeNotReady",
            EventKind::NodeReady => "NodeReady",
            EventKind::NodeCordoned => "NodeCordoned",
            EventKind::NodeAdded => "NodeAdded",
        }
    }
}

/// A pod's row as kept in memory for charts and tests (times in ms).
#[derive(Debug, Clone, PartialEq)]
pub struct PodRecord {
    /// Job index.
    pub job: u32,
    /// Pod name.
    pub name: String,
    /// Creation ordinal.
    pub ordinal: u32,
    /// Completion index.
    pub index: Option<u32>,
    /// Attempt of its index (Indexed).
    pub attempt: Option<u32>,
    /// Creation time.
    pub created: Time,
    /// Bind time.
    pub scheduled: Option<Time>,
    /// First container start.
    pub started: Option<Time>,
    /// Terminal phase time.
    pub finished: Option<Time>,
    /// Deletion request time.
    pub deleted: Option<Time>,
    /// Final phase.
    pub phase: PodPhase,
    /// Last exit code.
    pub exit_code: Option<i32>,
    /// Container restarts.
    pub restarts: u32,
    /// Why it ended.
    pub reason: EndReason,
    /// The node it was bound to (scenarios with a cluster).
    pub node: Option<String>,
}

/// A Job-level event kept in memory (conditions, backoff waits, suspend windows) for charts,
/// `explain` and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct JobEvent {
    /// When.
    pub time: Time,
    /// Job index.
    pub job: u32,
    /// What.
    pub kind: EventKind,
    /// Details in words.
    pub detail: String,
}

/// A node's change (down, up, cordoned, added), kept in memory for the timeline's marks.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeEvent {
    /// When.
    pub time: Time,
    /// What.
    pub kind: EventKind,
    /// Which node.
    pub node: String,
}

/// The Job's status counters at a time (recorded whenever they change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusSample {
    /// When.
    pub time: Time,
    /// Job index.
    pub job: u32,
    /// `status.active`.
    pub active: u32,
    /// `status.ready`.
    pub ready: u32,
    /// `status.terminating`.
    pub terminating: u32,
    /// `status.succeeded`.
    pub succeeded: u32,
    /// `status.failed`.
    pub failed: u32,
    /// Pods of the Job that are Running (not terminating), from the API.
    pub running: u32,
    /// Pods of the Job that are Pending (not terminating), from the API.
    pub pending: u32,
}

/// Most pod records kept in memory for charts; pods.csv always has every pod.
pub const MAX_KEPT_PODS: usize = 100_000;

/// Records a run.
pub struct Recorder {
    level: TraceLevel,
    job_names: Vec<String>,
    node_names: Vec<String>,
    events_out: Option<csv::Writer<Box<dyn Write>>>,
    pods_out: Option<csv::Writer<Box<dyn Write>>>,
    buf: String,
    name_buf: String,
    /// Number of events recorded (counted at every level).
    pub events: u64,
    /// Pod records kept in memory (Full level, up to `max_kept_pods`).
    pub pods: Vec<PodRecord>,
    /// Whether some pod records were not kept because of the cap.
    pub pods_truncated: bool,
    /// Whether the kept rows were written out (past the cap, or at the end).
    pods_spilled: bool,
    max_kept_pods: usize,
    /// Job-level events (kept at every level: there are few).
    pub job_events: Vec<JobEvent>,
    /// Status samples (kept at Full level).
    pub samples: Vec<StatusSample>,
    /// Node events (kept at Full level; there are few).
    pub node_events: Vec<NodeEvent>,
    io_error: Option<std::io::Error>,
}

impl Recorder {
    /// A recorder. `events_out`/`pods_out` receive events.csv and pods.csv when given.
    pub fn new(
        level: TraceLevel,
        job_names: Vec<String>,
        events_out: Option<Box<dyn Write>>,
        pods_out: Option<Box<dyn Write>>,
    ) -> Recorder {
        let mut r = Recorder {
            level,
            job_names,
            node_names: Vec::new(),
            events_out: events_out.map(|w| csv::WriterBuilder::new().from_writer(w)),
            pods_out: pods_out.map(|w| csv::WriterBuilder::new().from_writer(w)),
            buf: String::new(),
            name_buf: String::new(),
            events: 0,
            pods: Vec::new(),
            pods_truncated: false,
            pods_spilled: false,
            max_kept_pods: MAX_KEPT_PODS,
            job_events: Vec::new(),
            samples: Vec::new(),
            node_events: Vec::new(),
            io_error: None,
        };
        if let Some(w) = r.events_out.as_mut() {
            let res = w.write_record(["time", "kind", "job", "pod", "index", "node", "detail"]);
            r.note(res);
        }
        if let Some(w) = r.pods_out.as_mut() {
            let res = w.write_record([
                "job",
                "pod",
                "index",
                "attempt",
                "node",
                "created",
                "scheduled",
                "started",
                "finished",
                "deleted",
                "phase",
                "exit_code",
                "restarts",
                "reason",
            ]);
            r.note(res);
        }
        r
    }

    /// Registers the next node's name (nodes are numbered in the order they join).
    pub fn add_node(&mut self, name: &str) {
        self.node_names.push(name.to_string());
    }

    /// Records a node-level event (no Job, no pod).
    pub fn node_event(&mut self, t: Time, kind: EventKind, node: &str, detail: String) {
        self.events += 1;
        if self.level != TraceLevel::Full {
            return;
        }
        if let Some(w) = self.events_out.as_mut() {
            let r = w.write_record([fmt_secs(t).as_str(), kind.as_str(), "", "", "", node, &detail]);
            self.note(r);
        }
        self.node_events.push(NodeEvent { time: t, kind, node: node.to_string() });
    }

    /// Caps the number of pod records kept in memory.
    pub fn set_max_kept_pods(&mut self, n: usize) {
        self.max_kept_pods = n;
    }

    /// The trace level.
    pub fn level(&self) -> TraceLevel {
        self.level
    }

    /// Whether per-event records are made.
    #[inline]
    pub fn full(&self) -> bool {
        self.level == TraceLevel::Full
    }

    fn note(&mut self, r: csv::Result<()>) {
        if let Err(e) = r {
            if self.io_error.is_none() {
                self.io_error = Some(std::io::Error::other(e.to_string()));
            }
        }
    }

    /// The first write error, if any (checked when the run ends).
    pub fn take_io_error(&mut self) -> Option<std::io::Error> {
        self.io_error.take()
    }

    /// The name of a pod, `<job>-<ordinal>` or, Indexed, `<job>-<index>-<attempt>`.
    pub fn pod_name(job_name: &str, ordinal: u32, index: u32, attempt: u32, out: &mut String) {
        out.clear();
        if index == NO_INDEX {
            let _ = write!(out, "{job_name}-{ordinal}");
        } else {
            let _ = write!(out, "{job_name}-{index}-{attempt}");
        }
    }

    /// Records a pod event. `detail` writes the detail text; it runs only at the Full level.
    #[inline]
    pub fn pod_event(&mut self, t: Time, kind: EventKind, pod: &Pod, detail: impl FnOnce(&mut String)) {
        self.events += 1;
        if self.level != TraceLevel::Full {
            return;
        }
        self.buf.clear();
        detail(&mut self.buf);
        let name = &self.job_names[pod.job as usize];
        Self::pod_name(name, pod.ordinal, pod.index, pod.attempt, &mut self.name_buf);
        let idx = if pod.index == NO_INDEX { String::new() } else { pod.index.to_string() };
        let node = if pod.node == NO_NODE { "" } else { &self.node_names[pod.node as usize] };
        if let Some(w) = self.events_out.as_mut() {
            let r = w.write_record([fmt_secs(t).as_str(), kind.as_str(), name, &self.name_buf, &idx, node, &self.buf]);
            self.note(r);
        }
    }

    /// Records a Job-level event; always kept in memory (there are few), streamed at Full level.
    pub fn job_event(&mut self, t: Time, kind: EventKind, job: u32, detail: String) {
        self.events += 1;
        if self.level == TraceLevel::Full {
            if let Some(w) = self.events_out.as_mut() {
                let r = w.write_record([fmt_secs(t).as_str(), kind.as_str(), &self.job_names[job as usize], "", "", "", &detail]);
                self.note(r);
            }
        }
        self.job_events.push(JobEvent { time: t, job, kind, detail });
    }

    /// Records a Job's status counters when they change (Full level).
    pub fn status(&mut self, s: StatusSample) {
        self.events += 1;
        if self.level != TraceLevel::Full {
            return;
        }
        if let Some(w) = self.events_out.as_mut() {
            self.buf.clear();
            let _ = write!(
                self.buf,
                "active={} ready={} terminating={} succeeded={} failed={}",
                s.active, s.ready, s.terminating, s.succeeded, s.failed
            );
            let r = w.write_record([
                fmt_secs(s.time).as_str(),
                EventKind::Status.as_str(),
                &self.job_names[s.job as usize],
                "",
                "",
                "",
                &self.buf,
            ]);
            self.note(r);
        }
        self.samples.push(s);
    }

    /// Writes a retired pod's row to pods.csv and keeps its record (Full level).
    pub fn pod_row(&mut self, pod: &Pod) {
        if self.level != TraceLevel::Full {
            return;
        }
        let name = &self.job_names[pod.job as usize];
        Self::pod_name(name, pod.ordinal, pod.index, pod.attempt, &mut self.name_buf);
        let indexed = pod.index != NO_INDEX;
        let rec = PodRecord {
            job: pod.job,
            name: self.name_buf.clone(),
            ordinal: pod.ordinal,
            index: indexed.then_some(pod.index),
            attempt: indexed.then_some(pod.attempt),
            created: pod.created,
            scheduled: pod.scheduled,
            started: pod.started,
            finished: pod.finished,
            deleted: pod.deleted,
            phase: pod.phase,
            exit_code: pod.exit_code,
            restarts: pod.restarts,
            reason: pod.reason,
            node: (pod.node != NO_NODE).then(|| self.node_names[pod.node as usize].clone()),
        };
        // Up to the cap, rows wait in memory and pods.csv is written sorted by Job and creation
        // at the end; past it, the rows so far are written and the rest streamed as pods end.
        if !self.pods_spilled && self.pods.len() < self.max_kept_pods {
            self.pods.push(rec);
            return;
        }
        if !self.pods_spilled {
            self.pods_spilled = true;
            self.pods_truncated = true;
            self.write_kept_pods();
        }
        self.write_pod_record(&rec);
    }

    fn write_kept_pods(&mut self) {
        self.pods.sort_by_key(|p| (p.job, p.ordinal));
        let pods = std::mem::take(&mut self.pods);
        for p in &pods {
            self.write_pod_record(p);
        }
        self.pods = pods;
    }

    fn write_pod_record(&mut self, p: &PodRecord) {
        let Some(w) = self.pods_out.as_mut() else { return };
        let opt = |t: Option<Time>| t.map(fmt_secs).unwrap_or_default();
        let r = w.write_record([
            self.job_names[p.job as usize].as_str(),
            &p.name,
            &p.index.map(|i| i.to_string()).unwrap_or_default(),
            &p.attempt.map(|a| a.to_string()).unwrap_or_default(),
            p.node.as_deref().unwrap_or(""),
            &fmt_secs(p.created),
            &opt(p.scheduled),
            &opt(p.started),
            &opt(p.finished),
            &opt(p.deleted),
            p.phase.as_str(),
            &p.exit_code.map(|c| c.to_string()).unwrap_or_default(),
            &p.restarts.to_string(),
            p.reason.as_str(),
        ]);
        self.note(r);
    }

    /// Writes the pod rows still waiting (sorted) and flushes the writers.
    pub fn flush(&mut self) {
        if !self.pods_spilled && self.level == TraceLevel::Full {
            self.pods_spilled = true;
            self.write_kept_pods();
        }
        if let Some(w) = self.events_out.as_mut() {
            if let Err(e) = w.flush() {
                self.io_error.get_or_insert(e);
            }
        }
        if let Some(w) = self.pods_out.as_mut() {
            if let Err(e) = w.flush() {
                self.io_error.get_or_insert(e);
            }
        }
    }
}
