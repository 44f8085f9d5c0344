//! The kubelet: runs a bound pod — start-up, container runs, exits, in-place restarts with the
//! kubelet's crash back-off (OnFailure), graceful termination after deletion, and the work items
//! of a work-queue workload.

use super::api::ApiServer;
use super::pod::{EndReason, PodId, PodPhase};
use super::workload::Sampler;
use super::{Effects, Event};
use crate::engine::Time;
use crate::scenario::spec::RestartPolicy;
use crate::scenario::{ControllerConfig, Scenario, Workload};
use crate::trace::EventKind;

/// Progress of a Job's shared work queue.
#[derive(Debug, Default, Clone)]
pub struct WorkQueueState {
    /// Items never handed out yet start at this id.
    pub next_item: u64,
    /// Items returned by failed pods, handed out again first.
    pub returned: Vec<u64>,
    /// Items finished.
    pub done: u64,
    /// Items lost with failed pods.
    pub lost: u64,
}

struct JobRuntime {
    workload: Workload,
    key: u64,
    restart_policy: RestartPolicy,
    grace: Time,
    pod_deadline: Option<Time>,
    indexed: bool,
    queue: WorkQueueState,
}

/// The kubelets of the cluster (one behaviour for every node).
pub struct Kubelet {
    jobs: Vec<JobRuntime>,
    seed: u64,
    config: ControllerConfig,
}

impl Kubelet {
    /// A kubelet for the scenario's Jobs.
    pub fn new(s: &Scenario) -> Kubelet {
        Kubelet {
            jobs: s
                .jobs
                .iter()
                .map(|j| JobRuntime {
                    workload: j.workload.clone(),
                    key: super::workload::job_key(&j.spec.name),
                    restart_policy: j.spec.restart_policy,
                    grace: j.spec.termination_grace,
                    pod_deadline: j.spec.pod_active_deadline,
                    indexed: j.spec.indexed(),
                    queue: WorkQueueState::default(),
                })
                .collect(),
            seed: s.seed,
            config: s.config.clone(),
        }
    }

    /// The work queue of a Job.
    pub fn work_queue(&self, job: u32) -> Option<(&WorkQueueState, u64)> {
        let j = &self.jobs[job as usize];
        j.workload.work_queue.as_ref().map(|q| (&j.queue, q.items))
    }

    fn sampler(&self, job: u32) -> Sampler<'_> {
        let j = &self.jobs[job as usize];
        Sampler { workload: &j.workload, seed: self.seed, job: j.key }
    }

    fn draw_key(&self, api: &ApiServer, pod: PodId) -> (u32, u32) {
        let p = api.pods.get(pod);
        if self.jobs[p.job as usize].indexed {
            (p.index, p.attempt)
        } else {
            (p.ordinal, 0)
        }
    }

    /// A pod was bound to a node: pull and start its container after the start-up latency.
    pub fn bound(&mut self, pod: PodId, api: &mut ApiServer, fx: &mut Effects) {
        self.bound_after(pod, 0, api, fx);
    }

    /// Like [`Kubelet::bound`], with `pull` more time (image pulls) before the start-up latency.
    pub fn bound_after(&mut self, pod: PodId, pull: Time, api: &mut ApiServer, fx: &mut Effects) {
        let (key, attempt) = self.draw_key(api, pod);
        let job = api.pods.get(pod).job;
        let facts = self.sampler(job).pod(key, attempt);
        let p = api.pods.get_mut(pod);
        p.shutdown = facts.shutdown;
        let g = p.gen;
        fx.queue.push(fx.now + pull + facts.startup, Event::PodStart(pod, g));
        if let Some(d) = self.jobs[job as usize].pod_deadline {
            fx.queue.push(fx.now + d, Event::PodDeadline(pod, g));
        }
    }

    /// Handles a pod event that is not stale.
    pub fn handle(&mut self, ev: Event, api: &mut ApiServer, fx: &mut Effects) {
        match ev {
            Event::PodStart(p, _) => self.start(p, api, fx),
            Event::PodRestart(p, _) => {
                api.count_restart(p);
                self.start(p, api, fx);
            }
            Event::PodExit(p, _) => {
                let code = api.pods.get(p).run_exit;
                self.exit(p, code, api, fx);
            }
            Event::ItemDone(p, _) => self.item_done(p, api, fx),
            Event::PodKill(p, _) => {
                let pod = api.pods.get(p);
                let grace = self.jobs[pod.job as usize].grace;
                // A container that outlives the grace period is SIGKILLed (137); else SIGTERM (143).
                let code = if pod.shutdown >= grace { 137 } else { 143 };
                self.return_item(p, api);
                api.set_terminal(fx, p, PodPhase::Failed, Some(code), None);
            }
            Event::PodDeadline(p, _) => {
                if !api.pods.get(p).phase.is_terminal() {
                    self.return_item(p, api);
                    api.set_terminal(fx, p, PodPhase::Failed, None, Some(EndReason::PodDeadlineExceeded));
                }
            }
            _ => unreachable!("not a pod event"),
        }
    }

    fn start(&mut self, pod: PodId, api: &mut ApiServer, fx: &mut Effects) {
        let (key, attempt) = self.draw_key(api, pod);
        let p = api.pods.get(pod);
        if p.deleted.is_some() {
            // Deleted before its container started: it never runs.
            return;
        }
        let job = p.job;
        let run = self.sampler(job).run(key, attempt, p.restarts);
        api.set_running(fx, pod);
        let p = api.pods.get_mut(pod);
        p.run_exit = run.exit_code;
        if let Some(c) = run.condition {
            p.condition = Some(c);
        }
        let g = p.gen;
        if self.jobs[job as usize].workload.work_queue.is_some() {
            // Pods that will fail do so after their drawn duration; the others drain the queue.
            if run.exit_code != 0 {
                if let Some(d) = run.duration {
                    fx.queue.push(fx.now + d, Event::PodExit(pod, g));
                }
            }
            self.take_item(pod, api, fx);
        } else if let Some(d) = run.duration {
            fx.queue.push(fx.now + d, Event::PodExit(pod, g));
        }
    }

    fn take_item(&mut self, pod: PodId, api: &mut ApiServer, fx: &mut Effects) {
        let job = api.pods.get(pod).job as usize;
        let items = self.jobs[job].workload.work_queue.as_ref().map(|q| q.items).unwrap_or(0);
        let q = &mut self.jobs[job].queue;
        let item = q.returned.pop().or_else(|| {
            (q.next_item < items).then(|| {
                q.next_item += 1;
                q.next_item - 1
            })
        });
        match item {
            Some(item) => {
                let d = self.sampler(job as u32).item(item);
                let p = api.pods.get_mut(pod);
                p.work_item = Some(item);
                fx.queue.push(fx.now + d, Event::ItemDone(pod, p.gen));
            }
            None => self.exit(pod, 0, api, fx),
        }
    }

    fn item_done(&mut self, pod: PodId, api: &mut ApiServer, fx: &mut Effects) {
        let p = api.pods.get_mut(pod);
        let item = p.work_item.take();
        let job = p.job as usize;
        self.jobs[job].queue.done += 1;
        fx.rec.pod_event(fx.now, EventKind::WorkItemDone, api.pods.get(pod), |b| {
            if let Some(i) = item {
                b.push_str("item=");
                b.push_str(&i.to_string());
            }
        });
        self.take_item(pod, api, fx);
    }

    fn return_item(&mut self, pod: PodId, api: &mut ApiServer) {
        let p = api.pods.get_mut(pod);
        let Some(item) = p.work_item.take() else { return };
        let j = &mut self.jobs[p.job as usize];
        let lose = j.workload.work_queue.as_ref().is_some_and(|q| q.on_failure == crate::scenario::file::ItemOnFailure::Lose);
        if lose {
            j.queue.lost += 1;
        } else {
            j.queue.returned.push(item);
        }
    }

    fn exit(&mut self, pod: PodId, code: i32, api: &mut ApiServer, fx: &mut Effects) {
        let p = api.pods.get(pod);
        let job = p.job as usize;
        if code != 0 {
            self.return_item(pod, api);
        }
        let p = api.pods.get(pod);
        if code == 0 {
            api.set_terminal(fx, pod, PodPhase::Succeeded, Some(0), Some(EndReason::Completed));
        } else if self.jobs[job].restart_policy == RestartPolicy::OnFailure && p.deleted.is_none() {
            // Restart in place: the first restart is immediate, then 10s, 20s, … capped at 300s;
            // a container that ran 10 minutes without trouble starts the sequence over.
            let ran = fx.now - p.run_started;
            let streak = if ran >= self.config.container_backoff_reset { 1 } else { p.crash_streak + 1 };
            let delay = if streak <= 1 {
                0
            } else {
                let shift = (streak - 2).min(40);
                self.config.container_backoff.saturating_mul(1u64 << shift).min(self.config.max_container_backoff)
            };
            api.container_exited_for_restart(fx, pod, code);
            let p = api.pods.get_mut(pod);
            p.crash_streak = streak;
            fx.queue.push(fx.now + delay, Event::PodRestart(pod, p.gen));
        } else {
            api.set_terminal(fx, pod, PodPhase::Failed, Some(code), Some(EndReason::Error));
        }
    }

    /// The pod's node was lost: the work item it held goes back to the queue (or is lost).
    pub fn node_lost(&mut self, pod: PodId, api: &mut ApiServer) {
        self.return_item(pod, api);
    }

    /// A pod's deletion was requested: a pod whose container is not running ends at once;
    /// a running container gets SIGTERM and ends after its shutdown time, at most the grace period.
    pub fn kill(&mut self, pod: PodId, api: &mut ApiServer, fx: &mut Effects) {
        let p = api.pods.get(pod);
        if p.phase.is_terminal() {
            return;
        }
        if !p.container_up {
            self.return_item(pod, api);
            api.set_terminal(fx, pod, PodPhase::Failed, None, None);
            return;
        }
        let grace = self.jobs[p.job as usize].grace;
        let after = p.shutdown.min(grace);
        fx.queue.push(fx.now + after, Event::PodKill(pod, p.gen));
    }
}
