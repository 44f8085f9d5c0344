//! `compare`: several variants of the same workload side by side — `compare.svg`, their
//! timelines stacked on one shared time axis, and `compare.csv`, one row per variant and Job.

use super::gantt::{job_groups, run_end, Gantt, LANE_LIMIT};
use crate::scenario::Scenario;
use crate::Run;
use serde::Serialize;

/// One variant: its name, its scenario and its run.
pub struct Variant {
    /// Name (the variant's `name`, or the scenario's).
    pub name: String,
    /// The scenario as run.
    pub scenario: Scenario,
    /// The run.
    pub run: Run,
}

/// A row of `compare.csv`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompareRow {
    /// Variant name.
    pub variant: String,
    /// Job name.
    pub job: String,
    /// `Complete`, `Failed` or `Running`.
    pub outcome: String,
    /// Terminal condition reason.
    pub reason: String,
    /// Seconds from start time to the terminal condition (empty if still running).
    pub duration: String,
    /// Pods created.
    pub pods_created: u32,
    /// `status.succeeded`.
    pub succeeded: u32,
    /// `status.failed`.
    pub failed: u32,
    /// Most active pods at once.
    pub max_active: u32,
}

/// The rows of `compare.csv`.
pub fn rows(variants: &[Variant]) -> Vec<CompareRow> {
    let mut out = Vec::new();
    for v in variants {
        for j in &v.run.summary.jobs {
            out.push(CompareRow {
                variant: v.name.clone(),
                job: j.name.clone(),
                outcome: j.outcome.clone(),
                reason: j.reason.clone().unwrap_or_default(),
                duration: j.duration.map(|d| format!("{d:.3}")).unwrap_or_default(),
                pods_created: j.pods_created,
                succeeded: j.succeeded,
                failed: j.failed,
                max_active: j.max_active,
            });
        }
    }
    out
}

/// `compare.csv` as bytes.
pub fn csv_bytes(variants: &[Variant]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows(variants) {
        w.serialize(r).expect("rows serialize into memory");
    }
    w.into_inner().expect("an in-memory writer flushes")
}

/// The stacked timelines of the variants on one time axis.
pub fn gantt(title: &str, variants: &[Variant]) -> Gantt {
    let mut groups = Vec::new();
    let mut end = 0;
    for v in variants {
        groups.extend(job_groups(&v.scenario, &v.run, Some(&v.name)));
        end = end.max(run_end(&v.run));
    }
    Gantt {
        title: format!("Compare — {title}"),
        subtitle: format!("{} variants on the same workload, one shared time axis", variants.len()),
        groups,
        end,
        lane_limit: LANE_LIMIT,
        spec_in_groups: true,
        marks: Vec::new(),
    }
}
