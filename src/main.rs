//! The `kjobsim` command line: parses flags, calls the library, maps errors to exit codes
//! (0 success, 1 the run failed, 2 invalid input or usage).

use clap::{Parser, Subcommand, ValueEnum};
use kjobsim::report::chart::Format;
use kjobsim::scenario::{self, LoadOptions};
use kjobsim::{report, sweep, InputError, TraceLevel};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kjobsim", version, about = "Simulate Kubernetes Jobs: what will this Job do, and when?")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct WorkloadFlags {
    /// Seed of every random draw (overrides the scenario's).
    #[arg(long)]
    seed: Option<u64>,
    /// Bare manifests: how long each pod runs (`30s`, or a distribution like '{uniform: [10s, 60s]}'; `never`).
    #[arg(long)]
    duration: Option<String>,
    /// Bare manifests: probability that a pod fails (0..1).
    #[arg(long)]
    fail_rate: Option<f64>,
    /// Bare manifests: exit code of failing pods (default 1).
    #[arg(long)]
    exit_code: Option<i32>,
    /// Bare manifests: time from pod creation to Running.
    #[arg(long)]
    startup: Option<String>,
}

impl WorkloadFlags {
    fn load_options(&self) -> LoadOptions {
        LoadOptions {
            seed: self.seed,
            duration: self.duration.clone(),
            startup: self.startup.clone(),
            fail_rate: self.fail_rate,
            exit_code: self.exit_code,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Trace {
    /// summary.json only.
    Summary,
    /// summary.json, events.csv and pods.csv.
    Full,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario (or a bare Job manifest) and write summary.json, events.csv, pods.csv.
    Run {
        /// Scenario file or Job manifest (YAML or JSON).
        file: PathBuf,
        /// Output folder (default: output/<scenario-name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// How much to record.
        #[arg(long, value_enum, default_value = "full")]
        trace: Trace,
        /// Stop at this virtual time (e.g. 2h), overriding the scenario's `until` (at most 365d).
        #[arg(long)]
        until: Option<String>,
        /// Refuse runs whose events.csv + pods.csv would exceed this size (e.g. 500MB, 20GB).
        #[arg(long, default_value = "8GB")]
        max_output: String,
        /// Refuse scenarios that would keep more pods alive at once.
        #[arg(long, default_value_t = 5_000_000)]
        max_pods: u64,
        /// Also run N replications (seeds derived from the scenario's) and write their
        /// distribution: summary.json `replications`, replications.csv, histogram.svg.
        #[arg(long)]
        replications: Option<u64>,
        /// Chart formats: svg, png or svg,png.
        #[arg(long, default_value = "svg")]
        format: String,
        /// Also print the pod timeline in the terminal (colours when stdout is a terminal and NO_COLOR is unset).
        #[arg(long)]
        timeline: bool,
        #[command(flatten)]
        workload: WorkloadFlags,
    },
    /// Run several variants on the same workload and draw them side by side: compare.svg, compare.csv.
    Compare {
        /// Scenario files (or one file with a top-level `variants:` list).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output folder (default: output/compare-<scenario-name>, or output/compare for several files).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Chart formats: svg, png or svg,png.
        #[arg(long, default_value = "svg")]
        format: String,
        #[command(flatten)]
        workload: WorkloadFlags,
    },
    /// Vary one or two spec/workload fields and run replications at each point: sweep.csv, sweep.svg.
    Sweep {
        /// Scenario file or Job manifest (YAML or JSON).
        file: PathBuf,
        /// PATH=VALUES, e.g. `jobs[0].spec.parallelism=1..32:4` or `jobs[0].workload.failure.probability=0.01,0.05,0.1`
        /// (one or two: two make a grid).
        #[arg(long = "set", required = true)]
        set: Vec<String>,
        /// Replications per point (the same seeds at every point).
        #[arg(long, default_value_t = 200)]
        replications: u64,
        /// Output folder (default: output/<scenario-name>-sweep).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Stop each run at this virtual time (e.g. 2h), overriding the scenario's `until`.
        #[arg(long)]
        until: Option<String>,
        #[command(flatten)]
        workload: WorkloadFlags,
    },
    /// Explain each Job in words (mode, what ends it, pitfalls), then narrate the run step by step.
    Explain {
        /// Scenario file or Job manifest (YAML or JSON).
        file: PathBuf,
        /// How many steps of the run to narrate.
        #[arg(long, default_value_t = 30)]
        steps: usize,
        #[command(flatten)]
        workload: WorkloadFlags,
    },
    /// Check a scenario or manifest as the API server would, without running it.
    Validate {
        /// Scenario file or Job manifest.
        file: PathBuf,
        #[command(flatten)]
        workload: WorkloadFlags,
    },
}

fn main() -> ExitCode {
    if let Err(e) = kjobsim::interrupt::install() {
        eprintln!("warning: cannot catch Ctrl-C ({e}); an interrupted run may leave a staging folder");
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Run(e)) => {
            eprintln!("error: {e:#}");
            match e.downcast_ref::<kjobsim::RunError>() {
                Some(kjobsim::RunError::Interrupted { signal }) => ExitCode::from((128 + signal) as u8),
                _ => ExitCode::from(1),
            }
        }
    }
}

enum Failure {
    Input(InputError),
    Run(anyhow::Error),
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Self {
        Failure::Input(e)
    }
}

fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run { file, out, trace, until, max_output, max_pods, replications, format, timeline, workload } => {
            let formats = Format::parse_list(&format).map_err(|m| InputError::Usage(format!("--format: {m}")))?;
            let mut s = scenario::load(&file, &workload.load_options())?;
            set_until(&mut s, until)?;
            let out = out.unwrap_or_else(|| report::default_out_dir(&s));
            let level = match trace {
                Trace::Summary => TraceLevel::Summary,
                Trace::Full => TraceLevel::Full,
            };
            let opts = report::OutputOptions { trace: level, seed: None, formats };
            let limits = kjobsim::limits::Limits {
                max_output_bytes: kjobsim::limits::parse_bytes(&max_output).map_err(|m| InputError::Usage(format!("--max-output: {m}")))?,
                max_live_pods: max_pods,
            };
            kjobsim::limits::check(&s, level, &limits, &out).map_err(InputError::Usage)?;
            if let Some(n) = replications {
                if n == 0 || n > MAX_REPLICATIONS {
                    return Err(InputError::Usage(format!("--replications must be between 1 and {MAX_REPLICATIONS}")).into());
                }
                let bar = Progress::new(n);
                let (run, stats) = report::replications_to_dir(&s, &out, &opts, n, &|d| bar.tick(d))
                    .map_err(|e| Failure::Run(anyhow::Error::new(e).context("the run failed")))?;
                bar.done();
                print_summary(&run, &out);
                let _ = write!(std::io::stdout().lock(), "{}", kjobsim::montecarlo::render_text(&stats));
                return Ok(());
            }
            let run =
                report::run_to_dir_with(&s, &out, &opts).map_err(|e| Failure::Run(anyhow::Error::new(e).context("the run failed")))?;
            if timeline && level == TraceLevel::Full {
                print_timeline(&s, &run);
            } else if timeline {
                eprintln!("note: no timeline with --trace summary (no pod is recorded)");
            }
            print_summary(&run, &out);
            Ok(())
        }
        Command::Sweep { file, set, replications, out, until, workload } => {
            let mut s = scenario::load(&file, &workload.load_options())?;
            set_until(&mut s, until)?;
            if replications == 0 || replications > MAX_REPLICATIONS {
                return Err(InputError::Usage(format!("--replications must be between 1 and {MAX_REPLICATIONS}")).into());
            }
            let params = set.iter().map(|a| sweep::parse_set(a, &s)).collect::<Result<Vec<_>, _>>()?;
            let runs = params.iter().map(|p| p.values.len() as u64).product::<u64>().saturating_mul(replications);
            if runs > MAX_REPLICATIONS {
                return Err(InputError::Usage(format!(
                    "this sweep would run {runs} replications in all (points x --replications), more than {MAX_REPLICATIONS}: use fewer values or replications"
                ))
                .into());
            }
            let points = sweep::points(&s, &params)?;
            let out = out.unwrap_or_else(|| std::path::Path::new("output").join(format!("{}-sweep", s.name)));
            let bar = Progress::new(points.len() as u64 * replications);
            let pts = sweep::run(&points, replications, &|d| bar.tick(d))
                .map_err(|e| Failure::Run(anyhow::Error::new(e).context("the sweep failed")))?;
            bar.done();
            report::sweep_to_dir(&s, &out, &params, &pts).map_err(|e| Failure::Run(anyhow::Error::new(e).context("the sweep failed")))?;
            let mut o = std::io::stdout().lock();
            let _ = write!(o, "{}", sweep::render_text(&params, &pts));
            let _ = writeln!(o, "wrote {}", out.display());
            Ok(())
        }
        Command::Explain { file, steps, workload } => {
            let s = scenario::load(&file, &workload.load_options())?;
            let text = kjobsim::explain::explain(&s, steps).map_err(|e| Failure::Run(anyhow::Error::new(e).context("the run failed")))?;
            let _ = write!(std::io::stdout().lock(), "{text}");
            Ok(())
        }
        Command::Compare { files, out, format, workload } => {
            let formats = Format::parse_list(&format).map_err(|m| InputError::Usage(format!("--format: {m}")))?;
            let mut list = Vec::new();
            for f in &files {
                list.extend(scenario::load_variants(f, &workload.load_options())?);
            }
            let title =
                if files.len() == 1 { list[0].1.name.clone() } else { list.iter().map(|v| v.0.as_str()).collect::<Vec<_>>().join(" vs ") };
            let out = out.unwrap_or_else(|| {
                PathBuf::from("output").join(if files.len() == 1 { format!("compare-{title}") } else { "compare".to_string() })
            });
            let variants = report::run_variants(list).map_err(|e| Failure::Run(anyhow::Error::new(e).context("a variant failed")))?;
            report::compare_to_dir(&title, &variants, &out, &formats)
                .map_err(|e| Failure::Run(anyhow::Error::new(e).context("writing the comparison failed")))?;
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(&report::chart::compare::csv_bytes(&variants));
            let _ = writeln!(o, "wrote {}", out.display());
            Ok(())
        }
        Command::Validate { file, workload } => {
            let s = scenario::load(&file, &workload.load_options())?;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}: valid", file.display());
            for j in &s.jobs {
                let _ = writeln!(
                    out,
                    "  job {}: {} (parallelism {}, completions {}, backoffLimit {})",
                    j.spec.name,
                    j.spec.mode().as_str(),
                    j.spec.parallelism,
                    j.spec.completions.map(|c| c.to_string()).unwrap_or_else(|| "unset".into()),
                    j.spec.backoff_limit
                );
            }
            Ok(())
        }
    }
}

/// Replications are kept in memory for their statistics (about 100 bytes each per Job).
const MAX_REPLICATIONS: u64 = 10_000_000;

fn set_until(s: &mut kjobsim::Scenario, until: Option<String>) -> Result<(), InputError> {
    if let Some(u) = until {
        s.until = scenario::duration::parse_duration(&u).map_err(|m| InputError::Usage(format!("--until: {m}")))?;
        if s.until > scenario::MAX_UNTIL {
            return Err(InputError::Usage("--until: the simulated horizon is capped at 365d".into()));
        }
    }
    Ok(())
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
struct Progress {
    total: u64,
    shown: std::sync::atomic::AtomicU64,
    on: bool,
}

impl Progress {
    fn new(total: u64) -> Progress {
        use std::io::IsTerminal;
        Progress { total, shown: Default::default(), on: std::io::stderr().is_terminal() && total >= 20 }
    }

    fn tick(&self, done: u64) {
        if !self.on {
            return;
        }
        let pct = done * 100 / self.total.max(1);
        // Redraw at most once per percent, from whichever thread gets there first.
        if self.shown.fetch_max(pct + 1, std::sync::atomic::Ordering::Relaxed) <= pct {
            let filled = (pct / 2) as usize;
            eprint!("\r[{}{}] {pct:>3}% {done}/{}", "#".repeat(filled), " ".repeat(50 - filled), self.total);
        }
    }

    fn done(&self) {
        if self.on {
            eprint!("\r{}\r", " ".repeat(80));
        }
    }
}

fn print_timeline(s: &kjobsim::Scenario, run: &kjobsim::Run) {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    let color = report::terminal::want_color(stdout.is_terminal(), std::env::var("NO_COLOR").ok().as_deref());
    let width = report::terminal::width_from_env(std::env::var("COLUMNS").ok().as_deref());
    let g = report::chart::gantt::Gantt::timeline(s, run);
    let _ = stdout.lock().write_all(report::terminal::render(&g, width, color).as_bytes());
}

fn print_summary(run: &kjobsim::Run, out: &std::path::Path) {
    let mut o = std::io::stdout().lock();
    let s = &run.summary;
    let _ = writeln!(o, "scenario {} (seed {}): {} events, ended at {:.3}s", s.scenario, s.seed, s.sim.events, s.sim.end_time);
    let _ = writeln!(
        o,
        "{:<24} {:<18} {:<9} {:<22} {:>10} {:>6} {:>9} {:>6} {:>10}",
        "JOB", "MODE", "OUTCOME", "REASON", "DURATION", "PODS", "SUCCEEDED", "FAILED", "MAX ACTIVE"
    );
    for j in &s.jobs {
        let _ = writeln!(
            o,
            "{:<24} {:<18} {:<9} {:<22} {:>10} {:>6} {:>9} {:>6} {:>10}",
            j.name,
            j.mode,
            j.outcome,
            j.reason.as_deref().unwrap_or("-"),
            j.duration.map(|d| format!("{d:.3}s")).unwrap_or_else(|| "-".into()),
            j.pods_created,
            j.succeeded,
            j.failed,
            j.max_active
        );
    }
    let _ = writeln!(o, "wrote {}", out.display());
}
