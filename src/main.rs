//! The `kjobsim` command line: parses flags, calls the library, maps errors to exit codes
//! (0 success, 1 the run failed, 2 invalid input or usage).

use clap::{Parser, Subcommand, ValueEnum};
use kjobsim::scenario::{self, LoadOptions};
use kjobsim::{report, InputError, TraceLevel};
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
        Command::Run { file, out, trace, until, max_output, max_pods, workload } => {
            let mut s = scenario::load(&file, &workload.load_options())?;
            if let Some(u) = until {
                s.until = scenario::duration::parse_duration(&u).map_err(|m| InputError::Usage(format!("--until: {m}")))?;
                if s.until > scenario::MAX_UNTIL {
                    return Err(InputError::Usage("--until: the simulated horizon is capped at 365d".into()).into());
                }
            }
            let out = out.unwrap_or_else(|| report::default_out_dir(&s));
            let level = match trace {
                Trace::Summary => TraceLevel::Summary,
                Trace::Full => TraceLevel::Full,
            };
            let limits = kjobsim::limits::Limits {
                max_output_bytes: kjobsim::limits::parse_bytes(&max_output).map_err(|m| InputError::Usage(format!("--max-output: {m}")))?,
                max_live_pods: max_pods,
            };
            kjobsim::limits::check(&s, level, &limits, &out).map_err(InputError::Usage)?;
            let run =
                report::run_to_dir(&s, &out, level, None).map_err(|e| Failure::Run(anyhow::Error::new(e).context("the run failed")))?;
            print_summary(&run, &out);
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
