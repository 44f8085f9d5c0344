//! The validated workload of a Job: distributions with checked parameters and the script of
//! exact facts, indexed for lookup.

use super::duration::parse_duration;
use super::file::{DistSpec, DistTagged, DurationSpec, ItemOnFailure, ScriptEntry, WorkloadSpec};
use super::spec::JobSpec;
use super::LoadOptions;
use crate::engine::Time;
use std::collections::BTreeMap;

/// A validated duration distribution (times in ms).
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Always this.
    Fixed(Time),
    /// Uniform in [lo, hi].
    Uniform(Time, Time),
    /// Normal, truncated at 0.
    Normal {
        /// Mean (ms).
        mean: f64,
        /// Standard deviation (ms).
        sd: f64,
    },
    /// Log-normal: median (ms) and sigma.
    LogNormal {
        /// Median (ms).
        median: f64,
        /// Sigma.
        sigma: f64,
    },
    /// Exponential with this mean (ms).
    Exponential(f64),
    /// One of these, equally likely.
    Empirical(Vec<Time>),
}

impl Dist {
    /// The mean of the distribution in ms (for `explain`).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Fixed(t) => *t as f64,
            Dist::Uniform(a, b) => (*a as f64 + *b as f64) / 2.0,
            Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Dist::Exponential(m) => *m,
            Dist::Empirical(v) => v.iter().map(|x| *x as f64).sum::<f64>() / v.len() as f64,
        }
    }

    /// Whether draws are always the same value.
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }
}

/// A run duration: a distribution, or a pod that runs until deleted.
#[derive(Debug, Clone, PartialEq)]
pub enum RunLength {
    /// Drawn from a distribution.
    Dist(Dist),
    /// Runs until something deletes it.
    Never,
}

/// A shared work queue.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkQueue {
    /// Number of items.
    pub items: u64,
    /// Time per item.
    pub per_item: Dist,
    /// Fate of an in-flight item when its pod fails.
    pub on_failure: ItemOnFailure,
}

/// What selects a script entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScriptKey {
    /// NonIndexed: creation ordinal; Indexed: completion index.
    pub key: u32,
    /// Indexed: attempt (1 = first pod of the index); NonIndexed: 0.
    pub attempt: u32,
    /// Container run (0 = first run; k = k-th restart under OnFailure).
    pub restart: u32,
}

/// Scripted facts of one pod or container run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScriptFacts {
    /// Start-up latency.
    pub startup: Option<Time>,
    /// Run length.
    pub duration: Option<RunLength>,
    /// Exit code.
    pub exit_code: Option<i32>,
    /// Pod condition set when it fails.
    pub condition: Option<String>,
    /// Keeps running this long after SIGTERM.
    pub ignore_sigterm_for: Option<Time>,
}

/// The validated workload of one Job.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Creation to Running.
    pub startup: Dist,
    /// Running to exit.
    pub duration: RunLength,
    /// Probability that a run fails.
    pub failure_probability: f64,
    /// Exit code of random failures.
    pub failure_exit_code: i32,
    /// SIGTERM to exit.
    pub shutdown: Dist,
    /// The shared work queue, if any.
    pub work_queue: Option<WorkQueue>,
    /// Script entries.
    pub script: BTreeMap<ScriptKey, ScriptFacts>,
}

type FieldErr = (String, String);

pub(crate) fn dist(spec: &DistSpec, field: &str) -> Result<Dist, FieldErr> {
    let err = |m: &str| Err((field.to_string(), m.to_string()));
    Ok(match spec {
        DistSpec::Fixed(d) => Dist::Fixed(d.ms()),
        DistSpec::Tagged(t) => match t {
            DistTagged::Fixed(d) => Dist::Fixed(d.ms()),
            DistTagged::Uniform([a, b]) => {
                if a > b {
                    return err("uniform: the lower bound must not exceed the upper bound");
                }
                Dist::Uniform(a.ms(), b.ms())
            }
            DistTagged::Normal { mean, sd } => Dist::Normal { mean: mean.ms() as f64, sd: sd.ms() as f64 },
            DistTagged::Lognormal { median, sigma } => {
                if !sigma.is_finite() || *sigma < 0.0 || *sigma > 20.0 {
                    return err("lognormal: sigma must be a number between 0 and 20");
                }
                if median.ms() == 0 {
                    return err("lognormal: median must be greater than 0");
                }
                Dist::LogNormal { median: median.ms() as f64, sigma: *sigma }
            }
            DistTagged::Exponential { mean } => Dist::Exponential(mean.ms() as f64),
            DistTagged::Empirical(v) => {
                if v.is_empty() {
                    return err("empirical: give at least one value");
                }
                Dist::Empirical(v.iter().map(|d| d.ms()).collect())
            }
        },
    })
}

fn run_length(spec: &DurationSpec, field: &str) -> Result<RunLength, FieldErr> {
    Ok(match spec {
        DurationSpec::Never(_) => RunLength::Never,
        DurationSpec::Dist(d) => RunLength::Dist(dist(d, field)?),
    })
}

impl Workload {
    /// Validates a workload spec for a Job; errors name the field under `workload`.
    pub fn build(w: &WorkloadSpec, job: &JobSpec) -> Result<Workload, FieldErr> {
        let startup = match &w.startup {
            Some(d) => dist(d, "startup")?,
            None => Dist::Fixed(0),
        };
        let duration = match &w.duration {
            Some(d) => run_length(d, "duration")?,
            None => RunLength::Dist(Dist::Fixed(10_000)),
        };
        let shutdown = match &w.shutdown {
            Some(d) => dist(d, "shutdown")?,
            None => Dist::Fixed(0),
        };
        let (failure_probability, failure_exit_code) = match &w.failure {
            Some(f) => {
                if !(0.0..=1.0).contains(&f.probability) {
                    return Err(("failure.probability".into(), format!("{} is not a probability between 0 and 1", f.probability)));
                }
                let code = f.exit_code.unwrap_or(1);
                if code == 0 || !(0..=255).contains(&code) {
                    return Err(("failure.exit_code".into(), format!("{code}: a failure's exit code must be between 1 and 255")));
                }
                (f.probability, code)
            }
            None => (0.0, 1),
        };
        let work_queue = match &w.work_queue {
            Some(q) => {
                if job.completions.is_some() || job.indexed() {
                    return Err((
                        "work_queue".into(),
                        "a shared work queue needs a work-queue Job (parallelism set, completions unset)".into(),
                    ));
                }
                Some(WorkQueue {
                    items: q.items,
                    per_item: dist(&q.per_item, "work_queue.per_item")?,
                    on_failure: q.on_failure.unwrap_or_default(),
                })
            }
            None => None,
        };
        let mut script = BTreeMap::new();
        for (i, e) in w.script.iter().enumerate() {
            let key = script_key(e, job).map_err(|m| (format!("script[{i}]"), m))?;
            let facts = ScriptFacts {
                startup: e.startup.map(|d| d.ms()),
                duration: e.duration.as_ref().map(|d| run_length(d, &format!("script[{i}].duration"))).transpose()?,
                exit_code: e.exit_code,
                condition: e.condition.clone(),
                ignore_sigterm_for: e.ignore_sigterm_for.map(|d| d.ms()),
            };
            if let Some(c) = facts.exit_code {
                if !(0..=255).contains(&c) {
                    return Err((format!("script[{i}].exit_code"), format!("{c}: exit codes are between 0 and 255")));
                }
            }
            if script.insert(key, facts).is_some() {
                return Err((format!("script[{i}]"), "another script entry already describes this pod".into()));
            }
        }
        Ok(Workload { startup, duration, failure_probability, failure_exit_code, shutdown, work_queue, script })
    }
}

fn script_key(e: &ScriptEntry, job: &JobSpec) -> Result<ScriptKey, String> {
    let restart = e.restart.unwrap_or(0);
    match (e.pod, e.index) {
        (Some(p), None) => {
            if job.indexed() {
                return Err("an Indexed Job's pods are named by `index` (and `attempt`), not `pod`".into());
            }
            if e.attempt.is_some() {
                return Err("`attempt` goes with `index`; `pod` already names one pod".into());
            }
            Ok(ScriptKey { key: p, attempt: 0, restart })
        }
        (None, Some(ix)) => {
            if !job.indexed() {
                return Err("`index` needs an Indexed Job; name NonIndexed pods by `pod` (creation ordinal)".into());
            }
            if ix >= job.completions.unwrap_or(0) {
                return Err(format!("index {ix} is out of range: completions is {}", job.completions.unwrap_or(0)));
            }
            let attempt = e.attempt.unwrap_or(1);
            if attempt == 0 {
                return Err("`attempt` counts from 1 (the first pod of the index)".into());
            }
            Ok(ScriptKey { key: ix, attempt, restart })
        }
        _ => Err("a script entry names its pod by exactly one of `pod` (creation ordinal) or `index`".into()),
    }
}

/// Builds the workload spec of a bare manifest from command-line flags.
pub fn spec_from_flags(opts: &LoadOptions) -> Result<WorkloadSpec, FieldErr> {
    let mut w = WorkloadSpec::default();
    if let Some(d) = &opts.duration {
        w.duration = Some(if d.trim() == "never" {
            DurationSpec::Never(super::file::NeverWord::Never)
        } else {
            DurationSpec::Dist(parse_dist_flag(d, "--duration")?)
        });
    }
    if let Some(s) = &opts.startup {
        w.startup = Some(parse_dist_flag(s, "--startup")?);
    }
    if opts.fail_rate.is_some() || opts.exit_code.is_some() {
        w.failure = Some(super::file::FailureSpec { probability: opts.fail_rate.unwrap_or(0.0), exit_code: opts.exit_code });
    }
    Ok(w)
}

fn parse_dist_flag(s: &str, flag: &str) -> Result<DistSpec, FieldErr> {
    if let Ok(ms) = parse_duration(s) {
        return Ok(DistSpec::Fixed(super::duration::Dur(ms)));
    }
    serde_saphyr::from_str::<DistSpec>(s)
        .map_err(|_| (flag.to_string(), format!("{s:?} is neither a duration (30s) nor a distribution such as '{{uniform: [10s, 60s]}}'")))
}
