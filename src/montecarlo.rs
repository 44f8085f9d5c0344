//! Monte Carlo replications: the same scenario run N times with seeds derived from its seed, in
//! parallel (rayon), collected in replication order so the result never depends on thread count.

use crate::error::RunError;
use crate::scenario::Scenario;
use crate::stats::{wilson, Describe, Interval};
use crate::{simulate, RunOptions, TraceLevel};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// The seed of replication `r` (from 0): output `r + 1` of a SplitMix64 generator seeded with the
/// scenario's seed. Every point of a sweep uses the same seeds (common random numbers).
pub fn replication_seed(seed: u64, r: u64) -> u64 {
    let mut z = seed.wrapping_add((r + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What one replication says about one Job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobOutcome {
    /// `Complete`, `Failed` or `Running`.
    pub outcome: String,
    /// The terminal condition's reason.
    pub reason: Option<String>,
    /// Start to terminal condition (s), for finished Jobs.
    pub duration: Option<f64>,
    /// Pods created.
    pub pods_created: u32,
    /// `status.succeeded`.
    pub succeeded: u32,
    /// `status.failed`.
    pub failed: u32,
    /// Most active pods at once.
    pub max_active: u32,
}

/// One replication.
#[derive(Debug, Clone, PartialEq)]
pub struct Replication {
    /// Replication number, from 0.
    pub index: u64,
    /// Its seed.
    pub seed: u64,
    /// Virtual time at the end (s).
    pub end_time: f64,
    /// One entry per Job, in scenario order.
    pub jobs: Vec<JobOutcome>,
}

/// Runs `n` replications of `s` on the current rayon pool. `progress` is called with the number
/// of replications done so far (from any thread, in no particular order).
pub fn replicate(s: &Scenario, n: u64, progress: &(dyn Fn(u64) + Sync)) -> Result<Vec<Replication>, RunError> {
    let done = AtomicU64::new(0);
    (0..n)
        .into_par_iter()
        .map(|r| {
            let seed = replication_seed(s.seed, r);
            let run = simulate(s, RunOptions { trace: TraceLevel::Summary, seed: Some(seed), ..Default::default() })?;
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            Ok(Replication {
                index: r,
                seed,
                end_time: run.summary.sim.end_time,
                jobs: run
                    .summary
                    .jobs
                    .into_iter()
                    .map(|j| JobOutcome {
                        outcome: j.outcome,
                        reason: j.reason,
                        duration: j.duration,
                        pods_created: j.pods_created,
                        succeeded: j.succeeded,
                        failed: j.failed,
                        max_active: j.max_active,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// A count out of the replications, with its probability and Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// Replications.
    pub count: u64,
    /// count / replications.
    pub probability: f64,
    /// 95% Wilson interval of the probability.
    pub ci95: Interval,
}

impl Share {
    fn new(count: u64, n: u64) -> Share {
        Share { count, probability: count as f64 / n as f64, ci95: wilson(count, n).expect("n > 0") }
    }
}

/// One outcome (`Complete`, `Failed`, `Running`) and its reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeShare {
    /// The outcome's share.
    #[serde(flatten)]
    pub share: Share,
    /// By terminal reason (`CompletionsReached`, `BackoffLimitExceeded`, …).
    pub reasons: BTreeMap<String, Share>,
}

/// The distribution of one Job's results over the replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobStats {
    /// `metadata.name`.
    pub name: String,
    /// `Complete` and `Failed` always; `Running` when some replication ended with the Job running.
    pub outcomes: BTreeMap<String, OutcomeShare>,
    /// Duration (s) of the replications in which the Job finished (Complete or Failed).
    pub duration: Option<Describe>,
    /// Duration (s) of the replications in which the Job was Complete.
    pub duration_complete: Option<Describe>,
    /// Pods created.
    pub pods_created: Describe,
    /// Counted pod failures (`status.failed`).
    pub failures: Describe,
}

impl JobStats {
    /// The probability of an outcome (0 when it never happened).
    pub fn p(&self, outcome: &str) -> f64 {
        self.outcomes.get(outcome).map_or(0.0, |o| o.share.probability)
    }
}

/// The `replications` object of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicationStats {
    /// Number of replications.
    pub replications: u64,
    /// How the seeds were derived.
    pub seeds: String,
    /// One entry per Job.
    pub jobs: Vec<JobStats>,
}

/// Aggregates replications (in replication order; the result does not depend on it).
pub fn aggregate(s: &Scenario, reps: &[Replication]) -> ReplicationStats {
    let n = reps.len() as u64;
    let jobs = s
        .jobs
        .iter()
        .enumerate()
        .map(|(j, cfg)| {
            let mut counts: BTreeMap<String, (u64, BTreeMap<String, u64>)> = BTreeMap::new();
            counts.insert("Complete".into(), Default::default());
            counts.insert("Failed".into(), Default::default());
            let (mut dur, mut dur_ok, mut pods, mut fails) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for r in reps {
                let o = &r.jobs[j];
                let e = counts.entry(o.outcome.clone()).or_default();
                e.0 += 1;
                if let Some(reason) = &o.reason {
                    *e.1.entry(reason.clone()).or_default() += 1;
                }
                if let Some(d) = o.duration {
                    dur.push(d);
                    if o.outcome == "Complete" {
                        dur_ok.push(d);
                    }
                }
                pods.push(o.pods_created as f64);
                fails.push(o.failed as f64);
            }
            let outcomes = if n == 0 {
                BTreeMap::new()
            } else {
                counts
                    .into_iter()
                    .map(|(k, (c, reasons))| {
                        let reasons = reasons.into_iter().map(|(r, c)| (r, Share::new(c, n))).collect();
                        (k, OutcomeShare { share: Share::new(c, n), reasons })
                    })
                    .collect()
            };
            let empty = || Describe::of(&[0.0]).expect("one value");
            JobStats {
                name: cfg.spec.name.clone(),
                outcomes,
                duration: Describe::of(&dur),
                duration_complete: Describe::of(&dur_ok),
                pods_created: Describe::of(&pods).unwrap_or_else(empty),
                failures: Describe::of(&fails).unwrap_or_else(empty),
            }
        })
        .collect();
    ReplicationStats {
        replications: n,
        seeds: "replication r (from 0) uses output r+1 of SplitMix64 seeded with the scenario seed".into(),
        jobs,
    }
}

/// One row of `replications.csv`.
#[derive(Debug, Serialize)]
struct Row<'a> {
    replication: u64,
    seed: u64,
    job: &'a str,
    outcome: &'a str,
    reason: &'a str,
    duration: Option<String>,
    pods_created: u32,
    succeeded: u32,
    failed: u32,
    max_active: u32,
    end_time: String,
}

/// `replications.csv`: one row per replication and Job.
pub fn replications_csv(s: &Scenario, reps: &[Replication], w: impl std::io::Write) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    for r in reps {
        for (j, o) in r.jobs.iter().enumerate() {
            out.serialize(Row {
                replication: r.index,
                seed: r.seed,
                job: &s.jobs[j].spec.name,
                outcome: &o.outcome,
                reason: o.reason.as_deref().unwrap_or(""),
                duration: o.duration.map(|d| format!("{d:.3}")),
                pods_created: o.pods_created,
                succeeded: o.succeeded,
                failed: o.failed,
                max_active: o.max_active,
                end_time: format!("{:.3}", r.end_time),
            })?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The distribution in words, for the terminal: per Job P(Complete), P(Failed) by reason, and
/// duration mean/p50/p95/p99.
pub fn render_text(stats: &ReplicationStats) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "{} replications", stats.replications);
    for j in &stats.jobs {
        let _ = writeln!(o, "job {}", j.name);
        for (outcome, share) in &j.outcomes {
            let _ = writeln!(
                o,
                "  P({outcome}) = {:.4}  [95% CI {:.4}..{:.4}]  ({} of {})",
                share.share.probability, share.share.ci95.lo, share.share.ci95.hi, share.share.count, stats.replications
            );
            for (reason, r) in &share.reasons {
                let _ = writeln!(o, "      {reason:<26} {:.4}  [{:.4}..{:.4}]", r.probability, r.ci95.lo, r.ci95.hi);
            }
        }
        match &j.duration {
            Some(d) => {
                let ci = d.mean_ci95.map(|c| format!(" [95% CI {:.1}..{:.1}]", c.lo, c.hi)).unwrap_or_default();
                let _ = writeln!(
                    o,
                    "  duration (s): mean {:.1}{ci}  p5 {:.1}  p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
                    d.mean, d.p5.value, d.p50.value, d.p95.value, d.p99.value, d.max
                );
            }
            None => {
                let _ = writeln!(o, "  duration: the Job never finished");
            }
        }
        let _ = writeln!(
            o,
            "  pods created: mean {:.2}, p95 {:.0}; failures: mean {:.2}, p95 {:.0}",
            j.pods_created.mean, j.pods_created.p95.value, j.failures.mean, j.failures.p95.value
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_differ_and_are_stable() {
        let a: Vec<u64> = (0..4).map(|r| replication_seed(42, r)).collect();
        assert_eq!(a, (0..4).map(|r| replication_seed(42, r)).collect::<Vec<_>>());
        for i in 0..4 {
            for j in 0..i {
                assert_ne!(a[i], a[j]);
            }
        }
        assert_ne!(replication_seed(1, 0), replication_seed(2, 0));
    }
}
