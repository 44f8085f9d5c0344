//! The validated cluster of a scenario: nodes (capacity, labels, taints), scoring, scheduling and
//! image-pull timing, and per Job what its pods ask of a node (requests, selector, tolerations).

use super::file::{ClusterFile, NodeGroup, Scoring};
use super::k8s;
use super::quantity::quantity_value;
use super::workload::{dist, Dist};
use crate::engine::{Time, SECOND};
use std::collections::BTreeMap;

/// Default eviction delay: `node-monitor-grace-period` (50s) until the node is marked NotReady
/// and tainted `node.kubernetes.io/unreachable:NoExecute`, then the 300s `tolerationSeconds` the
/// DefaultTolerationSeconds admission plugin gives every pod for that taint.
pub const DEFAULT_EVICTION_DELAY: Time = 350 * SECOND;

/// Effect of a taint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaintEffect {
    /// Pods without a toleration are not scheduled there.
    NoSchedule,
    /// A soft preference: ignored by the simulated scheduler.
    PreferNoSchedule,
    /// Not scheduled there (eviction of running pods is not modelled for static taints).
    NoExecute,
}

impl TaintEffect {
    fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// A node taint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value (empty when unset).
    pub value: String,
    /// Effect.
    pub effect: TaintEffect,
}

/// One node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    /// Name.
    pub name: String,
    /// Allocatable CPU in millicores.
    pub cpu: u64,
    /// Allocatable memory in bytes.
    pub memory: u64,
    /// Most pods.
    pub pods: u32,
    /// Labels (with `kubernetes.io/hostname`).
    pub labels: BTreeMap<String, String>,
    /// Taints.
    pub taints: Vec<Taint>,
}

/// What the pods of one Job ask of a node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodShape {
    /// Effective CPU request (millicores).
    pub cpu: u64,
    /// Effective memory request (bytes).
    pub memory: u64,
    /// Scheduling priority.
    pub priority: i64,
    /// `nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// `tolerations`.
    pub tolerations: Vec<k8s::Toleration>,
    /// Images to pull, init containers first, without duplicates.
    pub images: Vec<String>,
}

impl PodShape {
    /// Whether the pod tolerates every NoSchedule/NoExecute taint of the node and the node has
    /// every label of its `nodeSelector`.
    pub fn allowed_on(&self, node: &NodeSpec) -> bool {
        self.node_selector.iter().all(|(k, v)| node.labels.get(k) == Some(v))
            && node.taints.iter().all(|t| t.effect == TaintEffect::PreferNoSchedule || self.tolerations.iter().any(|tol| tolerates(tol, t)))
    }
}

/// `Toleration.ToleratesTaint`: effect empty or equal; `Exists` with an empty key matches every
/// taint; otherwise keys equal and, for `Equal` (the default), values equal.
pub fn tolerates(tol: &k8s::Toleration, t: &Taint) -> bool {
    if tol.effect.as_deref().is_some_and(|e| !e.is_empty() && e != t.effect.as_str()) {
        return false;
    }
    let key = tol.key.as_deref().unwrap_or("");
    match tol.operator.as_deref().unwrap_or("Equal") {
        "Exists" => key.is_empty() || key == t.key,
        _ => key == t.key && tol.value.as_deref().unwrap_or("") == t.value,
    }
}

/// The validated cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSpec {
    /// The nodes present at the start.
    pub nodes: Vec<NodeSpec>,
    /// Scoring rule.
    pub scoring: Scoring,
    /// Creation to the scheduler's first attempt.
    pub scheduling_latency: Option<Dist>,
    /// `node_down` to eviction.
    pub eviction_delay: Time,
    /// Pull time per image.
    pub image_pull: BTreeMap<String, Dist>,
    /// Pull time of other images.
    pub default_pull: Option<Dist>,
    /// Per Job (scenario order), what its pods ask.
    pub shapes: Vec<PodShape>,
}

type FieldErr = (String, String);

/// The most nodes a scenario may have, initial and added: Kubernetes' documented limit of
/// 5,000 nodes per cluster.
pub const MAX_NODES: u32 = 5_000;

/// Names nodes `<prefix>-<n>`, n counting from 1 per prefix across all groups; counts them all.
#[derive(Debug, Default)]
pub struct Namer(BTreeMap<String, u32>, u32);

/// Builds the nodes of a group; `field` names it in errors.
pub fn node_group(g: &NodeGroup, field: &str, namer: &mut Namer) -> Result<Vec<NodeSpec>, FieldErr> {
    let q = |v: &serde_json::Value, f: &str| quantity_value(v).map_err(|m| (format!("{field}.{f}"), m));
    let cpu = q(&g.cpu, "cpu")?.milli();
    let memory = q(&g.memory, "memory")?.units();
    let mut taints = Vec::new();
    for (i, t) in g.taints.iter().enumerate() {
        let effect = match t.effect.as_str() {
            "NoSchedule" => TaintEffect::NoSchedule,
            "PreferNoSchedule" => TaintEffect::PreferNoSchedule,
            "NoExecute" => TaintEffect::NoExecute,
            e => return Err((format!("{field}.taints[{i}].effect"), format!("{e:?}: use NoSchedule, PreferNoSchedule or NoExecute"))),
        };
        taints.push(Taint { key: t.key.clone(), value: t.value.clone().unwrap_or_default(), effect });
    }
    let prefix = g.name_prefix.clone().unwrap_or_else(|| "node".into());
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        return Err((format!("{field}.name_prefix"), format!("{prefix:?} is not a valid node name prefix")));
    }
    let count = g.count.unwrap_or(1);
    if namer.1.saturating_add(count) > MAX_NODES {
        return Err((format!("{field}.count"), format!("a scenario has at most {MAX_NODES} nodes (the Kubernetes cluster limit)")));
    }
    namer.1 += count;
    let n = namer.0.entry(prefix.clone()).or_insert(0);
    let mut out = Vec::new();
    for _ in 0..count {
        *n += 1;
        let name = format!("{prefix}-{n}");
        let mut labels = g.labels.clone();
        labels.insert("kubernetes.io/hostname".into(), name.clone());
        out.push(NodeSpec { name, cpu, memory, pods: g.pods.unwrap_or(110), labels, taints: taints.clone() });
    }
    Ok(out)
}

/// Validates the cluster section (`field` errors are relative to `cluster`).
pub fn build(c: &ClusterFile, namer: &mut Namer) -> Result<ClusterSpec, FieldErr> {
    let mut nodes = Vec::new();
    for (i, g) in c.nodes.iter().enumerate() {
        if g.after.is_some() {
            return Err((format!("nodes[{i}].after"), "`after` belongs to `add_nodes` events".into()));
        }
        nodes.extend(node_group(g, &format!("nodes[{i}]"), namer)?);
    }
    let scheduling_latency = c.scheduling_latency.as_ref().map(|d| dist(d, "scheduling_latency")).transpose()?;
    let mut image_pull = BTreeMap::new();
    let mut default_pull = None;
    for (k, d) in c.image_pull.iter().flatten() {
        let d = dist(d, &format!("image_pull.{k}"))?;
        if k == "default" {
            default_pull = Some(d);
        } else {
            image_pull.insert(k.clone(), d);
        }
    }
    Ok(ClusterSpec {
        nodes,
        scoring: c.scoring.unwrap_or_default(),
        scheduling_latency,
        eviction_delay: c.eviction_delay.map(|d| d.ms()).unwrap_or(DEFAULT_EVICTION_DELAY),
        image_pull,
        default_pull,
        shapes: Vec::new(),
    })
}

fn requests(c: &k8s::Container, field: &str) -> Result<(u64, u64), FieldErr> {
    let mut out = (0, 0);
    if let Some(r) = c.resources.as_ref().and_then(|r| r.requests.as_ref()) {
        if let Some(v) = r.get("cpu") {
            out.0 = quantity_value(v).map_err(|m| (format!("{field}.resources.requests.cpu"), m))?.milli();
        }
        if let Some(v) = r.get("memory") {
            out.1 = quantity_value(v).map_err(|m| (format!("{field}.resources.requests.memory"), m))?.units();
        }
    }
    Ok(out)
}

/// What a pod template asks of a node. The effective request is computed as the scheduler does
/// (`resourcehelper.PodRequests`): the sum of the containers and of the sidecars (init containers
/// with `restartPolicy: Always`), or, if larger, the peak of the init phase — each regular init
/// container runs alone beside the sidecars started before it.
pub fn pod_shape(spec: &k8s::PodSpec, classes: &BTreeMap<String, i64>) -> Result<PodShape, FieldErr> {
    let mut sidecars = (0u64, 0u64);
    let mut init_peak = (0u64, 0u64);
    for (i, c) in spec.init_containers.iter().enumerate() {
        let r = requests(c, &format!("initContainers[{i}]"))?;
        if c.restart_policy.as_deref() == Some("Always") {
            sidecars = (sidecars.0 + r.0, sidecars.1 + r.1);
            init_peak = (init_peak.0.max(sidecars.0), init_peak.1.max(sidecars.1));
        } else {
            init_peak = (init_peak.0.max(sidecars.0 + r.0), init_peak.1.max(sidecars.1 + r.1));
        }
    }
    let mut sum = sidecars;
    for (i, c) in spec.containers.iter().enumerate() {
        let r = requests(c, &format!("containers[{i}]"))?;
        sum = (sum.0 + r.0, sum.1 + r.1);
    }
    let priority = match (&spec.priority_class_name, spec.priority) {
        (Some(name), _) => *classes.get(name).ok_or_else(|| {
            (
                "priorityClassName".to_string(),
                format!("no PriorityClass {name:?}: declare it in the scenario's `priority_classes: {{ {name}: <value> }}`"),
            )
        })?,
        (None, Some(p)) => p,
        (None, None) => 0,
    };
    let mut images: Vec<String> = Vec::new();
    for c in spec.init_containers.iter().chain(&spec.containers) {
        if let Some(img) = &c.image {
            if !images.contains(img) {
                images.push(img.clone());
            }
        }
    }
    Ok(PodShape {
        cpu: sum.0.max(init_peak.0),
        memory: sum.1.max(init_peak.1),
        priority,
        node_selector: spec.node_selector.clone().unwrap_or_default(),
        tolerations: spec.tolerations.clone().unwrap_or_default(),
        images,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> k8s::PodSpec {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn effective_request_with_init_containers_and_sidecars() {
        let s = spec(
            r#"
initContainers:
  - { name: big-init, resources: { requests: { cpu: "2", memory: 1Gi } } }
  - { name: sidecar, restartPolicy: Always, resources: { requests: { cpu: 100m, memory: 64Mi } } }
  - { name: late-init, resources: { requests: { cpu: 500m } } }
containers:
  - { name: a, resources: { requests: { cpu: 250m, memory: 128Mi } } }
  - { name: b, resources: { requests: { cpu: 250m } } }
"#,
        );
        let shape = pod_shape(&s, &BTreeMap::new()).unwrap();
        // cpu: max(2000 (big-init alone), 100 + 500 (late-init beside the sidecar), 100 + 500) = 2000
        assert_eq!(shape.cpu, 2000);
        // memory: max(1Gi, 64Mi + 128Mi) = 1Gi
        assert_eq!(shape.memory, 1 << 30);
        let s = spec("containers: [{ name: a, resources: { requests: { cpu: 1, memory: 1Gi } } }]\ninitContainers: [{ name: s, restartPolicy: Always, resources: { requests: { cpu: 500m } } }]");
        assert_eq!(pod_shape(&s, &BTreeMap::new()).unwrap().cpu, 1500);
    }

    #[test]
    fn priority_from_class_or_field() {
        let classes = BTreeMap::from([("high".to_string(), 1000)]);
        assert_eq!(pod_shape(&spec("priorityClassName: high"), &classes).unwrap().priority, 1000);
        assert_eq!(pod_shape(&spec("priority: 7"), &classes).unwrap().priority, 7);
        assert!(pod_shape(&spec("priorityClassName: nope"), &classes).is_err());
    }

    #[test]
    fn toleration_matching() {
        let t = Taint { key: "gpu".into(), value: "yes".into(), effect: TaintEffect::NoSchedule };
        let tol = |k: Option<&str>, op: Option<&str>, v: Option<&str>, e: Option<&str>| k8s::Toleration {
            key: k.map(Into::into),
            operator: op.map(Into::into),
            value: v.map(Into::into),
            effect: e.map(Into::into),
        };
        assert!(tolerates(&tol(Some("gpu"), None, Some("yes"), None), &t));
        assert!(!tolerates(&tol(Some("gpu"), None, Some("no"), None), &t));
        assert!(tolerates(&tol(Some("gpu"), Some("Exists"), None, Some("NoSchedule")), &t));
        assert!(!tolerates(&tol(Some("gpu"), Some("Exists"), None, Some("NoExecute")), &t));
        assert!(tolerates(&tol(None, Some("Exists"), None, None), &t));
    }
}
