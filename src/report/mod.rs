//! Writing a run's outputs: summary.json, events.csv, pods.csv, the charts and report.html, into a
//! temporary folder beside the target that is renamed into place only when everything is written.

pub mod chart;
pub mod html;
pub mod terminal;

pub mod histogram;
pub mod sweep_chart;

use crate::error::RunError;
use crate::scenario::Scenario;
use crate::{simulate, Run, RunOptions, TraceLevel};
use chart::compare::{self, Variant};
use chart::{concurrency::Concurrency, gantt::Gantt, render, Format};
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

/// Options of [`run_to_dir_with`].
#[derive(Debug, Clone)]
pub struct OutputOptions {
    /// How much to record (charts and report.html need the Full trace).
    pub trace: TraceLevel,
    /// Seed override.
    pub seed: Option<u64>,
    /// Chart formats (`timeline.<ext>`, `concurrency.<ext>` for each).
    pub formats: Vec<Format>,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions { trace: TraceLevel::Full, seed: None, formats: vec![Format::Svg] }
    }
}

/// Runs a scenario and writes its outputs to `out`: summary.json always; events.csv and
/// pods.csv with the Full trace (streamed while the simulation runs).
pub fn run_to_dir(s: &Scenario, out: &Path, trace: TraceLevel, seed: Option<u64>) -> Result<Run, RunError> {
    run_to_dir_with(s, out, &OutputOptions { trace, seed, ..Default::default() })
}

fn chart_err(path: &Path, e: String) -> RunError {
    io_err(path, format!("drawing a chart: {e}"))
}

/// The files of a run's charts and report, as (file name, bytes), in a fixed order.
pub fn chart_files(s: &Scenario, run: &Run, formats: &[Format]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let timeline = Gantt::timeline(s, run);
    let conc = Concurrency::new(s, run);
    // The SVGs are drawn once: for their files (when asked) and inline in report.html.
    let tsvg = render(&timeline, Format::Svg)?;
    let csvg = render(&conc, Format::Svg)?;
    let mut files = Vec::new();
    for &f in formats {
        match f {
            Format::Svg => {
                files.push(("timeline.svg".to_string(), tsvg.clone()));
                files.push(("concurrency.svg".to_string(), csvg.clone()));
            }
            Format::Png => {
                files.push(("timeline.png".to_string(), render(&timeline, f)?));
                files.push(("concurrency.png".to_string(), render(&conc, f)?));
            }
        }
    }
    let tsvg = String::from_utf8(tsvg).map_err(|e| e.to_string())?;
    let csvg = String::from_utf8(csvg).map_err(|e| e.to_string())?;
    let page = html::report_html(s, run, &[("Timeline", &tsvg), ("Pods over time", &csvg)]);
    files.push(("report.html".into(), page.into_bytes()));
    Ok(files)
}

/// Runs a scenario and writes its outputs to `out`: summary.json always; with the Full trace
/// also events.csv and pods.csv (streamed while the simulation runs), the charts in each format
/// and report.html.
pub fn run_to_dir_with(s: &Scenario, out: &Path, o: &OutputOptions) -> Result<Run, RunError> {
    let staging = Staging::new(out)?;
    let run = run_into(s, &staging, o)?;
    staging.commit()?;
    Ok(run)
}

/// The work of [`run_to_dir`], writing into a staging folder without committing it.
pub fn run_into(s: &Scenario, staging: &Staging, o: &OutputOptions) -> Result<Run, RunError> {
    let mut opts = RunOptions { trace: o.trace, seed: o.seed, ..Default::default() };
    if o.trace == TraceLevel::Full {
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
    if o.trace == TraceLevel::Full {
        for (name, bytes) in chart_files(s, &run, &o.formats).map_err(|e| chart_err(&staging.dir, e))? {
            staging.write(&name, &bytes)?;
        }
    }
    Ok(run)
}

/// Runs a scenario once with the full trace (as [`run_to_dir`]) and `n` replications, and writes
/// everything atomically to `out`: summary.json gains `replications`; replications.csv and
/// histogram.svg are added. `progress` gets the number of replications done.
pub fn replications_to_dir(
    s: &Scenario,
    out: &Path,
    o: &OutputOptions,
    n: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Run, crate::montecarlo::ReplicationStats), RunError> {
    let staging = Staging::new(out)?;
    let run = run_into(s, &staging, o)?;
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

/// Writes `compare.csv` and `compare.<ext>` for each format to `out`, atomically.
pub fn compare_to_dir(title: &str, variants: &[Variant], out: &Path, formats: &[Format]) -> Result<(), RunError> {
    let staging = Staging::new(out)?;
    staging.write("compare.csv", &compare::csv_bytes(variants))?;
    let g = compare::gantt(title, variants);
    for &f in formats {
        let bytes = render(&g, f).map_err(|e| chart_err(&staging.dir, e))?;
        staging.write(&format!("compare.{}", f.ext()), &bytes)?;
    }
    staging.commit()
}

/// Runs each (name, scenario) once, in parallel, keeping the order.
pub fn run_variants(list: Vec<(String, Scenario)>) -> Result<Vec<Variant>, RunError> {
    use rayon::prelude::*;
    list.into_par_iter()
        .map(|(name, scenario)| simulate(&scenario, RunOptions::default()).map(|run| Variant { name, scenario, run }))
        .collect()
}
