//! The API server's pod objects and, per Job, the view the Job controller's informer has of them:
//! live pods, counts by class, and the pods changed since the last sync. Every mutation of a pod
//! goes through here so the counts stay exact and the owning Job is notified (a batched sync).

use super::pod::{EndReason, Pod, PodId, PodPhase, PodStore, NO_INDEX, NO_NODE};
use super::Effects;
use crate::trace::EventKind;

/// Per-Job view of its pods (what `getPodsForJob` would list, kept incrementally).
#[derive(Debug, Default)]
pub struct JobPods {
    /// Non-terminal pods (active and terminating).
    pub live: Vec<PodId>,
    /// Pods the controller has to look at: terminal with the finalizer, or deleted with it.
    pub changed: Vec<PodId>,
    /// Terminal pods kept until the Job is deleted (Jobs with a TTL).
    pub kept: Vec<PodId>,
    /// Active pods (non-terminal, not deleted).
    pub active: u32,
    /// Active pods with Ready=True.
    pub ready: u32,
    /// Deleted, non-terminal pods.
    pub terminating: u32,
    /// Active pods in phase Running.
    pub running: u32,
    /// Active pods in phase Pending.
    pub pending: u32,
    /// Sum of container restarts of Pending/Running pods (OnFailure's backoffLimit).
    pub live_restarts: u64,
    /// Active pods per completion index.
    pub index_active: Vec<u32>,
    /// Terminating pods per completion index.
    pub index_terminating: Vec<u32>,
    /// Indexes with at least one active pod.
    pub indexes_held: u32,
    /// Pods created so far (the next creation ordinal).
    pub created: u32,
    /// Most active pods at once.
    pub max_active: u32,
    /// Keep terminal pods until the Job is deleted (it has a TTL).
    pub keep_terminal: bool,
}

impl JobPods {
    fn index_slot(v: &mut Vec<u32>, index: u32) -> Option<&mut u32> {
        if index == NO_INDEX {
            return None;
        }
        let i = index as usize;
        if v.len() <= i {
            v.resize(i + 1, 0);
        }
        Some(&mut v[i])
    }

    /// Whether some index may have more than one active pod, or a pod an index out of range:
    /// cheap test so syncs skip the duplicate scan in the common case.
    pub fn may_have_duplicates(&self, completions: u32) -> bool {
        self.index_active.len() > completions as usize || self.active > self.indexes_held
    }

    fn inc_active_index(&mut self, index: u32) {
        if let Some(c) = Self::index_slot(&mut self.index_active, index) {
            *c += 1;
            if *c == 1 {
                self.indexes_held += 1;
            }
        }
    }

    fn dec_active_index(&mut self, index: u32) {
        if let Some(c) = Self::index_slot(&mut self.index_active, index) {
            *c -= 1;
            if *c == 0 {
                self.indexes_held -= 1;
            }
        }
    }

    /// Active pods of an index.
    pub fn active_of(&self, index: u32) -> u32 {
        self.index_active.get(index as usize).copied().unwrap_or(0)
    }

    /// Terminating pods of an index.
    pub fn terminating_of(&self, index: u32) -> u32 {
        self.index_terminating.get(index as usize).copied().unwrap_or(0)
    }
}

/// The API server: pod objects and the per-Job informer views.
pub struct ApiServer {
    /// Live and kept pods.
    pub pods: PodStore,
    /// Per-Job views, by Job index.
    pub jobs: Vec<JobPods>,
    /// Pods whose rows are written when the Job's TTL expires are counted here.
    pub retired: u64,
    /// With a cluster: pods that reached a terminal phase, for the scheduler (see [`Released`]).
    pub released: Option<Vec<Released>>,
}

/// A pod that reached a terminal phase: its room on its node is free, or it leaves the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    /// Its slot (may be reused by the time this is read).
    pub id: PodId,
    /// Its Job.
    pub job: u32,
    /// Its creation ordinal (with `job`, names the pod whatever the slot).
    pub ordinal: u32,
    /// Its creation time.
    pub created: crate::engine::Time,
    /// Its node, or `NO_NODE`.
    pub node: u32,
}

impl ApiServer {
    /// An API server for `jobs` Jobs.
    pub fn new(jobs: usize) -> ApiServer {
        ApiServer { pods: PodStore::default(), jobs: (0..jobs).map(|_| JobPods::default()).collect(), retired: 0, released: None }
    }

    /// Creates a pod (Pending, active, with the tracking finalizer).
    pub fn create_pod(
        &mut self,
        fx: &mut Effects,
        job: u32,
        index: u32,
        attempt: u32,
        failure_count: u32,
        ignored_failure_count: u32,
    ) -> PodId {
        let now = fx.now;
        let jp = &mut self.jobs[job as usize];
        let ordinal = jp.created;
        jp.created += 1;
        let id = self.pods.insert(Pod {
            job,
            ordinal,
            index,
            attempt,
            gen: 0,
            created: now,
            scheduled: None,
            node: NO_NODE,
            started: None,
            finished: None,
            deleted: None,
            phase: PodPhase::Pending,
            ready: false,
            exit_code: None,
            restarts: 0,
            reason: EndReason::None,
            finalizer: true,
            listed: false,
            condition: None,
            failure_count,
            ignored_failure_count,
            live_pos: jp.live.len() as u32,
            run_started: now,
            work_item: None,
            shutdown: 0,
            run_exit: 0,
            crash_streak: 0,
            container_up: false,
        });
        jp.live.push(id);
        jp.active += 1;
        jp.pending += 1;
        jp.max_active = jp.max_active.max(jp.active);
        jp.inc_active_index(index);
        let pod = self.pods.get(id);
        fx.rec.pod_event(now, EventKind::PodCreated, pod, |_| {});
        fx.pod_changed(job);
        id
    }

    /// Binds a pod to a node.
    pub fn bind(&mut self, fx: &mut Effects, id: PodId) {
        let pod = self.pods.get_mut(id);
        pod.scheduled = Some(fx.now);
        fx.rec.pod_event(fx.now, EventKind::PodScheduled, pod, |_| {});
        let job = pod.job;
        fx.pod_changed(job);
    }

    /// A container started: the pod is Running and Ready.
    pub fn set_running(&mut self, fx: &mut Effects, id: PodId) {
        let now = fx.now;
        let pod = self.pods.get_mut(id);
        let was_pending = pod.phase == PodPhase::Pending;
        pod.phase = PodPhase::Running;
        pod.run_started = now;
        pod.container_up = true;
        if pod.started.is_none() {
            pod.started = Some(now);
        }
        let active = pod.deleted.is_none();
        let became_ready = !pod.ready;
        pod.ready = true;
        let restarts = pod.restarts;
        let job = pod.job;
        fx.rec.pod_event(now, if restarts == 0 { EventKind::PodRunning } else { EventKind::ContainerRestarted }, pod, |b| {
            if restarts > 0 {
                b.push_str("restartCount=");
                b.push_str(&restarts.to_string());
            }
        });
        let jp = &mut self.jobs[job as usize];
        if active {
            if was_pending {
                jp.pending -= 1;
                jp.running += 1;
            }
            if became_ready {
                jp.ready += 1;
            }
        }
        fx.pod_changed(job);
    }

    /// A container exited and will be restarted in place (OnFailure): Ready=False, restartCount
    /// grows when the kubelet restarts it.
    pub fn container_exited_for_restart(&mut self, fx: &mut Effects, id: PodId, exit_code: i32) {
        let pod = self.pods.get_mut(id);
        pod.exit_code = Some(exit_code);
        pod.container_up = false;
        pod.gen = pod.gen.wrapping_add(1);
        let was_ready = pod.ready;
        pod.ready = false;
        let active = pod.deleted.is_none();
        let job = pod.job;
        fx.rec.pod_event(fx.now, EventKind::ContainerExited, pod, |b| {
            b.push_str("exitCode=");
            b.push_str(&exit_code.to_string());
        });
        if active && was_ready {
            self.jobs[job as usize].ready -= 1;
        }
        fx.pod_changed(job);
    }

    /// The kubelet restarts a container: restartCount + 1.
    pub fn count_restart(&mut self, id: PodId) {
        let pod = self.pods.get_mut(id);
        pod.restarts += 1;
        let job = pod.job;
        self.jobs[job as usize].live_restarts += 1;
    }

    /// The pod reached a terminal phase.
    /// `reason`: `Some` for a natural exit (Completed/Error); `None` keeps the deletion reason.
    pub fn set_terminal(&mut self, fx: &mut Effects, id: PodId, phase: PodPhase, exit_code: Option<i32>, reason: Option<EndReason>) {
        let now = fx.now;
        let pod = self.pods.get_mut(id);
        debug_assert!(!pod.phase.is_terminal());
        let was = pod.phase;
        pod.phase = phase;
        pod.finished = Some(now);
        pod.container_up = false;
        pod.gen = pod.gen.wrapping_add(1);
        if exit_code.is_some() {
            pod.exit_code = exit_code;
        }
        if let Some(r) = reason {
            pod.reason = r;
        }
        let was_ready = pod.ready;
        pod.ready = false;
        let deleted = pod.deleted.is_some();
        let (job, index, restarts, pos, finalizer) = (pod.job, pod.index, pod.restarts, pod.live_pos, pod.finalizer);
        if let Some(r) = self.released.as_mut() {
            r.push(Released { id, job, ordinal: pod.ordinal, created: pod.created, node: pod.node });
        }
        fx.rec.pod_event(now, if phase == PodPhase::Succeeded { EventKind::PodSucceeded } else { EventKind::PodFailed }, pod, |b| {
            if let Some(c) = exit_code {
                b.push_str("exitCode=");
                b.push_str(&c.to_string());
            }
        });
        let jp = &mut self.jobs[job as usize];
        // Remove from the live list (swap-remove, fixing the moved pod's position).
        let last = jp.live.pop().expect("a live pod is listed");
        if last != id {
            jp.live[pos as usize] = last;
            self.pods.get_mut(last).live_pos = pos;
        }
        jp.live_restarts -= restarts as u64;
        if deleted {
            jp.terminating -= 1;
            if let Some(c) = JobPods::index_slot(&mut jp.index_terminating, index) {
                *c -= 1;
            }
        } else {
            jp.active -= 1;
            if was == PodPhase::Pending {
                jp.pending -= 1;
            } else {
                jp.running -= 1;
            }
            if was_ready {
                jp.ready -= 1;
            }
            jp.dec_active_index(index);
        }
        let pod = self.pods.get_mut(id);
        if finalizer && !pod.listed {
            pod.listed = true;
            jp.changed.push(id);
        } else if !finalizer {
            self.retire(fx, id);
        }
        fx.pod_changed(job);
    }

    /// Sets the pod's deletion timestamp. `strip_finalizer`: the controller removes its finalizer
    /// first (scale-down, suspend), so the pod is never counted. `count_as_failed`: the controller
    /// must see it as a failure now (podReplacementPolicy TerminatingOrFailed, deleted by others).
    pub fn delete_pod(&mut self, fx: &mut Effects, id: PodId, reason: EndReason, strip_finalizer: bool, count_as_failed: bool) -> bool {
        let now = fx.now;
        let pod = self.pods.get_mut(id);
        if pod.deleted.is_some() {
            return false;
        }
        pod.deleted = Some(now);
        let terminal = pod.phase.is_terminal();
        // A finished pod keeps the reason it ended with (Completed, Error, ...).
        if !terminal {
            pod.reason = reason;
        }
        if strip_finalizer {
            pod.finalizer = false;
        }
        let (job, index, was_ready, phase) = (pod.job, pod.index, pod.ready, pod.phase);
        fx.rec.pod_event(now, EventKind::PodDeleted, pod, |b| b.push_str(reason.as_str()));
        let jp = &mut self.jobs[job as usize];
        if terminal {
            // A finished pod kept for its TTL: deleting it removes it.
            fx.pod_changed(job);
            return true;
        }
        jp.active -= 1;
        jp.terminating += 1;
        match phase {
            PodPhase::Pending => jp.pending -= 1,
            _ => jp.running -= 1,
        }
        if was_ready {
            jp.ready -= 1;
        }
        jp.dec_active_index(index);
        if let Some(c) = JobPods::index_slot(&mut jp.index_terminating, index) {
            *c += 1;
        }
        let pod = self.pods.get_mut(id);
        if count_as_failed && pod.finalizer && !pod.listed {
            pod.listed = true;
            jp.changed.push(id);
        }
        fx.pod_changed(job);
        true
    }

    /// The controller removed the finalizer of a counted pod: a terminal pod can go.
    pub fn remove_finalizer(&mut self, fx: &mut Effects, id: PodId) {
        let pod = self.pods.get_mut(id);
        pod.finalizer = false;
        pod.listed = false;
        if pod.phase.is_terminal() {
            self.retire(fx, id);
        }
    }

    /// A terminal pod without finalizer: kept (TTL) or its row is written and its slot freed.
    fn retire(&mut self, fx: &mut Effects, id: PodId) {
        let pod = self.pods.get(id);
        let jp = &mut self.jobs[pod.job as usize];
        if jp.keep_terminal && pod.deleted.is_none() {
            jp.kept.push(id);
            return;
        }
        fx.rec.pod_row(pod);
        self.pods.remove(id);
        self.retired += 1;
    }

    /// Pods of the namespace that count against a `pods` ResourceQuota: every non-terminal pod.
    pub fn quota_used(&self) -> u32 {
        self.jobs.iter().map(|j| j.active + j.terminating).sum()
    }

    /// Removes a kept pod (TTL, Job deletion) after its deletion was requested.
    pub fn release_kept(&mut self, fx: &mut Effects, job: u32) {
        let kept = std::mem::take(&mut self.jobs[job as usize].kept);
        for id in kept {
            fx.rec.pod_row(self.pods.get(id));
            self.pods.remove(id);
            self.retired += 1;
        }
    }
}

// --- Cluster hooks (nodes, evictions); used only by scenarios with a `cluster`. ---
impl ApiServer {
    /// Binds a pod to a node.
    pub fn bind_to_node(&mut self, fx: &mut Effects, id: PodId, node: u32) {
        self.pods.get_mut(id).node = node;
        self.bind(fx, id);
    }

    /// The pod's node stopped answering: its kubelet's pending events are void.
    pub fn freeze(&mut self, id: PodId) {
        let pod = self.pods.get_mut(id);
        pod.gen = pod.gen.wrapping_add(1);
    }

    /// Adds a pod condition (e.g. `DisruptionTarget` before an eviction).
    pub fn set_condition(&mut self, id: PodId, condition: &str) {
        self.pods.get_mut(id).condition = Some(condition.into());
    }
}
