//! Writing a run's outputs: summary.json, events.csv and pods.csv, into a temporary folder beside
//! the target that is renamed into place only when everything is written.

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

/// A temporary folder beside the target, removed on drop unless committed.
struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    fn new(target: &Path) -> Result<Staging, RunError> {
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

    fn commit(mut self) -> Result<(), RunError> {
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
    let sp = staging.dir.join("summary.json");
    let mut f = File::create(&sp).map_err(|e| io_err(&sp, e))?;
    f.write_all(&summary_json(&run)).map_err(|e| io_err(&sp, e))?;
    f.sync_all().map_err(|e| io_err(&sp, e))?;
    if let Some(signal) = crate::interrupt::received() {
        return Err(RunError::Interrupted { signal });
    }
    staging.commit()?;
    Ok(run)
}
