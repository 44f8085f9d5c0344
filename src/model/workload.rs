//! The random or scripted facts of each pod: start-up latency, run length, exit code. Each draw
//! comes from a ChaCha stream keyed by what it describes — (seed, job, index or ordinal, attempt,
//! container run) — never by the order the engine asks, so variants of a spec see the same pods.

use crate::engine::Time;
use crate::scenario::workload::{Dist, RunLength, ScriptKey, Workload};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal};

/// The facts of one container run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    /// Running to exit; `None` runs until deleted.
    pub duration: Option<Time>,
    /// Exit code.
    pub exit_code: i32,
    /// Pod condition present once the pod fails (scripted).
    pub condition: Option<Box<str>>,
}

/// The facts of a pod known at creation.
#[derive(Debug, Clone, PartialEq)]
pub struct PodFacts {
    /// Creation to Running.
    pub startup: Time,
    /// SIGTERM to exit.
    pub shutdown: Time,
}

const PURPOSE_POD: u64 = 0x706f64;
const PURPOSE_RUN: u64 = 0x72756e;
const PURPOSE_ITEM: u64 = 0x6974656d;

/// SplitMix64 finaliser: mixes key parts into one seed.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit key for a Job name (FNV-1a), so draws follow the Job, not its position.
pub fn job_key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

fn stream(seed: u64, job: u64, purpose: u64, key: u64, attempt: u64, run: u64) -> ChaCha8Rng {
    let s = mix(mix(mix(mix(mix(seed) ^ job) ^ purpose) ^ key) ^ (attempt << 32 | run));
    ChaCha8Rng::seed_from_u64(s)
}

/// Draws one value of a distribution, in ms.
pub fn sample(d: &Dist, rng: &mut ChaCha8Rng) -> Time {
    let ms = match d {
        Dist::Fixed(t) => return *t,
        Dist::Uniform(a, b) => {
            if a == b {
                return *a;
            }
            return rng.random_range(*a..=*b);
        }
        Dist::Normal { mean, sd } => {
            if *sd <= 0.0 {
                *mean
            } else {
                Normal::new(*mean, *sd).map(|n| n.sample(rng)).unwrap_or(*mean)
            }
        }
        Dist::LogNormal { median, sigma } => LogNormal::new(median.ln(), *sigma).map(|n| n.sample(rng)).unwrap_or(*median),
        Dist::Exponential(mean) => {
            if *mean <= 0.0 {
                0.0
            } else {
                Exp::new(1.0 / mean).map(|e| e.sample(rng)).unwrap_or(*mean)
            }
        }
        Dist::Empirical(v) => return v[rng.random_range(0..v.len())],
    };
    // Truncate at 0 and keep within a sane horizon.
    ms.clamp(0.0, 1e15).round() as Time
}

/// Draws a Job's pod facts and container runs.
pub struct Sampler<'a> {
    /// The Job's workload.
    pub workload: &'a Workload,
    /// Scenario seed.
    pub seed: u64,
    /// [`job_key`] of the Job.
    pub job: u64,
}

impl Sampler<'_> {
    /// Start-up and shutdown of a pod: NonIndexed pods are keyed by creation ordinal, Indexed
    /// pods by (index, attempt).
    pub fn pod(&self, key: u32, attempt: u32) -> PodFacts {
        let w = self.workload;
        let (startup, shutdown) = match (&w.startup, &w.shutdown) {
            // Nothing random to draw: skip the stream (the hot path of most scenarios).
            (Dist::Fixed(a), Dist::Fixed(b)) => (*a, *b),
            _ => {
                let mut rng = stream(self.seed, self.job, PURPOSE_POD, key as u64, attempt as u64, 0);
                let startup = sample(&w.startup, &mut rng);
                (startup, sample(&w.shutdown, &mut rng))
            }
        };
        let script = self.workload.script.get(&ScriptKey { key, attempt, restart: 0 });
        PodFacts {
            startup: script.and_then(|s| s.startup).unwrap_or(startup),
            shutdown: script.and_then(|s| s.ignore_sigterm_for).unwrap_or(shutdown),
        }
    }

    /// The facts of container run `run` (0 = first; k = k-th restart) of a pod.
    pub fn run(&self, key: u32, attempt: u32, run: u32) -> RunFacts {
        let mut rng = stream(self.seed, self.job, PURPOSE_RUN, key as u64, attempt as u64, run as u64);
        let u: f64 = rng.random();
        let fails = u < self.workload.failure_probability;
        let duration = match &self.workload.duration {
            RunLength::Never => None,
            RunLength::Dist(d) => Some(sample(d, &mut rng)),
        };
        let mut facts = RunFacts { duration, exit_code: if fails { self.workload.failure_exit_code } else { 0 }, condition: None };
        if let Some(s) = self.workload.script.get(&ScriptKey { key, attempt, restart: run }) {
            if let Some(d) = &s.duration {
                facts.duration = match d {
                    RunLength::Never => None,
                    RunLength::Dist(d) => Some(sample(d, &mut rng)),
                };
            }
            if let Some(c) = s.exit_code {
                facts.exit_code = c;
            }
            facts.condition = s.condition.as_deref().map(Into::into);
        }
        facts
    }

    /// Time to process work item `item` (keyed by the item, so every variant sees the same items).
    pub fn item(&self, item: u64) -> Time {
        let q = self.workload.work_queue.as_ref().expect("item draws need a work queue");
        let mut rng = stream(self.seed, self.job, PURPOSE_ITEM, item, 0, 0);
        sample(&q.per_item, &mut rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_keyed_not_ordered() {
        let d = Dist::Uniform(1_000, 60_000);
        let a = sample(&d, &mut stream(42, 1, PURPOSE_RUN, 7, 0, 0));
        let _ = sample(&d, &mut stream(42, 1, PURPOSE_RUN, 8, 0, 0));
        let b = sample(&d, &mut stream(42, 1, PURPOSE_RUN, 7, 0, 0));
        assert_eq!(a, b);
        assert!((1_000..=60_000).contains(&a));
    }

    #[test]
    fn normal_is_truncated_at_zero() {
        let d = Dist::Normal { mean: 0.0, sd: 10_000.0 };
        let mut rng = stream(1, 2, 3, 4, 5, 6);
        for _ in 0..1000 {
            let _ = sample(&d, &mut rng);
        }
    }
}
