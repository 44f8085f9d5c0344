//! The actors of the simulation — the Job controller, the scheduler, the kubelet, the workload —
//! and the [`World`] that owns them, the API server and the event queue, and runs the loop.

pub mod api;
pub mod cluster;
pub mod controller;
pub mod kubelet;
pub mod pod;
pub mod scheduler;
pub mod workload;

use crate::engine::{EventQueue, Time};
use crate::scenario::{Action, ControllerConfig, PodSelector, Scenario};
use crate::trace::{EventKind, Recorder};
use api::ApiServer;
use controller::JobController;
use kubelet::Kubelet;
use pod::{EndReason, PodId};
use scheduler::Scheduler;

/// Something that happens at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A Job is created.
    JobSubmit(u32),
    /// The controller syncs a Job (stale unless it is the Job's pending sync time).
    JobSync(u32),
    /// The TTL-after-finished controller deletes a Job.
    TtlExpired(u32),
    /// A scenario action (index into the scenario's actions).
    Action(u32),
    /// A pod's container starts.
    PodStart(PodId, u32),
    /// A pod's container exits by itself.
    PodExit(PodId, u32),
    /// The kubelet restarts a crashed container (OnFailure).
    PodRestart(PodId, u32),
    /// A deleted pod's container is gone (SIGTERM handled or grace period over).
    PodKill(PodId, u32),
    /// A pod finished a work item.
    ItemDone(PodId, u32),
    /// A pod's own activeDeadlineSeconds passed.
    PodDeadline(PodId, u32),
    /// A pod's scheduling latency passed: it joins the scheduler's queue.
    SchedQueue(PodId, u32),
    /// The eviction delay of a down node passed (node, its down epoch).
    Evict(u32, u32),
    /// The nodes of an `add_nodes` action join (index into the scenario's actions).
    NodesJoin(u32),
}

/// What actors may do besides changing pods: schedule events, request Job syncs, record.
pub struct Effects<'a> {
    /// Current time.
    pub now: Time,
    /// The event queue.
    pub queue: &'a mut EventQueue<Event>,
    /// The recorder.
    pub rec: &'a mut Recorder,
    /// Per Job, the time of its pending sync (the controller's work queue).
    pub syncs: &'a mut [Option<Time>],
    /// `syncJobBatchPeriod`.
    pub sync_batch: Time,
    /// Pods created during this step, for the scheduler.
    pub created: &'a mut Vec<PodId>,
    /// Pods whose deletion was requested during this step, for the kubelet.
    pub deleted: &'a mut Vec<PodId>,
    /// Controller and kubelet timing.
    pub cfg: &'a ControllerConfig,
}

impl Effects<'_> {
    /// A pod of `job` changed: the controller syncs the Job after the batch period.
    #[inline]
    pub fn pod_changed(&mut self, job: u32) {
        self.enqueue_after(job, self.sync_batch);
    }

    /// Requeues a Job's sync after `delay`; the earliest pending time wins (`AddAfter`).
    #[inline]
    pub fn enqueue_after(&mut self, job: u32, delay: Time) {
        let at = self.now + delay;
        match self.syncs[job as usize] {
            Some(s) if s <= at => {}
            _ => {
                self.syncs[job as usize] = Some(at);
                self.queue.push(at, Event::JobSync(job));
            }
        }
    }
}

/// The whole simulated system.
pub struct World {
    /// The scenario being run.
    pub scenario: Scenario,
    /// Pod objects and informer views.
    pub api: ApiServer,
    /// One controller state per Job.
    pub jobs: Vec<JobController>,
    /// The kubelet(s).
    pub kubelet: Kubelet,
    /// The scheduler.
    pub scheduler: Scheduler,
    /// Pending events.
    pub queue: EventQueue<Event>,
    /// The recorder.
    pub rec: Recorder,
    syncs: Vec<Option<Time>>,
    created: Vec<PodId>,
    deleted: Vec<PodId>,
    /// Time of the last processed event.
    pub now: Time,
    /// Events processed.
    pub processed: u64,
    /// Whether the run stopped at `until` with events left.
    pub stopped_at_until: bool,
    /// The signal that stopped the run, if one did.
    pub interrupted: Option<i32>,
}

impl World {
    /// A world ready to run `scenario`.
    pub fn new(scenario: Scenario, rec: Recorder) -> World {
        let n = scenario.jobs.len();
        let mut queue = EventQueue::new();
        let jobs: Vec<JobController> = scenario.jobs.iter().enumerate().map(|(i, j)| JobController::new(i as u32, j)).collect();
        for (i, j) in scenario.jobs.iter().enumerate() {
            queue.push(j.submit_at, Event::JobSubmit(i as u32));
        }
        for (i, a) in scenario.actions.iter().enumerate() {
            queue.push(a.at, Event::Action(i as u32));
        }
        let mut api = ApiServer::new(n);
        // Terminal pods are kept (so their deletion can be recorded) for Jobs that will or may be
        // deleted: a TTL now or set later, or a scenario event deleting the Job.
        for (i, j) in scenario.jobs.iter().enumerate() {
            api.jobs[i].keep_terminal = j.spec.ttl_after_finished.is_some();
        }
        for a in &scenario.actions {
            match &a.action {
                Action::Set(j, c) if c.ttl_after_finished.is_some() => api.jobs[*j].keep_terminal = true,
                Action::DeleteJob(j) => api.jobs[*j].keep_terminal = true,
                _ => {}
            }
        }
        let kubelet = Kubelet::new(&scenario);
        let mut rec = rec;
        if let Some(c) = &scenario.cluster {
            api.released = Some(Vec::new());
            for node in &c.nodes {
                rec.add_node(&node.name);
            }
        }
        World {
            api,
            jobs,
            kubelet,
            scheduler: Scheduler::new(&scenario),
            queue,
            rec,
            syncs: vec![None; n],
            created: Vec::new(),
            deleted: Vec::new(),
            now: 0,
            processed: 0,
            stopped_at_until: false,
            interrupted: None,
            scenario,
        }
    }

    /// Runs until no event is left or the next one is after `until`.
    pub fn run(&mut self) {
        self.run_observed(|_, _| {});
    }

    /// Like [`World::run`], calling `observe` after every event (invariant checks in tests).
    pub fn run_observed(&mut self, mut observe: impl FnMut(&World, Event)) {
        let until = self.scenario.until;
        while let Some(t) = self.queue.peek_time() {
            if t > until {
                self.stopped_at_until = true;
                self.now = until;
                break;
            }
            let (t, ev) = self.queue.pop().expect("peeked");
            if self.is_stale(t, ev) {
                // An exit planned for a pod that was killed, a superseded sync: nothing happens.
                continue;
            }
            self.now = t;
            self.processed += 1;
            if self.processed & 0xFFFF == 0 {
                if let Some(sig) = crate::interrupt::received() {
                    self.interrupted = Some(sig);
                    return;
                }
            }
            self.step(ev);
            observe(self, ev);
        }
        self.finish();
    }

    fn is_stale(&self, t: Time, ev: Event) -> bool {
        match ev {
            Event::JobSync(j) => self.syncs[j as usize] != Some(t),
            Event::PodStart(p, g)
            | Event::PodExit(p, g)
            | Event::PodRestart(p, g)
            | Event::PodKill(p, g)
            | Event::ItemDone(p, g)
            | Event::PodDeadline(p, g) => self.api.pods.get(p).gen != g,
            Event::SchedQueue(p, g) => {
                let pod = self.api.pods.get(p);
                pod.gen != g || pod.phase.is_terminal()
            }
            _ => false,
        }
    }

    /// Handles one live event (stale ones were skipped by [`World::is_stale`]).
    fn step(&mut self, ev: Event) {
        let World { api, jobs, kubelet, scheduler, queue, rec, syncs, created, deleted, scenario, now, .. } = self;
        let mut fx =
            Effects { now: *now, queue, rec, syncs, sync_batch: scenario.config.sync_batch, created, deleted, cfg: &scenario.config };
        match ev {
            Event::JobSubmit(j) => {
                jobs[j as usize].submitted(&mut fx);
                fx.enqueue_after(j, 0);
            }
            Event::JobSync(j) => {
                fx.syncs[j as usize] = None;
                jobs[j as usize].reconcile(api, &mut fx);
            }
            Event::TtlExpired(j) => {
                jobs[j as usize].ttl_expired(api, &mut fx);
            }
            Event::Action(i) => match &scenario.actions[i as usize].action {
                Action::NodeDown(n) => scheduler.node_down(n, api, &mut fx),
                Action::NodeUp(n) => scheduler.node_up(n, api, jobs, kubelet, &mut fx),
                Action::Drain(n) => scheduler.drain(n, api, jobs, &mut fx),
                Action::AddNodes(_, after) => fx.queue.push(fx.now + after, Event::NodesJoin(i)),
                a => apply_action(a, api, jobs, &mut fx),
            },
            Event::NodesJoin(i) => {
                if let Action::AddNodes(nodes, _) = &scenario.actions[i as usize].action {
                    scheduler.add_nodes(nodes, &mut fx);
                }
            }
            Event::Evict(node, epoch) => scheduler.evict(node, epoch, api, jobs, kubelet, &mut fx),
            Event::SchedQueue(p, _) => scheduler.enqueue(p, api),
            Event::PodStart(..)
            | Event::PodExit(..)
            | Event::PodRestart(..)
            | Event::PodKill(..)
            | Event::ItemDone(..)
            | Event::PodDeadline(..) => {
                kubelet.handle(ev, api, &mut fx);
            }
        }
        // Hand new pods to the scheduler and deleted ones to the kubelet until nothing is left.
        let cluster = scheduler.cluster.is_some();
        while !fx.created.is_empty() || !fx.deleted.is_empty() {
            // Terminal pods free their room first: a slot may be reused by a pod created below.
            scheduler.release(api, fx.now);
            let created: Vec<PodId> = std::mem::take(fx.created);
            for p in &created {
                if cluster {
                    scheduler.submit(*p, api, &mut fx);
                } else {
                    scheduler.schedule(*p, api, &mut fx);
                    kubelet.bound(*p, api, &mut fx);
                }
            }
            let mut c = created;
            c.clear();
            *fx.created = c;
            while let Some(p) = fx.deleted.pop() {
                kubelet.kill(p, api, &mut fx);
            }
        }
        if cluster {
            scheduler.release(api, fx.now);
            scheduler.pass(api, kubelet, &mut fx);
        }
    }

    fn finish(&mut self) {
        let World { api, rec, jobs, .. } = self;
        // Write the rows of pods still held, in creation order per Job.
        let mut left: Vec<PodId> = Vec::new();
        for jp in api.jobs.iter_mut() {
            left.extend(jp.live.iter().copied());
            left.extend(jp.changed.iter().copied());
            left.extend(std::mem::take(&mut jp.kept));
        }
        for c in jobs.iter() {
            left.extend(c.held_pods());
        }
        // A pod can be both live and changed: sorting by (job, ordinal) makes repeats adjacent.
        left.sort_by_key(|&p| {
            let pod = api.pods.get(p);
            (pod.job, pod.ordinal)
        });
        left.dedup();
        for p in left {
            rec.pod_row(api.pods.get(p));
        }
        rec.flush();
    }
}

fn apply_action(action: &Action, api: &mut ApiServer, jobs: &mut [JobController], fx: &mut Effects) {
    match action {
        Action::Suspend(j) => jobs[*j].set_suspend(true, fx),
        Action::Resume(j) => jobs[*j].set_suspend(false, fx),
        Action::Set(j, change) => jobs[*j].apply_change(change, api, fx),
        Action::DeleteJob(j) => jobs[*j].delete_job(api, fx, EndReason::JobDeleted, "the Job was deleted"),
        Action::DeletePod(j, sel) => {
            let job = *j as u32;
            let target = match sel {
                PodSelector::Ordinal(o) => api.jobs[*j].live.iter().copied().find(|&p| api.pods.get(p).ordinal == *o),
                PodSelector::Index(ix) => api.jobs[*j]
                    .live
                    .iter()
                    .copied()
                    .filter(|&p| {
                        let pod = api.pods.get(p);
                        pod.index == *ix && pod.deleted.is_none()
                    })
                    .max_by_key(|&p| api.pods.get(p).ordinal),
            };
            match target {
                Some(p) => {
                    let count = !jobs[*j].spec.only_replace_failed_pods();
                    if api.delete_pod(fx, p, EndReason::DeletedByUser, false, count) {
                        fx.deleted.push(p);
                    }
                }
                None => {
                    fx.rec.job_event(fx.now, EventKind::PodDeleted, job, format!("delete_pod {sel:?}: no such live pod, nothing deleted"))
                }
            }
        }
        Action::NodeDown(_) | Action::NodeUp(_) | Action::Drain(_) | Action::AddNodes(..) => {
            unreachable!("node actions are applied by the scheduler")
        }
    }
}
