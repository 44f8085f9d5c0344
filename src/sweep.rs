//! Parameter sweeps: `--set jobs[0].spec.parallelism=1..32` edits the parsed scenario at each
//! point, re-validates it as the API server would, and runs replications with the same seeds at
//! every point (common random numbers), so differences between points come from the rule alone.

use crate::error::{InputError, RunError};
use crate::montecarlo::{aggregate, replicate, ReplicationStats};
use crate::scenario::workload::{Dist, RunLength};
use crate::scenario::{validate, Scenario};
use crate::stats::Describe;

/// A field a sweep can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `spec.parallelism`.
    Parallelism,
    /// `spec.completions`.
    Completions,
    /// `spec.backoffLimit`.
    BackoffLimit,
    /// `spec.activeDeadlineSeconds`.
    ActiveDeadlineSeconds,
    /// `spec.backoffLimitPerIndex`.
    BackoffLimitPerIndex,
    /// `spec.maxFailedIndexes`.
    MaxFailedIndexes,
    /// `workload.failure.probability`.
    FailureProbability,
    /// `workload.duration` as a fixed number of seconds.
    DurationSeconds,
    /// `workload.work_queue.items`.
    WorkQueueItems,
}

const SPEC_FIELDS: [(&str, Field); 6] = [
    ("parallelism", Field::Parallelism),
    ("completions", Field::Completions),
    ("backoffLimit", Field::BackoffLimit),
    ("activeDeadlineSeconds", Field::ActiveDeadlineSeconds),
    ("backoffLimitPerIndex", Field::BackoffLimitPerIndex),
    ("maxFailedIndexes", Field::MaxFailedIndexes),
];

const WORKLOAD_FIELDS: [(&str, Field); 3] =
    [("failure.probability", Field::FailureProbability), ("duration", Field::DurationSeconds), ("work_queue.items", Field::WorkQueueItems)];

/// One swept parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The path as written, e.g. `jobs[0].spec.parallelism`.
    pub path: String,
    /// Index of the Job.
    pub job: usize,
    /// The field.
    pub field: Field,
    /// The values, in the order given.
    pub values: Vec<f64>,
}

fn usage(m: String) -> InputError {
    InputError::Usage(m)
}

/// Parses VALUES: a list `1,2,4,8`, a range `1..32` (step 1, both ends included) or `1..32:4`
/// (1, 5, 9, … up to 32); decimals are allowed (`0..0.3:0.05`).
pub fn parse_values(v: &str) -> Result<Vec<f64>, String> {
    let num = |t: &str| -> Result<f64, String> {
        let x: f64 = t.trim().parse().map_err(|_| format!("{t:?} is not a number"))?;
        if x.is_finite() {
            Ok(x)
        } else {
            Err(format!("{t:?} is not a finite number"))
        }
    };
    if let Some((a, rest)) = v.split_once("..") {
        let (b, step) = match rest.split_once(':') {
            Some((b, st)) => (b, num(st)?),
            None => (rest, 1.0),
        };
        let (a, b) = (num(a)?, num(b)?);
        if step <= 0.0 {
            return Err(format!("the step of {v:?} must be greater than 0"));
        }
        if b < a {
            return Err(format!("the range {v:?} is empty: its end is below its start"));
        }
        let n = ((b - a) / step + 1e-9).floor() as u64 + 1;
        if n > 100_000 {
            return Err(format!("the range {v:?} has {n} values: at most 100000"));
        }
        // Multiply rather than accumulate, and round away binary noise (0.1 + 0.2).
        Ok((0..n).map(|k| ((a + k as f64 * step) * 1e9).round() / 1e9).collect())
    } else {
        v.split(',').map(num).collect()
    }
}

/// Parses one `--set PATH=VALUES` against a scenario.
pub fn parse_set(arg: &str, s: &Scenario) -> Result<Param, InputError> {
    let (path, values) =
        arg.split_once('=').ok_or_else(|| usage(format!("--set {arg:?}: expected PATH=VALUES, e.g. jobs[0].spec.parallelism=1..20")))?;
    let path = path.trim();
    let values = parse_values(values).map_err(|m| usage(format!("--set {path}: {m}")))?;
    let rest = path
        .strip_prefix("jobs[")
        .ok_or_else(|| usage(format!("--set {path}: a path starts with jobs[N], e.g. jobs[0].spec.parallelism")))?;
    let (ix, rest) = rest.split_once("].").ok_or_else(|| usage(format!("--set {path}: expected jobs[N].…")))?;
    let job: usize = ix.parse().map_err(|_| usage(format!("--set {path}: {ix:?} is not a Job number")))?;
    if job >= s.jobs.len() {
        return Err(usage(format!("--set {path}: the scenario has {} Job(s), numbered from 0", s.jobs.len())));
    }
    let field = if let Some(f) = rest.strip_prefix("manifest.spec.").or_else(|| rest.strip_prefix("spec.")) {
        SPEC_FIELDS.iter().find(|(n, _)| *n == f).map(|(_, k)| *k)
    } else if let Some(f) = rest.strip_prefix("workload.") {
        WORKLOAD_FIELDS.iter().find(|(n, _)| *n == f).map(|(_, k)| *k)
    } else {
        None
    };
    let field = field.ok_or_else(|| {
        let spec: Vec<&str> = SPEC_FIELDS.iter().map(|f| f.0).collect();
        let wl: Vec<&str> = WORKLOAD_FIELDS.iter().map(|f| f.0).collect();
        usage(format!(
            "--set {path}: cannot sweep this field; sweepable are jobs[N].spec.{{{}}} and jobs[N].workload.{{{}}}",
            spec.join(","),
            wl.join(",")
        ))
    })?;
    Ok(Param { path: path.to_string(), job, field, values })
}

fn integer(p: &Param, v: f64) -> Result<i64, InputError> {
    if v.fract() != 0.0 {
        return Err(usage(format!("--set {}: {v} is not a whole number", p.path)));
    }
    Ok(v as i64)
}

/// The scenario with each parameter set to its value, re-validated: an invalid point is an error
/// that names the parameter, the value and what the API server would say.
pub fn apply(s: &Scenario, point: &[(&Param, f64)]) -> Result<Scenario, InputError> {
    let mut out = s.clone();
    for (p, v) in point {
        let job = &mut out.jobs[p.job];
        let m = &mut job.manifest.spec;
        match p.field {
            Field::Parallelism => m.parallelism = Some(integer(p, *v)?),
            Field::Completions => m.completions = Some(integer(p, *v)?),
            Field::BackoffLimit => m.backoff_limit = Some(integer(p, *v)?),
            Field::ActiveDeadlineSeconds => m.active_deadline_seconds = Some(integer(p, *v)?),
            Field::BackoffLimitPerIndex => m.backoff_limit_per_index = Some(integer(p, *v)?),
            Field::MaxFailedIndexes => m.max_failed_indexes = Some(integer(p, *v)?),
            Field::FailureProbability => {
                if !(0.0..=1.0).contains(v) {
                    return Err(usage(format!("--set {}: {v} is not a probability between 0 and 1", p.path)));
                }
                job.workload.failure_probability = *v;
            }
            Field::DurationSeconds => {
                if *v < 0.0 {
                    return Err(usage(format!("--set {}: a duration cannot be negative ({v})", p.path)));
                }
                job.workload.duration = RunLength::Dist(Dist::Fixed((v * 1000.0).round() as u64));
            }
            Field::WorkQueueItems => {
                let n = integer(p, *v)?;
                match job.workload.work_queue.as_mut() {
                    Some(q) if n >= 0 => q.items = n as u64,
                    Some(_) => return Err(usage(format!("--set {}: the number of items cannot be negative", p.path))),
                    None => return Err(usage(format!("--set {}: jobs[{}] has no work_queue to size", p.path, p.job))),
                }
            }
        }
    }
    let what = || point.iter().map(|(p, v)| format!("{}={v}", p.path)).collect::<Vec<_>>().join(", ");
    for (i, job) in out.jobs.iter_mut().enumerate() {
        let spec = validate::validate_job(&job.manifest).map_err(|errs| {
            let list: Vec<String> = errs.iter().map(|e| format!("jobs[{i}].manifest.{e}")).collect();
            usage(format!("at {}: the API server would reject the Job: {}", what(), list.join("; ")))
        })?;
        // The workload was validated against the old spec: check what depends on the spec.
        if job.workload.work_queue.is_some() && (spec.completions.is_some() || spec.indexed()) {
            return Err(usage(format!("at {}: jobs[{i}] has a work_queue, which needs a work-queue Job (completions unset)", what())));
        }
        if spec.indexed() {
            let c = spec.completions.unwrap_or(0);
            if let Some(k) = job.workload.script.keys().find(|k| k.key >= c) {
                return Err(usage(format!(
                    "at {}: jobs[{i}] has a script entry for index {}, out of range for completions {c}",
                    what(),
                    k.key
                )));
            }
        }
        job.spec = spec;
    }
    // Scenario `set` events were checked against the old spec: check the rules that depend on it.
    for (k, a) in out.actions.iter().enumerate() {
        if let crate::scenario::Action::Set(j, c) = &a.action {
            let spec = &out.jobs[*j].spec;
            if c.completions.is_some() && !spec.indexed() {
                return Err(usage(format!("at {}: events[{k}] changes completions, which only an Indexed Job allows", what())));
            }
            if c.max_failed_indexes.is_some() && spec.backoff_limit_per_index.is_none() {
                return Err(usage(format!("at {}: events[{k}] changes maxFailedIndexes, which needs backoffLimitPerIndex", what())));
            }
        }
    }
    Ok(out)
}

/// One point of a sweep and its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The value of each parameter.
    pub values: Vec<f64>,
    /// Replication statistics at this point.
    pub stats: ReplicationStats,
}

/// Every point of the grid (the first parameter varies slowest), each as a validated scenario.
pub fn points(s: &Scenario, params: &[Param]) -> Result<Vec<(Vec<f64>, Scenario)>, InputError> {
    if params.is_empty() || params.len() > 2 {
        return Err(usage("sweep takes one or two --set PATH=VALUES".into()));
    }
    let mut grid: Vec<Vec<f64>> = vec![vec![]];
    for p in params {
        grid = grid.into_iter().flat_map(|g| p.values.iter().map(move |v| [g.clone(), vec![*v]].concat())).collect();
    }
    grid.into_iter()
        .map(|vals| {
            let point: Vec<(&Param, f64)> = params.iter().zip(vals.iter().copied()).collect();
            apply(s, &point).map(|sc| (vals, sc))
        })
        .collect()
}

/// Runs `n` replications at each point (seeds from the base scenario's seed: the same at every
/// point). `progress` gets the number of replications done over the whole sweep.
pub fn run(points: &[(Vec<f64>, Scenario)], n: u64, progress: &(dyn Fn(u64) + Sync)) -> Result<Vec<Point>, RunError> {
    let mut out = Vec::with_capacity(points.len());
    for (k, (vals, sc)) in points.iter().enumerate() {
        let base = k as u64 * n;
        let reps = replicate(sc, n, &|d| progress(base + d))?;
        out.push(Point { values: vals.clone(), stats: aggregate(sc, &reps) });
    }
    Ok(out)
}

fn f3(v: f64) -> String {
    format!("{v:.3}")
}

fn f6(v: f64) -> String {
    format!("{v:.6}")
}

/// `sweep.csv`: one row per point and Job.
pub fn sweep_csv(params: &[Param], pts: &[Point], w: impl std::io::Write) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let mut header: Vec<String> = params.iter().map(|p| p.path.clone()).collect();
    header.extend(
        [
            "job",
            "replications",
            "p_complete",
            "p_complete_lo",
            "p_complete_hi",
            "p_failed",
            "p_failed_lo",
            "p_failed_hi",
            "duration_mean",
            "duration_mean_lo",
            "duration_mean_hi",
            "duration_p5",
            "duration_p50",
            "duration_p95",
            "duration_p99",
            "pods_created_mean",
            "failures_mean",
        ]
        .map(String::from),
    );
    out.write_record(&header)?;
    for p in pts {
        for j in &p.stats.jobs {
            let mut row: Vec<String> = p.values.iter().map(|v| format!("{v}")).collect();
            row.push(j.name.clone());
            row.push(p.stats.replications.to_string());
            for o in ["Complete", "Failed"] {
                match j.outcomes.get(o) {
                    Some(s) => row.extend([f6(s.share.probability), f6(s.share.ci95.lo), f6(s.share.ci95.hi)]),
                    None => row.extend([String::new(), String::new(), String::new()]),
                }
            }
            match &j.duration {
                Some(d) => {
                    let ci = d.mean_ci95.map(|c| (f3(c.lo), f3(c.hi))).unwrap_or_default();
                    row.extend([f3(d.mean), ci.0, ci.1, f3(d.p5.value), f3(d.p50.value), f3(d.p95.value), f3(d.p99.value)]);
                }
                None => row.extend(std::iter::repeat_n(String::new(), 7)),
            }
            row.push(f3(j.pods_created.mean));
            row.push(f3(j.failures.mean));
            out.write_record(&row)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The distribution at each point in words, for the terminal.
pub fn render_text(params: &[Param], pts: &[Point]) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let names: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
    let _ = writeln!(o, "{:<40} {:<20} {:>10} {:>9} {:>9} {:>9} {:>9}", names.join(" "), "JOB", "P(Failed)", "mean", "p50", "p95", "p99");
    for p in pts {
        let vals: Vec<String> = p.values.iter().map(|v| format!("{v}")).collect();
        for j in &p.stats.jobs {
            let d = |f: fn(&Describe) -> f64| j.duration.as_ref().map(|d| format!("{:.1}s", f(d))).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                o,
                "{:<40} {:<20} {:>10.4} {:>9} {:>9} {:>9} {:>9}",
                vals.join(" "),
                j.name,
                j.p("Failed"),
                d(|d| d.mean),
                d(|d| d.p50.value),
                d(|d| d.p95.value),
                d(|d| d.p99.value)
            );
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse() {
        assert_eq!(parse_values("1,2,4,8").unwrap(), vec![1.0, 2.0, 4.0, 8.0]);
        assert_eq!(parse_values("1..4").unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(parse_values("1..32:8").unwrap(), vec![1.0, 9.0, 17.0, 25.0]);
        assert_eq!(parse_values("0..0.3:0.1").unwrap(), vec![0.0, 0.1, 0.2, 0.3]);
        assert!(parse_values("4..1").is_err());
        assert!(parse_values("1..4:0").is_err());
        assert!(parse_values("a,b").is_err());
    }
}
