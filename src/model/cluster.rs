//! The cluster's nodes as the scheduler and the kubelets see them: capacity in use, the pods
//! bound there, readiness and cordons, the image cache, and the figures of the utilisation summary.

use crate::engine::Time;
use crate::scenario::cluster::{NodeSpec, PodShape};
use crate::scenario::file::Scoring;
use crate::scenario::workload::Dist;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// The scheduler's default request for scoring a container without a CPU request (100m), as
/// `schedutil.DefaultMilliCPURequest`; used for scores only, never for fit.
pub const NONZERO_CPU: u64 = 100;
/// Likewise for memory (200 MiB, `schedutil.DefaultMemoryRequest`).
pub const NONZERO_MEMORY: u64 = 200 * 1024 * 1024;

/// One node.
#[derive(Debug, Clone)]
pub struct Node {
    /// Name, capacity, labels, taints.
    pub spec: NodeSpec,
    /// Requested CPU of the pods bound here (millicores).
    pub cpu: u64,
    /// Requested memory (bytes).
    pub memory: u64,
    /// Pods bound here.
    pub pods: BTreeSet<u32>,
    /// Requests with the scoring defaults for empty requests.
    cpu_nz: u64,
    memory_nz: u64,
    /// Ready (not down).
    pub ready: bool,
    /// Cordoned (`spec.unschedulable`): no new pods.
    pub cordoned: bool,
    /// Bumped by `node_down`/`node_up`: a pending eviction of an older epoch is stale.
    pub epoch: u32,
    /// Image -> time it is (or will be) present on the node.
    pub images: BTreeMap<String, Time>,
    /// The kubelet pulls one image at a time (`serializeImagePulls: true`): the next pull starts then.
    pub pull_free: Time,
    /// When the node joined.
    pub joined: Time,
    cpu_ms: u128,
    memory_ms: u128,
    last: Time,
    /// Most pods bound at once.
    pub peak_pods: u32,
    /// Pods ever bound here.
    pub bound_total: u64,
}

impl Node {
    /// A fresh node joining at `now`.
    pub fn new(spec: NodeSpec, now: Time) -> Node {
        Node {
            spec,
            cpu: 0,
            memory: 0,
            pods: BTreeSet::new(),
            cpu_nz: 0,
            memory_nz: 0,
            ready: true,
            cordoned: false,
            epoch: 0,
            images: BTreeMap::new(),
            pull_free: 0,
            joined: now,
            cpu_ms: 0,
            memory_ms: 0,
            last: now,
            peak_pods: 0,
            bound_total: 0,
        }
    }

    /// Whether new pods may be bound here.
    pub fn schedulable(&self) -> bool {
        self.ready && !self.cordoned
    }

    /// Whether a pod of `shape` fits in the room left.
    #[inline]
    pub fn fits(&self, shape: &PodShape) -> bool {
        (self.pods.len() as u32) < self.spec.pods && self.cpu + shape.cpu <= self.spec.cpu && self.memory + shape.memory <= self.spec.memory
    }

    /// `NodeResourcesFit` score (0–100) of placing `shape` here: the mean over CPU and memory of
    /// the free (least-allocated) or used (most-allocated) share after placing it.
    pub fn score(&self, shape: &PodShape, scoring: Scoring) -> u64 {
        let one = |used: u64, req: u64, alloc: u64| -> u64 {
            if alloc == 0 {
                return 0;
            }
            let after = (used + req).min(alloc) as u128;
            let alloc = alloc as u128;
            (match scoring {
                Scoring::LeastAllocated => (alloc - after) * 100 / alloc,
                Scoring::MostAllocated => after * 100 / alloc,
            }) as u64
        };
        let cpu = one(self.cpu_nz, if shape.cpu == 0 { NONZERO_CPU } else { shape.cpu }, self.spec.cpu);
        let mem = one(self.memory_nz, if shape.memory == 0 { NONZERO_MEMORY } else { shape.memory }, self.spec.memory);
        (cpu + mem) / 2
    }

    /// An upper bound of [`Node::score`] under least-allocated for any pod: the score of a pod
    /// requesting nothing (each term only shrinks as the request grows).
    pub fn least_allocated_bound(&self) -> u64 {
        let one = |used: u64, alloc: u64| if alloc == 0 { 0 } else { ((alloc - used.min(alloc)) as u128 * 100 / alloc as u128) as u64 };
        (one(self.cpu_nz, self.spec.cpu) + one(self.memory_nz, self.spec.memory)) / 2
    }

    fn account(&mut self, now: Time) {
        let dt = (now - self.last) as u128;
        self.cpu_ms += self.cpu as u128 * dt;
        self.memory_ms += self.memory as u128 * dt;
        self.last = now;
    }

    /// Reserves room for a pod.
    pub fn add(&mut self, pod: u32, shape: &PodShape, now: Time) {
        self.account(now);
        debug_assert!(self.fits(shape), "over-commit on {}", self.spec.name);
        self.cpu += shape.cpu;
        self.memory += shape.memory;
        self.cpu_nz += if shape.cpu == 0 { NONZERO_CPU } else { shape.cpu };
        self.memory_nz += if shape.memory == 0 { NONZERO_MEMORY } else { shape.memory };
        self.pods.insert(pod);
        self.peak_pods = self.peak_pods.max(self.pods.len() as u32);
        self.bound_total += 1;
    }

    /// Frees a pod's room.
    pub fn remove(&mut self, pod: u32, shape: &PodShape, now: Time) {
        self.account(now);
        if self.pods.remove(&pod) {
            self.cpu -= shape.cpu;
            self.memory -= shape.memory;
            self.cpu_nz -= if shape.cpu == 0 { NONZERO_CPU } else { shape.cpu };
            self.memory_nz -= if shape.memory == 0 { NONZERO_MEMORY } else { shape.memory };
        }
    }

    /// Mean share of allocatable CPU and memory requested from joining until `end`.
    pub fn utilisation(&self, end: Time) -> (f64, f64) {
        let dt = end.saturating_sub(self.last) as u128;
        let span = end.saturating_sub(self.joined) as f64;
        let share = |acc: u128, cur: u64, alloc: u64| {
            if span <= 0.0 || alloc == 0 {
                0.0
            } else {
                (acc + cur as u128 * dt) as f64 / (alloc as f64 * span)
            }
        };
        (share(self.cpu_ms, self.cpu, self.spec.cpu), share(self.memory_ms, self.memory, self.spec.memory))
    }
}

/// The nodes, and the timing rules that go with them.
#[derive(Debug)]
pub struct Cluster {
    /// Nodes in the order they joined.
    pub nodes: Vec<Node>,
    /// Node index by name.
    pub by_name: BTreeMap<String, u32>,
    /// Scoring rule.
    pub scoring: Scoring,
    /// Per Job, what its pods ask.
    pub shapes: Vec<PodShape>,
    /// Per Job, per node: does the node's labels and taints admit the Job's pods?
    allowed: Vec<Vec<bool>>,
    /// Pull time per image.
    pub image_pull: BTreeMap<String, Dist>,
    /// Pull time of other images.
    pub default_pull: Option<Dist>,
    /// Nodes by descending least-allocated bound, then name: the scan for the best node stops
    /// once the bound falls below the best score found.
    by_bound: BTreeSet<(Reverse<u64>, String, u32)>,
}

impl Cluster {
    /// A cluster with its initial nodes.
    pub fn new(spec: &crate::scenario::cluster::ClusterSpec) -> Cluster {
        let mut c = Cluster {
            nodes: Vec::new(),
            by_name: BTreeMap::new(),
            scoring: spec.scoring,
            shapes: spec.shapes.clone(),
            allowed: vec![Vec::new(); spec.shapes.len()],
            image_pull: spec.image_pull.clone(),
            default_pull: spec.default_pull.clone(),
            by_bound: BTreeSet::new(),
        };
        for n in &spec.nodes {
            c.add_node(n.clone(), 0);
        }
        c
    }

    /// A node joins.
    pub fn add_node(&mut self, spec: NodeSpec, now: Time) -> u32 {
        let id = self.nodes.len() as u32;
        for (j, shape) in self.shapes.iter().enumerate() {
            self.allowed[j].push(shape.allowed_on(&spec));
        }
        self.by_name.insert(spec.name.clone(), id);
        let node = Node::new(spec, now);
        self.by_bound.insert((Reverse(node.least_allocated_bound()), node.spec.name.clone(), id));
        self.nodes.push(node);
        id
    }

    fn bound_key(&self, n: u32) -> (Reverse<u64>, String, u32) {
        let node = &self.nodes[n as usize];
        (Reverse(node.least_allocated_bound()), node.spec.name.clone(), n)
    }

    /// Reserves room on node `n` for a pod of `job`.
    pub fn place(&mut self, n: u32, pod: u32, job: u32, now: Time) {
        self.by_bound.remove(&self.bound_key(n));
        self.nodes[n as usize].add(pod, &self.shapes[job as usize], now);
        self.by_bound.insert(self.bound_key(n));
    }

    /// Frees the room of a pod of `job` on node `n`.
    pub fn unplace(&mut self, n: u32, pod: u32, job: u32, now: Time) {
        self.by_bound.remove(&self.bound_key(n));
        self.nodes[n as usize].remove(pod, &self.shapes[job as usize], now);
        self.by_bound.insert(self.bound_key(n));
    }

    /// The best node for a pod of `job`: feasible (schedulable, admitted, room left), highest
    /// score, ties to the lowest name.
    pub fn best_node(&self, job: u32) -> Option<u32> {
        let best = match self.scoring {
            Scoring::LeastAllocated => self.best_least_allocated(job),
            Scoring::MostAllocated => self.best_by_scan(job),
        };
        debug_assert_eq!(best, self.best_by_scan(job), "the bounded search agrees with the full scan");
        best
    }

    fn feasible(&self, job: u32, i: u32) -> bool {
        let n = &self.nodes[i as usize];
        self.allowed[job as usize][i as usize] && n.schedulable() && n.fits(&self.shapes[job as usize])
    }

    /// Least-allocated: visit nodes by descending score bound; no node after one whose bound is
    /// below the best score can beat or tie it. Within one bound, names ascend, so the first
    /// node reaching a score keeps it on ties.
    fn best_least_allocated(&self, job: u32) -> Option<u32> {
        let shape = &self.shapes[job as usize];
        let mut best: Option<(u64, u32)> = None;
        for (Reverse(bound), _, i) in &self.by_bound {
            if best.is_some_and(|(bs, _)| *bound < bs) {
                break;
            }
            if !self.feasible(job, *i) {
                continue;
            }
            let s = self.nodes[*i as usize].score(shape, self.scoring);
            if self.better(s, *i, best) {
                best = Some((s, *i));
            }
        }
        best.map(|(_, i)| i)
    }

    fn better(&self, s: u64, i: u32, best: Option<(u64, u32)>) -> bool {
        match best {
            None => true,
            Some((bs, bi)) => s > bs || (s == bs && self.nodes[i as usize].spec.name < self.nodes[bi as usize].spec.name),
        }
    }

    /// Every node, in joining order.
    fn best_by_scan(&self, job: u32) -> Option<u32> {
        let shape = &self.shapes[job as usize];
        let mut best: Option<(u64, u32)> = None;
        for i in 0..self.nodes.len() as u32 {
            if !self.feasible(job, i) {
                continue;
            }
            let s = self.nodes[i as usize].score(shape, self.scoring);
            if self.better(s, i, best) {
                best = Some((s, i));
            }
        }
        best.map(|(_, i)| i)
    }
}
