//! Scenario input: the file format (JSON or YAML), bare Job manifests, Kubernetes durations,
//! API validation and defaulting. [`load`] turns a file into a validated, immutable [`Scenario`].

pub mod cluster;
pub mod duration;
pub mod file;
pub mod k8s;
mod locate;
pub mod quantity;
pub mod spec;
pub mod validate;
pub mod workload;

use crate::engine::{Time, SECOND};
use crate::error::InputError;
pub use spec::JobSpec;
use std::path::{Path, PathBuf};
pub use workload::Workload;

/// Controller and kubelet timing, defaulted to the upstream constants.
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerConfig {
    /// `syncJobBatchPeriod`.
    pub sync_batch: Time,
    /// `DefaultJobPodFailureBackOff`.
    pub pod_failure_backoff: Time,
    /// `MaxJobPodFailureBackOff`.
    pub max_pod_failure_backoff: Time,
    /// `MaxPodCreateDeletePerSync`.
    pub max_pods_per_sync: u32,
    /// Kubelet container restart back-off, first non-zero step.
    pub container_backoff: Time,
    /// Kubelet container restart back-off cap (`MaxContainerBackOff`).
    pub max_container_backoff: Time,
    /// A container that ran this long resets its back-off.
    pub container_backoff_reset: Time,
    /// ResourceQuota `pods` of the namespace: creates beyond it fail (`exceeded quota`).
    pub pod_quota: Option<u32>,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            sync_batch: SECOND,
            pod_failure_backoff: 10 * SECOND,
            max_pod_failure_backoff: 600 * SECOND,
            max_pods_per_sync: 500,
            container_backoff: 10 * SECOND,
            max_container_backoff: 300 * SECOND,
            container_backoff_reset: 600 * SECOND,
            pod_quota: None,
        }
    }
}

/// One Job of a scenario, validated.
#[derive(Debug, Clone)]
pub struct JobConfig {
    /// Creation time.
    pub submit_at: Time,
    /// The defaulted spec.
    pub spec: JobSpec,
    /// The manifest as written (for reports and `explain`).
    pub manifest: k8s::Job,
    /// What its pods do.
    pub workload: Workload,
}

/// A change to a Job's mutable spec fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpecChange {
    /// `parallelism`.
    pub parallelism: Option<u32>,
    /// `completions` (Indexed, in tandem with parallelism).
    pub completions: Option<u32>,
    /// `backoffLimit`.
    pub backoff_limit: Option<u32>,
    /// `activeDeadlineSeconds` in ms.
    pub active_deadline: Option<Time>,
    /// `ttlSecondsAfterFinished` in ms.
    pub ttl_after_finished: Option<Time>,
    /// `maxFailedIndexes`.
    pub max_failed_indexes: Option<u32>,
}

/// Which pod a `delete_pod` event names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodSelector {
    /// By creation ordinal.
    Ordinal(u32),
    /// The newest active pod of an index.
    Index(u32),
}

/// A scenario action.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Set `spec.suspend: true`.
    Suspend(usize),
    /// Set `spec.suspend: false`.
    Resume(usize),
    /// Change mutable fields.
    Set(usize, SpecChange),
    /// Delete a pod.
    DeletePod(usize, PodSelector),
    /// Delete a Job.
    DeleteJob(usize),
    /// A node goes NotReady (by name).
    NodeDown(String),
    /// A node is Ready again.
    NodeUp(String),
    /// Cordon a node and evict its pods.
    Drain(String),
    /// Nodes join the cluster `after` the event.
    AddNodes(Vec<cluster::NodeSpec>, Time),
}

/// A scenario action at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedAction {
    /// When.
    pub at: Time,
    /// What.
    pub action: Action,
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name (names the output folder).
    pub name: String,
    /// Description, if given.
    pub description: Option<String>,
    /// Seed of all random draws.
    pub seed: u64,
    /// Controller timing.
    pub config: ControllerConfig,
    /// The Jobs.
    pub jobs: Vec<JobConfig>,
    /// Scheduled actions, in time order.
    pub actions: Vec<TimedAction>,
    /// Stop time.
    pub until: Time,
    /// The file it came from.
    pub source: PathBuf,
    /// The cluster; `None` gives every pod room at once.
    pub cluster: Option<cluster::ClusterSpec>,
}

/// Horizon when a scenario gives no `until`: 30 days of virtual time.
pub const DEFAULT_UNTIL: Time = 30 * 86_400 * SECOND;

/// The longest horizon a scenario may ask for: one year of virtual time.
pub const MAX_UNTIL: Time = 365 * 86_400 * SECOND;

/// Options for loading: seed override and, for bare manifests, the workload flags.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Override the scenario's seed.
    pub seed: Option<u64>,
    /// Bare manifests: run duration (e.g. `30s`, or a distribution in YAML flow syntax).
    pub duration: Option<String>,
    /// Bare manifests: start-up latency.
    pub startup: Option<String>,
    /// Bare manifests: failure probability.
    pub fail_rate: Option<f64>,
    /// Bare manifests: exit code of failures.
    pub exit_code: Option<i32>,
}

/// Reads, parses and validates a scenario file or a bare Job manifest.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Scenario, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError::Io { path: path.to_path_buf(), message: e.to_string() })?;
    load_str(&text, path, opts)
}

/// Like [`load`], from text already read (`path` names it in messages and resolves `manifest_file`).
pub fn load_str(text: &str, path: &Path, opts: &LoadOptions) -> Result<Scenario, InputError> {
    let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let value: serde_json::Value = parse_value(text, path, json)?;
    let is_manifest = value.get("kind").is_some() || value.get("apiVersion").is_some();
    if is_manifest {
        let job: k8s::Job = parse_typed(text, path, json)?;
        return from_manifest(job, text, path, opts);
    }
    let file: file::ScenarioFile = parse_typed(text, path, json)?;
    build(file, text, path, opts)
}

/// Loads the variants of a `compare`: one (name, scenario) per entry of the file's `variants`
/// (the first Job's spec overridden), or the file's own scenario, named after it, when it has none.
pub fn load_variants(path: &Path, opts: &LoadOptions) -> Result<Vec<(String, Scenario)>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError::Io { path: path.to_path_buf(), message: e.to_string() })?;
    let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let value: serde_json::Value = parse_value(&text, path, json)?;
    if value.get("kind").is_some() || value.get("apiVersion").is_some() {
        let s = load_str(&text, path, opts)?;
        return Ok(vec![(s.name.clone(), s)]);
    }
    let file: file::ScenarioFile = parse_typed(&text, path, json)?;
    if file.variants.is_empty() {
        let s = build(file, &text, path, opts)?;
        return Ok(vec![(s.name.clone(), s)]);
    }
    if file.jobs.first().is_none_or(|j| j.manifest.is_none()) {
        return Err(scenario_error(path, &text, "variants", "variants override the first Job's inline `manifest`: give one".into()));
    }
    let mut out = Vec::new();
    for (i, v) in file.variants.iter().enumerate() {
        if out.iter().any(|(n, _): &(String, Scenario)| *n == v.name) {
            return Err(scenario_error(path, &text, &format!("variants[{i}].name"), format!("duplicate variant name {:?}", v.name)));
        }
        let mut f = file.clone();
        f.variants.clear();
        let job = &mut f.jobs[0];
        v.set.apply(&mut job.manifest.as_mut().expect("checked above").spec);
        if let Some(w) = &v.workload {
            job.workload = Some(w.clone());
        }
        let s = build(f, &text, path, opts).map_err(|e| match e {
            InputError::Invalid { path, mut errors } => {
                for (_, fe) in errors.iter_mut() {
                    fe.detail = format!("{} (in variant {:?})", fe.detail, v.name);
                }
                InputError::Invalid { path, errors }
            }
            other => other,
        })?;
        out.push((v.name.clone(), s));
    }
    Ok(out)
}

fn parse_value(text: &str, path: &Path, json: bool) -> Result<serde_json::Value, InputError> {
    parse_typed(text, path, json)
}

fn parse_typed<T: serde::de::DeserializeOwned>(text: &str, path: &Path, json: bool) -> Result<T, InputError> {
    let parse_err = |line: Option<usize>, column: Option<usize>, field: Option<String>, message: String| InputError::Parse {
        path: path.to_path_buf(),
        line,
        column,
        field,
        message,
    };
    if json {
        let mut de = serde_json::Deserializer::from_str(text);
        let r: Result<T, _> = serde_path_to_error::deserialize(&mut de);
        r.map_err(|e| {
            let field = path_str(e.path());
            let inner = e.into_inner();
            parse_err(Some(inner.line()), Some(inner.column()), field, strip_json_position(&inner.to_string()))
        })
    } else {
        let mut field: Option<String> = None;
        let r = serde_saphyr::with_deserializer_from_str(text, |de| match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(v),
            Err(e) => {
                field = path_str(e.path());
                let inner = e.into_inner();
                Err(inner)
            }
        });
        r.map_err(|e| {
            let (line, column) = e.location().map(|l| (Some(l.line() as usize), Some(l.column() as usize))).unwrap_or((None, None));
            let line = line.or_else(|| field.as_deref().and_then(|f| locate::line_of(text, f)));
            parse_err(line, column, field.clone(), clean_saphyr_message(&e.to_string()))
        })
    }
}

fn path_str(p: &serde_path_to_error::Path) -> Option<String> {
    let s = p.to_string();
    (s != "." && !s.is_empty()).then_some(s)
}

fn strip_json_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn clean_saphyr_message(msg: &str) -> String {
    // serde-saphyr appends its own location; we print ours in front.
    let mut first = msg.lines().next().unwrap_or(msg).trim();
    first = first.strip_prefix("error: ").unwrap_or(first);
    // Drop a leading "line N column M: " (we print the location ourselves).
    if let Some(rest) = first.strip_prefix("line ") {
        if let Some(i) = rest.find(": ") {
            if rest[..i].split(' ').all(|w| w == "column" || w.chars().all(|c| c.is_ascii_digit())) {
                first = &rest[i + 2..];
            }
        }
    }
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

fn invalid(path: &Path, text: &str, prefix: &str, errors: Vec<validate::FieldError>) -> InputError {
    InputError::Invalid {
        path: path.to_path_buf(),
        errors: errors
            .into_iter()
            .map(|mut e| {
                if !prefix.is_empty() {
                    e.path = format!("{prefix}.{}", e.path);
                }
                let line = locate::line_of(text, &e.path);
                (line, e)
            })
            .collect(),
    }
}

fn scenario_error(path: &Path, text: &str, field: &str, message: String) -> InputError {
    InputError::Invalid {
        path: path.to_path_buf(),
        errors: vec![(
            locate::line_of(text, field),
            validate::FieldError { path: field.to_string(), kind: validate::FieldErrorKind::Invalid, value: None, detail: message },
        )],
    }
}

fn default_name(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into())
}

fn from_manifest(job: k8s::Job, text: &str, path: &Path, opts: &LoadOptions) -> Result<Scenario, InputError> {
    let spec = validate::validate_job(&job).map_err(|e| invalid(path, text, "", e))?;
    let wspec = workload::spec_from_flags(opts).map_err(|(field, msg)| scenario_error(path, text, &field, msg))?;
    let workload = Workload::build(&wspec, &spec).map_err(|(field, msg)| scenario_error(path, text, &format!("workload.{field}"), msg))?;
    let name = spec.name.clone();
    Ok(Scenario {
        name,
        description: None,
        seed: opts.seed.unwrap_or(0),
        config: ControllerConfig::default(),
        jobs: vec![JobConfig { submit_at: 0, spec, manifest: job, workload }],
        actions: Vec::new(),
        until: DEFAULT_UNTIL,
        source: path.to_path_buf(),
        cluster: None,
    })
}

fn build(f: file::ScenarioFile, text: &str, path: &Path, opts: &LoadOptions) -> Result<Scenario, InputError> {
    let mut config = ControllerConfig::default();
    if let Some(k) = &f.kubernetes {
        if let Some(v) = k.sync_batch {
            config.sync_batch = v.ms();
        }
        if let Some(v) = k.pod_failure_backoff {
            config.pod_failure_backoff = v.ms();
        }
        if let Some(v) = k.max_pod_failure_backoff {
            config.max_pod_failure_backoff = v.ms();
        }
        if let Some(v) = k.max_pods_per_sync {
            if v == 0 {
                return Err(scenario_error(path, text, "kubernetes.max_pods_per_sync", "must be at least 1".into()));
            }
            config.max_pods_per_sync = v;
        }
        if let Some(v) = k.container_backoff {
            config.container_backoff = v.ms();
        }
        if let Some(v) = k.max_container_backoff {
            config.max_container_backoff = v.ms();
        }
        if let Some(v) = k.container_backoff_reset {
            config.container_backoff_reset = v.ms();
        }
        config.pod_quota = k.pod_quota;
    }
    let mut namer = cluster::Namer::default();
    let mut cluster = match &f.cluster {
        Some(c) => Some(cluster::build(c, &mut namer).map_err(|(fl, m)| scenario_error(path, text, &format!("cluster.{fl}"), m))?),
        None => None,
    };
    if f.jobs.is_empty() {
        return Err(scenario_error(path, text, "jobs", "a scenario needs at least one Job".into()));
    }
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let mut jobs = Vec::new();
    let mut all_errors = Vec::new();
    for (i, entry) in f.jobs.iter().enumerate() {
        let (manifest, mtext, mpath, prefix) = match (&entry.manifest, &entry.manifest_file) {
            (Some(m), None) => (m.clone(), text.to_string(), path.to_path_buf(), format!("jobs[{i}].manifest")),
            (None, Some(file)) => {
                let mp = base_dir.join(file);
                let mt = std::fs::read_to_string(&mp).map_err(|e| InputError::Io { path: mp.clone(), message: e.to_string() })?;
                let json = mp.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
                let m: k8s::Job = parse_typed(&mt, &mp, json)?;
                (m, mt, mp, String::new())
            }
            (Some(_), Some(_)) => {
                return Err(scenario_error(path, text, &format!("jobs[{i}]"), "give either `manifest` or `manifest_file`, not both".into()))
            }
            (None, None) => {
                return Err(scenario_error(
                    path,
                    text,
                    &format!("jobs[{i}]"),
                    "a Job needs a `manifest` (inline) or a `manifest_file`".into(),
                ))
            }
        };
        let spec = match validate::validate_job(&manifest) {
            Ok(s) => s,
            Err(e) => {
                if let InputError::Invalid { errors, .. } = invalid(&mpath, &mtext, &prefix, e) {
                    if mpath == path {
                        all_errors.extend(errors);
                        continue;
                    }
                    return Err(InputError::Invalid { path: mpath, errors });
                }
                unreachable!("invalid() builds InputError::Invalid")
            }
        };
        let wspec = entry.workload.clone().unwrap_or_default();
        let workload = Workload::build(&wspec, &spec)
            .map_err(|(field, msg)| scenario_error(path, text, &format!("jobs[{i}].workload.{field}"), msg))?;
        jobs.push(JobConfig { submit_at: entry.submit_at.map(|d| d.ms()).unwrap_or(0), spec, manifest, workload });
    }
    if !all_errors.is_empty() {
        return Err(InputError::Invalid { path: path.to_path_buf(), errors: all_errors });
    }
    for (i, j) in jobs.iter().enumerate() {
        if jobs[..i].iter().any(|o| o.spec.name == j.spec.name) {
            return Err(scenario_error(
                path,
                text,
                &format!("jobs[{i}]"),
                format!("duplicate Job name {:?}: each Job in a scenario needs its own name", j.spec.name),
            ));
        }
    }
    let find = |name: &str, field: &str| -> Result<usize, InputError> {
        jobs.iter()
            .position(|j| j.spec.name == name)
            .ok_or_else(|| scenario_error(path, text, field, format!("no Job named {name:?} in this scenario")))
    };
    let mut actions = Vec::new();
    for (i, ev) in f.events.iter().enumerate() {
        let p = format!("events[{i}]");
        let count = [
            ev.suspend.is_some(),
            ev.resume.is_some(),
            ev.set.is_some(),
            ev.delete_pod.is_some(),
            ev.delete_job.is_some(),
            ev.node_down.is_some(),
            ev.node_up.is_some(),
            ev.drain.is_some(),
            ev.add_nodes.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if count != 1 {
            return Err(scenario_error(
                path,
                text,
                &p,
                "an event needs exactly one of: suspend, resume, set, delete_pod, delete_job, node_down, node_up, drain, add_nodes".into(),
            ));
        }
        let node_event = [ev.node_down.is_some(), ev.node_up.is_some(), ev.drain.is_some(), ev.add_nodes.is_some()].contains(&true);
        if node_event && cluster.is_none() {
            return Err(scenario_error(path, text, &p, "node events need a `cluster` with nodes".into()));
        }
        let action = if let Some(n) = &ev.node_down {
            Action::NodeDown(n.clone())
        } else if let Some(n) = &ev.node_up {
            Action::NodeUp(n.clone())
        } else if let Some(n) = &ev.drain {
            Action::Drain(n.clone())
        } else if let Some(g) = &ev.add_nodes {
            Action::AddNodes(Vec::new(), g.after.map(|d| d.ms()).unwrap_or(0))
        } else if let Some(n) = &ev.suspend {
            Action::Suspend(find(n, &format!("{p}.suspend"))?)
        } else if let Some(n) = &ev.resume {
            Action::Resume(find(n, &format!("{p}.resume"))?)
        } else if let Some(n) = &ev.delete_job {
            Action::DeleteJob(find(n, &format!("{p}.delete_job"))?)
        } else if let Some(d) = &ev.delete_pod {
            let j = find(&d.job, &format!("{p}.delete_pod.job"))?;
            let sel = match (d.pod, d.index) {
                (Some(o), None) => PodSelector::Ordinal(o),
                (None, Some(x)) => PodSelector::Index(x),
                _ => {
                    return Err(scenario_error(
                        path,
                        text,
                        &format!("{p}.delete_pod"),
                        "give exactly one of `pod` (creation ordinal) or `index`".into(),
                    ))
                }
            };
            Action::DeletePod(j, sel)
        } else {
            let s = ev.set.as_ref().expect("counted above");
            let j = find(&s.job, &format!("{p}.set.job"))?;
            Action::Set(j, spec_change(s, &jobs[j].spec).map_err(|(f, m)| scenario_error(path, text, &format!("{p}.set.{f}"), m))?)
        };
        actions.push(TimedAction { at: ev.at.ms(), action });
    }
    // Stable sort: same-time actions keep file order.
    let mut order: Vec<usize> = (0..actions.len()).collect();
    order.sort_by_key(|&i| actions[i].at);
    let mut actions: Vec<TimedAction> = order.iter().map(|&i| actions[i].clone()).collect();
    if let Some(c) = cluster.as_mut() {
        cluster_nodes_and_shapes(c, &mut actions, &order, &f, &jobs, &mut namer).map_err(|(fl, m)| scenario_error(path, text, &fl, m))?;
    }
    if f.until.is_some_and(|u| u.ms() > MAX_UNTIL) {
        return Err(scenario_error(path, text, "until", "the simulated horizon is capped at 365d".into()));
    }
    for (i, j) in f.jobs.iter().enumerate() {
        if j.submit_at.is_some_and(|u| u.ms() > MAX_UNTIL) {
            return Err(scenario_error(path, text, &format!("jobs[{i}].submit_at"), "must be within the 365d horizon".into()));
        }
    }
    let name = f.name.clone().unwrap_or_else(|| default_name(path));
    if name.is_empty() || name.contains('/') || name.contains('\\') || name == "." || name == ".." {
        return Err(scenario_error(path, text, "name", format!("{name:?} cannot name an output folder")));
    }
    Ok(Scenario {
        name,
        description: f.description.clone(),
        seed: opts.seed.or(f.seed).unwrap_or(0),
        config,
        jobs,
        actions,
        until: f.until.map(|d| d.ms()).unwrap_or(DEFAULT_UNTIL),
        source: path.to_path_buf(),
        cluster,
    })
}

/// Names the nodes added by `add_nodes` (in time order), checks that node events name known
/// nodes, and computes what each Job's pods ask of a node.
fn cluster_nodes_and_shapes(
    c: &mut cluster::ClusterSpec,
    actions: &mut [TimedAction],
    order: &[usize],
    f: &file::ScenarioFile,
    jobs: &[JobConfig],
    namer: &mut cluster::Namer,
) -> Result<(), (String, String)> {
    let mut known: Vec<String> = c.nodes.iter().map(|n| n.name.clone()).collect();
    for (a, &i) in actions.iter_mut().zip(order) {
        let field = format!("events[{i}]");
        match &mut a.action {
            Action::AddNodes(nodes, _) => {
                let g = f.events[i].add_nodes.as_ref().expect("an add_nodes event");
                *nodes = cluster::node_group(g, &format!("{field}.add_nodes"), namer)?;
                known.extend(nodes.iter().map(|n| n.name.clone()));
            }
            Action::NodeDown(n) | Action::NodeUp(n) | Action::Drain(n) if !known.contains(n) => {
                return Err((field, format!("no node named {n:?} (nodes are named <name_prefix>-<n>, e.g. node-1)")));
            }
            _ => {}
        }
    }
    let classes = f.priority_classes.clone().unwrap_or_default();
    for (i, j) in jobs.iter().enumerate() {
        let shape = cluster::pod_shape(&j.manifest.spec.template.spec, &classes)
            .map_err(|(fl, m)| (format!("jobs[{i}].manifest.spec.template.spec.{fl}"), m))?;
        c.shapes.push(shape);
    }
    Ok(())
}

/// Validates a `set` event against the update rules of the API server (§3.2).
fn spec_change(s: &file::SetFields, spec: &JobSpec) -> Result<SpecChange, (String, String)> {
    let nn = |v: Option<i64>, f: &str| -> Result<Option<u32>, (String, String)> {
        match v {
            Some(x) if !(0..=i32::MAX as i64).contains(&x) => {
                Err((f.to_string(), format!("Invalid value: {x}: must be greater than or equal to 0")))
            }
            Some(x) => Ok(Some(x as u32)),
            None => Ok(None),
        }
    };
    let c = SpecChange {
        parallelism: nn(s.parallelism, "parallelism")?,
        completions: nn(s.completions, "completions")?,
        backoff_limit: nn(s.backoff_limit, "backoffLimit")?,
        active_deadline: nn(s.active_deadline_seconds, "activeDeadlineSeconds")?.map(|v| v as u64 * SECOND),
        ttl_after_finished: nn(s.ttl_seconds_after_finished, "ttlSecondsAfterFinished")?.map(|v| v as u64 * SECOND),
        max_failed_indexes: nn(s.max_failed_indexes, "maxFailedIndexes")?,
    };
    if let Some(comp) = c.completions {
        if !spec.indexed() || c.parallelism != Some(comp) {
            return Err((
                "completions".into(),
                format!("Invalid value: {comp}: can only be modified in tandem with spec.parallelism (Indexed Jobs only, with completions equal to parallelism)"),
            ));
        }
    }
    if c.max_failed_indexes.is_some() && spec.backoff_limit_per_index.is_none() {
        return Err(("maxFailedIndexes".into(), "Required value: backoffLimitPerIndex must be set to change maxFailedIndexes".into()));
    }
    Ok(c)
}
