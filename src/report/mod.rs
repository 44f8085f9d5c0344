//! Writing a run's outputs: summary.json, events.csv and pods.csv, into a temporary folder beside
//! the target that is renamed into place only when everything is written.

pub mod histogram;
pub mod sweep_chart;

use crate::error::RunError;
use crate::scenario::Scenario;
use crate::{simulate, Run, RunOptions, TraceLevel};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The default output folder of a scenario: `output/<name>`.
pub fn default_out_dir(s: &Scenario) -> PathBuf {
    Path::new("output").join(&s.name)
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> RunError {
    RunError::Output { path: path.to_path_buf(), message: e.to_string() }
}

/// Serializes the summary as pretty JSON with a trailing newline.
pub fn summary_json(run: &Run) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(&run.summary).expect("the summary serializes");
    v.push(b'\n');
    v
}

/// A temporary folder beside the target, removed on drop unless committed: outputs appear
/// together, and only when complete.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the temporary folder beside `target`.
    pub fn new(target: &Path) -> Result<Staging, RunError> {
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| io_err(&dir, e))?;
        Ok(Staging { dir, target: target.to_path_buf(), committed: false })
    }

    /// The temporary folder to write into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file into the temporary folder.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), RunError> {
        let p = self.dir.join(name);
        let mut f = File::create(&p).map_err(|e| io_err(&p, e))?;
        f.write_all(bytes).map_err(|e| io_err(&p, e))?;
        f.sync_all().map_err(|e| io_err(&p, e))
    }

    /// Renames the temporary folder into place (replacing an older output).
    pub fn commit(mut self) -> Result<(), RunError> {
        // A signal that arrived while writing: leave the previous output untouched.
        if let Some(signal) = crate::interrupt::received() {
            return Err(RunError::Interrupted { signal });
        }
        if self.target.exists() {
            let old = self.dir.with_extension("old");
            fs::rename(&self.target, &old).map_err(|e| io_err(&self.target, e))?;
            fs::rename(&self.dir, &self.target).map_err(|e| io_err(&self.target, e))?;
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&self.dir, &self.target).map_err(|e| io_err(&self.target, e))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Runs a scenario and writes its outputs to `out`: summary.json always; events.csv and
/// pods.csv with the Full trace (streamed while the simulation runs).
pub fn run_to_dir(s: &Scenario, out: &Path, trace: TraceLevel, seed: Option<u64>) -> Result<Run, RunError> {
    let staging = Staging::new(out)?;
    let run = run_into(s, &staging, trace, seed)?;
    staging.commit()?;
    Ok(run)
}

/// The work of [`run_to_dir`], writing into a staging folder without committing it.
pub fn run_into(s: &Scenario, staging: &Staging, trace: TraceLevel, seed: Option<u64>) -> Result<Run, RunError> {
    let mut opts = RunOptions { trace, seed, ..Default::default() };
    if trace == TraceLevel::Full {
        let ev = staging.dir.join("events.csv");
        let po = staging.dir.join("pods.csv");
        opts.events_out = Some(Box::new(BufWriter::with_capacity(1 << 16, File::create(&ev).map_err(|e| io_err(&ev, e))?)));
        opts.pods_out = Some(Box::new(BufWriter::with_capacity(1 << 16, File::create(&po).map_err(|e| io_err(&po, e))?)));
    }
    let run = simulate(s, opts).map_err(|e| match e {
        RunError::Output { message, .. } => io_err(&staging.dir, message),
        other => other,
    })?;
    staging.write("summary.json", &summary_json(&run))?;
    Ok(run)
}

/// Runs a scenario once with the full trace (as [`run_to_dir`]) and `n` replications, and writes
/// everything atomically to `out`: summary.json gains `replications`; replications.csv and
/// histogram.svg are added. `progress` gets the number of replications done.
pub fn replications_to_dir(
    s: &Scenario,
    out: &Path,
    trace: TraceLevel,
    n: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Run, crate::montecarlo::ReplicationStats), RunError> {
    let staging = Staging::new(out)?;
    let run = run_into(s, &staging, trace, None)?;
    let reps = crate::montecarlo::replicate(s, n, progress)?;
    let stats = crate::montecarlo::aggregate(s, &reps);
    #[derive(serde::Serialize)]
    struct WithReplications<'a> {
        #[serde(flatten)]
        summary: &'a crate::Summary,
        replications: &'a crate::montecarlo::ReplicationStats,
    }
    let mut json = serde_json::to_vec_pretty(&WithReplications { summary: &run.summary, replications: &stats }).expect("serializes");
    json.push(b'\n');
    staging.write("summary.json", &json)?;
    let mut csv = Vec::new();
    crate::montecarlo::replications_csv(s, &reps, &mut csv).map_err(|e| io_err(Path::new("replications.csv"), e))?;
    staging.write("replications.csv", &csv)?;
    staging.write("histogram.svg", histogram::histogram_svg(s, &reps).as_bytes())?;
    staging.commit()?;
    Ok((run, stats))
}

/// Writes a sweep's `sweep.csv` and `sweep.svg` atomically to `out`.
pub fn sweep_to_dir(s: &Scenario, out: &Path, params: &[crate::sweep::Param], pts: &[crate::sweep::Point]) -> Result<(), RunError> {
    let staging = Staging::new(out)?;
    let mut csv = Vec::new();
    crate::sweep::sweep_csv(params, pts, &mut csv).map_err(|e| io_err(Path::new("sweep.csv"), e))?;
    staging.write("sweep.csv", &csv)?;
    staging.write("sweep.svg", sweep_chart::sweep_svg(&s.name, params, pts).as_bytes())?;
    staging.commit()
}
