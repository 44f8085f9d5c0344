//! kjobsim — a discrete-event simulator of Kubernetes `batch/v1` Jobs.
//!
//! It answers "what will this Job do?" without a cluster: which pods the Job controller creates,
//! when they start, succeed, fail and are retried, and how and when the Job ends, under each mode
//! (non-parallel, fixed completion count, work queue, Indexed) and policy, as the real controller
//! (v1.35, default feature gates) would.
//!
//! ```
//! use kjobsim::{scenario, simulate, RunOptions};
//! let yaml = r#"
//! name: doc
//! jobs:
//!   - manifest:
//!       apiVersion: batch/v1
//!       kind: Job
//!       metadata: { name: pi }
//!       spec:
//!         completions: 3
//!         template:
//!           spec:
//!             restartPolicy: Never
//!             containers: [{ name: pi, image: perl }]
//!     workload: { duration: 5s }
//! "#;
//! let s = scenario::load_str(yaml, "doc.yaml".as_ref(), &Default::default()).unwrap();
//! let run = simulate(&s, RunOptions::default()).unwrap();
//! let job = &run.summary.jobs[0];
//! assert_eq!(job.outcome, "Complete");
//! assert_eq!(job.succeeded, 3);
//! assert_eq!(job.max_active, 1); // parallelism defaults to 1: one pod after another
//! ```
#![warn(missing_docs)]

pub mod engine;
pub mod error;
pub mod explain;
pub mod interrupt;
pub mod limits;
pub mod model;
pub mod montecarlo;
pub mod report;
pub mod scenario;
pub mod stats;
pub mod sweep;
pub mod trace;

pub use error::{InputError, RunError};
pub use scenario::Scenario;
pub use trace::summary::Summary;
pub use trace::TraceLevel;

use std::io::Write;
use std::time::Instant;
use trace::{JobEvent, PodRecord, Recorder, StatusSample};

/// How to run a simulation.
pub struct RunOptions {
    /// How much to record.
    pub trace: TraceLevel,
    /// Where events.csv goes (Full trace), if anywhere.
    pub events_out: Option<Box<dyn Write>>,
    /// Where pods.csv goes (Full trace), if anywhere.
    pub pods_out: Option<Box<dyn Write>>,
    /// Seed override.
    pub seed: Option<u64>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { trace: TraceLevel::Full, events_out: None, pods_out: None, seed: None }
    }
}

/// The result of a run.
pub struct Run {
    /// `summary.json`.
    pub summary: Summary,
    /// Pod records (Full trace), at most [`trace::MAX_KEPT_PODS`].
    pub pods: Vec<PodRecord>,
    /// Whether some pods were left out of `pods` (they are all in pods.csv).
    pub pods_truncated: bool,
    /// Job-level events: conditions, backoff waits, spec changes.
    pub job_events: Vec<JobEvent>,
    /// Job status samples over time (Full trace).
    pub samples: Vec<StatusSample>,
    /// Node failures, recoveries, drains and additions (Full trace, with a cluster).
    pub node_events: Vec<trace::NodeEvent>,
}

/// Runs a scenario once.
pub fn simulate(scenario: &Scenario, opts: RunOptions) -> Result<Run, RunError> {
    let mut s = scenario.clone();
    if let Some(seed) = opts.seed {
        s.seed = seed;
    }
    let names = s.jobs.iter().map(|j| j.spec.name.clone()).collect();
    let rec = Recorder::new(opts.trace, names, opts.events_out, opts.pods_out);
    let t0 = Instant::now();
    let mut world = model::World::new(s, rec);
    world.run();
    let wall = t0.elapsed().as_secs_f64();
    if let Some(signal) = world.interrupted {
        return Err(RunError::Interrupted { signal });
    }
    if let Some(e) = world.rec.take_io_error() {
        return Err(RunError::Output { path: "<trace>".into(), message: e.to_string() });
    }
    let summary = trace::summary::summarize(&world, wall);
    let rec = world.rec;
    let pods_truncated = rec.pods_truncated;
    let mut pods = rec.pods;
    pods.sort_by_key(|p| (p.job, p.ordinal));
    Ok(Run { summary, pods, pods_truncated, job_events: rec.job_events, samples: rec.samples, node_events: rec.node_events })
}
