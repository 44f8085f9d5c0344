//! The scheduler: binds pending pods to nodes. Without a cluster every pod fits at once, so a pod
//! is bound the moment it is created. With a cluster, pending pods wait in a queue ordered by
//! priority (highest first), then creation time; a scheduling pass runs whenever something could
//! let a waiting pod fit (a pod created or finished, a node added, up or uncordoned) — never by
//! polling. The rule for choosing among feasible nodes is in [`Cluster::best_node`]; there is no
//! preemption.

use super::api::ApiServer;
use super::cluster::Cluster;
use super::controller::JobController;
use super::kubelet::Kubelet;
use super::pod::{EndReason, PodId, PodPhase, NO_NODE};
use super::{Effects, Event};
use crate::engine::{fmt_secs, Time};
use crate::scenario::cluster::NodeSpec;
use crate::scenario::workload::Dist;
use crate::scenario::Scenario;
use crate::trace::EventKind;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// Queue order: priority (highest first), creation time, Job, creation ordinal.
type Key = (Reverse<i64>, Time, u32, u32);

/// Per Job: how long its pods waited from creation to binding.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueueStats {
    /// Pods bound.
    pub bound: u64,
    /// Sum of waits (ms).
    pub total: u128,
    /// Longest wait (ms).
    pub max: Time,
}

/// Binds pods to nodes.
#[derive(Debug, Default)]
pub struct Scheduler {
    /// Pods bound so far.
    pub bound: u64,
    /// The nodes (`None`: unlimited room).
    pub cluster: Option<Cluster>,
    /// Per Job, its waiting pods in queue order (a Job's pods share one priority).
    queues: Vec<BTreeMap<Key, PodId>>,
    fresh: Vec<Key>,
    dirty: bool,
    latency: Option<Dist>,
    eviction_delay: Time,
    seed: u64,
    job_names: Vec<String>,
    /// Per Job, queueing times.
    pub stats: Vec<QueueStats>,
}

/// A stream keyed by what it describes (FNV-1a of the words), independent of the engine's order.
fn rng_for(parts: &[&str]) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(super::workload::job_key(&parts.join("\u{1f}")))
}

impl Scheduler {
    /// The scheduler of a scenario.
    pub fn new(s: &Scenario) -> Scheduler {
        let Some(c) = &s.cluster else { return Scheduler::default() };
        let n = s.jobs.len();
        Scheduler {
            bound: 0,
            cluster: Some(Cluster::new(c)),
            queues: vec![BTreeMap::new(); n],
            fresh: Vec::new(),
            dirty: false,
            latency: c.scheduling_latency.clone(),
            eviction_delay: c.eviction_delay,
            seed: s.seed,
            job_names: s.jobs.iter().map(|j| j.spec.name.clone()).collect(),
            stats: vec![QueueStats::default(); n],
        }
    }

    /// Schedules a newly created pod. With unlimited room it is bound immediately.
    pub fn schedule(&mut self, pod: PodId, api: &mut ApiServer, fx: &mut Effects) {
        api.bind(fx, pod);
        self.bound += 1;
    }

    /// A pod was created: it joins the queue, after the scheduling latency if there is one.
    pub fn submit(&mut self, pod: PodId, api: &mut ApiServer, fx: &mut Effects) {
        let p = api.pods.get(pod);
        match &self.latency {
            Some(d) => {
                let seed = self.seed.to_string();
                let ordinal = p.ordinal.to_string();
                let mut rng = rng_for(&[&seed, &self.job_names[p.job as usize], &ordinal, "scheduling"]);
                let lat = super::workload::sample(d, &mut rng);
                fx.queue.push(fx.now + lat, Event::SchedQueue(pod, p.gen));
            }
            None => self.enqueue(pod, api),
        }
    }

    /// The pod is ready for the scheduler's attention.
    pub fn enqueue(&mut self, pod: PodId, api: &ApiServer) {
        let Some(c) = &self.cluster else { return };
        let p = api.pods.get(pod);
        let key = (Reverse(c.shapes[p.job as usize].priority), p.created, p.job, p.ordinal);
        self.queues[p.job as usize].insert(key, pod);
        self.fresh.push(key);
        self.dirty = true;
    }

    /// Applies the pods that reached a terminal phase: their room is free, or they leave the queue.
    pub fn release(&mut self, api: &mut ApiServer, now: Time) {
        let Some(c) = self.cluster.as_mut() else { return };
        let Some(list) = api.released.as_mut() else { return };
        for r in list.drain(..) {
            let prio = c.shapes[r.job as usize].priority;
            self.queues[r.job as usize].remove(&(Reverse(prio), r.created, r.job, r.ordinal));
            if r.node != NO_NODE {
                c.unplace(r.node, r.id, r.job, now);
                self.dirty = true;
            }
        }
    }

    /// Binds every waiting pod that fits, in queue order; records the new ones that do not.
    pub fn pass(&mut self, api: &mut ApiServer, kubelet: &mut Kubelet, fx: &mut Effects) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        let Some(c) = self.cluster.as_mut() else { return };
        // Pods of one Job are identical to the scheduler: once one does not fit, none will in
        // this pass (nodes only fill up during it). So the pass walks the Jobs' queue heads in
        // queue order and drops a Job at its first pod that fits nowhere: the cost follows the
        // binds and the Jobs, not the length of the queue.
        let mut heads: BinaryHeap<Reverse<Key>> =
            self.queues.iter().filter_map(|q| q.first_key_value()).map(|(k, _)| Reverse(*k)).collect();
        while let Some(Reverse(key)) = heads.pop() {
            let job = key.2;
            let Some(n) = c.best_node(job) else { continue };
            let queue = &mut self.queues[job as usize];
            let pod = queue.remove(&key).expect("a queue head");
            if let Some((next, _)) = queue.first_key_value() {
                heads.push(Reverse(*next));
            }
            c.place(n, pod, job, fx.now);
            api.bind_to_node(fx, pod, n);
            self.bound += 1;
            let wait = fx.now - key.1;
            let st = &mut self.stats[job as usize];
            st.bound += 1;
            st.total += wait as u128;
            st.max = st.max.max(wait);
            let pull = image_pulls(c, self.seed, pod, n, api, fx);
            kubelet.bound_after(pod, pull, api, fx);
        }
        for key in std::mem::take(&mut self.fresh) {
            if let Some(&pod) = self.queues[key.2 as usize].get(&key) {
                let shape = &c.shapes[key.2 as usize];
                let schedulable = c.nodes.iter().filter(|n| n.schedulable()).count();
                fx.rec.pod_event(fx.now, EventKind::Unschedulable, api.pods.get(pod), |b| {
                    b.push_str(&format!(
                        "no node fits: requests cpu={}m memory={} ({schedulable} of {} nodes schedulable)",
                        shape.cpu,
                        bytes(shape.memory),
                        c.nodes.len()
                    ))
                });
            }
        }
    }

    fn node_index(&self, name: &str) -> u32 {
        self.cluster.as_ref().and_then(|c| c.by_name.get(name).copied()).expect("node names are checked at load")
    }

    /// `node_down`: the node is NotReady; its pods' kubelet events stop; they are evicted after
    /// the eviction delay.
    pub fn node_down(&mut self, name: &str, api: &mut ApiServer, fx: &mut Effects) {
        let i = self.node_index(name);
        let delay = self.eviction_delay;
        let c = self.cluster.as_mut().expect("a cluster");
        let node = &mut c.nodes[i as usize];
        if !node.ready {
            return;
        }
        node.ready = false;
        node.epoch += 1;
        for &p in &node.pods {
            api.freeze(p);
        }
        fx.rec.node_event(
            fx.now,
            EventKind::NodeNotReady,
            name,
            format!("{} pods will be evicted at {}", node.pods.len(), fmt_secs(fx.now + delay)),
        );
        fx.queue.push(fx.now + delay, Event::Evict(i, node.epoch));
    }

    /// `node_up`: pods still on the node are evicted now (their containers were lost); the node
    /// takes pods again.
    pub fn node_up(&mut self, name: &str, api: &mut ApiServer, jobs: &[JobController], kubelet: &mut Kubelet, fx: &mut Effects) {
        let i = self.node_index(name);
        let c = self.cluster.as_mut().expect("a cluster");
        if c.nodes[i as usize].ready {
            return;
        }
        self.evict_lost(i, api, jobs, kubelet, fx);
        let c = self.cluster.as_mut().expect("a cluster");
        let node = &mut c.nodes[i as usize];
        node.ready = true;
        node.epoch += 1;
        fx.rec.node_event(fx.now, EventKind::NodeReady, name, String::new());
        self.dirty = true;
    }

    /// The eviction delay after a `node_down` passed (stale if the node came back meanwhile).
    pub fn evict(&mut self, node: u32, epoch: u32, api: &mut ApiServer, jobs: &[JobController], kubelet: &mut Kubelet, fx: &mut Effects) {
        let c = self.cluster.as_ref().expect("a cluster");
        if c.nodes[node as usize].epoch != epoch {
            return;
        }
        self.evict_lost(node, api, jobs, kubelet, fx);
    }

    /// Every pod of a lost node fails with `DisruptionTarget` (deleted by the taint manager, and
    /// marked Failed since no kubelet will ever report it).
    fn evict_lost(&mut self, node: u32, api: &mut ApiServer, jobs: &[JobController], kubelet: &mut Kubelet, fx: &mut Effects) {
        let c = self.cluster.as_ref().expect("a cluster");
        let pods: Vec<PodId> = c.nodes[node as usize].pods.iter().copied().collect();
        let name = c.nodes[node as usize].spec.name.clone();
        for p in pods {
            if api.pods.get(p).phase.is_terminal() {
                continue;
            }
            api.set_condition(p, "DisruptionTarget");
            fx.rec.pod_event(fx.now, EventKind::Evicted, api.pods.get(p), |b| {
                b.push_str("DisruptionTarget: DeletionByTaintManager, node ");
                b.push_str(&name);
                b.push_str(" is not ready");
            });
            let count = !jobs[api.pods.get(p).job as usize].spec.only_replace_failed_pods();
            api.delete_pod(fx, p, EndReason::NodeLost, false, count);
            kubelet.node_lost(p, api);
            api.set_terminal(fx, p, PodPhase::Failed, None, None);
        }
    }

    /// `drain`: cordon, then evict every pod gracefully (DisruptionTarget, then deletion).
    pub fn drain(&mut self, name: &str, api: &mut ApiServer, jobs: &[JobController], fx: &mut Effects) {
        let i = self.node_index(name);
        let c = self.cluster.as_mut().expect("a cluster");
        let node = &mut c.nodes[i as usize];
        node.cordoned = true;
        fx.rec.node_event(fx.now, EventKind::NodeCordoned, name, format!("draining {} pods", node.pods.len()));
        let pods: Vec<PodId> = node.pods.iter().copied().collect();
        for p in pods {
            let pod = api.pods.get(p);
            if pod.phase.is_terminal() || pod.deleted.is_some() {
                continue;
            }
            api.set_condition(p, "DisruptionTarget");
            fx.rec.pod_event(fx.now, EventKind::Evicted, api.pods.get(p), |b| {
                b.push_str("DisruptionTarget: EvictionByEvictionAPI, draining node ");
                b.push_str(name);
            });
            let count = !jobs[api.pods.get(p).job as usize].spec.only_replace_failed_pods();
            if api.delete_pod(fx, p, EndReason::Evicted, false, count) {
                fx.deleted.push(p);
            }
        }
    }

    /// `add_nodes`: the nodes join now.
    pub fn add_nodes(&mut self, nodes: &[NodeSpec], fx: &mut Effects) {
        let c = self.cluster.as_mut().expect("a cluster");
        for n in nodes {
            c.add_node(n.clone(), fx.now);
            fx.rec.add_node(&n.name);
            fx.rec.node_event(fx.now, EventKind::NodeAdded, &n.name, format!("cpu={}m memory={} pods={}", n.cpu, bytes(n.memory), n.pods));
        }
        self.dirty = true;
    }
}

/// Memory in the largest binary unit that divides it (`1Gi`, `512Mi`, `100`).
fn bytes(b: u64) -> String {
    for (shift, unit) in [(40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")] {
        if b > 0 && b.is_multiple_of(1 << shift) {
            return format!("{}{unit}", b >> shift);
        }
    }
    b.to_string()
}

/// Pulls the pod's images on the node (one pull at a time per node; an image already present or
/// being pulled is not pulled again) and returns how long the pod waits for them.
fn image_pulls(c: &mut Cluster, seed: u64, pod: PodId, n: u32, api: &ApiServer, fx: &mut Effects) -> Time {
    let p = api.pods.get(pod);
    let node = &mut c.nodes[n as usize];
    let mut ready = fx.now;
    for img in &c.shapes[p.job as usize].images {
        let Some(d) = c.image_pull.get(img).or(c.default_pull.as_ref()) else { continue };
        let detail = match node.images.get(img) {
            Some(&t) => {
                ready = ready.max(t);
                if t > fx.now {
                    format!("image={img} being pulled, present at {}", fmt_secs(t))
                } else {
                    format!("image={img} already present")
                }
            }
            None => {
                let mut rng = rng_for(&[&seed.to_string(), &node.spec.name, img, "pull"]);
                let dur = super::workload::sample(d, &mut rng);
                let start = node.pull_free.max(fx.now);
                let end = start + dur;
                node.pull_free = end;
                node.images.insert(img.clone(), end);
                ready = ready.max(end);
                format!("image={img} pulling from {} to {}", fmt_secs(start), fmt_secs(end))
            }
        };
        fx.rec.pod_event(fx.now, EventKind::ImagePull, p, |b| b.push_str(&detail));
    }
    ready - fx.now
}
