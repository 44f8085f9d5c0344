//! The cluster's nodes as the scheduler and the kubelets see them: capacity in use, the pods
//! bound there, readiness and cordons, the image cache, and the figures of the utilisation summary.

use crate::engine::Time;
use crate::scenario::cluster::{NodeSpec, PodShape};
use crate::scenario::file::Scoring;
use crate::scenario::workload::Dist;
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
        self.nodes.push(Node::new(spec, now));
        id
    }

    /// The best node for a pod of `job`: feasible (schedulable, admitted, room left), highest
    /// score, ties to the lowest name.
    pub fn best_node(&self, job: u32) -> Option<u32> {
        let shape = &self.shapes[job as usize];
        let allowed = &self.allowed[job as usize];
        let mut best: Option<(u64, u32)> = None;
        for (i, n) in self.nodes.iter().enumerate() {
            if !allowed[i] || !n.schedulable() || !n.fits(shape) {
                continue;
            }
            let s = n.score(shape, self.scoring);
            let better = match best {
                None => true,
                Some((bs, bi)) => s > bs || (s == bs && n.spec.name < self.nodes[bi as usize].spec.name),
            };
            if better {
                best = Some((s, i as u32));
            }
        }
        best.map(|(_, i)| i)
    }
}
