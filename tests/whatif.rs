//! What-if at scale: replications, sweeps and explain, checked against closed forms where the
//! mathematics gives one, and for determinism across thread counts.

use assert_cmd::Command;
use kjobsim::montecarlo::{aggregate, replicate, ReplicationStats};
use kjobsim::scenario::{load_str, Scenario};
use kjobsim::stats::wilson;
use kjobsim::{simulate, sweep, RunOptions};

fn scenario(spec: &str, workload: &str) -> Scenario {
    let yaml = format!(
        r#"
name: t
seed: 1
jobs:
  - manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {{ name: j }}
      spec:
        {spec}
        template:
          spec:
            restartPolicy: Never
            containers: [{{ name: c, image: busybox }}]
    workload: {workload}
"#
    );
    load_str(&yaml, "t.yaml".as_ref(), &Default::default()).expect("valid scenario")
}

fn stats(s: &Scenario, n: u64) -> ReplicationStats {
    let reps = replicate(s, n, &|_| {}).expect("runs");
    aggregate(s, &reps)
}

/// ⌈completions/parallelism⌉ waves, each lasting startup + run + the 1 s sync that counts the
/// wave's successes and creates the next pods.
#[test]
fn fixed_durations_run_in_waves() {
    for (c, p) in [(5, 1), (5, 2), (6, 3), (7, 3), (10, 4), (3, 8)] {
        let s = scenario(&format!("completions: {c}\n        parallelism: {p}"), "{ startup: 2s, duration: 10s }");
        let run = simulate(&s, RunOptions::default()).unwrap();
        let job = &run.summary.jobs[0];
        let waves = (c as f64 / p as f64).ceil();
        assert_eq!(job.outcome, "Complete");
        assert_eq!(job.duration, Some(waves * (2.0 + 10.0 + 1.0)), "completions {c} parallelism {p}");
        assert_eq!(job.max_active, p.min(c));
    }
}

// The statistical tests compare with 95% intervals, which by design miss the true value for about
// one seed in twenty: seed 7, for one, puts P(Failed) of the next test at 0.1325 ± 0.0067 against
// the exact 0.125 (seeds 1–8 give 0.1211 … 0.1325, mean 0.1257). Seed 1 is the scenario default.

/// A Job of one pod with failure probability p and backoffLimit b fails when b+1 runs fail in a
/// row: probability p^(b+1); the number of counted failures is min(Geometric, b+1), with mean
/// p + p² + … + p^(b+1).
#[test]
fn failure_probability_is_p_to_the_b_plus_one() {
    let (p, b) = (0.5f64, 2);
    let s = scenario(&format!("backoffLimit: {b}"), &format!("{{ duration: 1s, failure: {{ probability: {p} }} }}"));
    let n = 10_000;
    let st = stats(&s, n);
    let j = &st.jobs[0];
    let failed = &j.outcomes["Failed"];
    let expect = p.powi(b + 1);
    assert!(failed.share.ci95.lo <= expect && expect <= failed.share.ci95.hi, "P(Failed) {:?} vs {expect}", failed.share);
    assert_eq!(failed.reasons["BackoffLimitExceeded"].count, failed.share.count);
    let mean_failures: f64 = (1..=b + 1).map(|k| p.powi(k)).sum();
    let ci = j.failures.mean_ci95.unwrap();
    assert!(ci.lo <= mean_failures && mean_failures <= ci.hi, "failures {ci:?} vs {mean_failures}");
    // Wilson sanity: the interval of the expected count contains the estimate too.
    let w = wilson((expect * n as f64).round() as u64, n).unwrap();
    assert!(w.lo <= failed.share.probability && failed.share.probability <= w.hi);
}

/// completions c at parallelism 1: the failures before the c-th success are negative binomial,
/// and the Job fails when they exceed b: P = 1 − Σ_{k≤b} C(k+c−1, k) (1−p)^c p^k.
#[test]
fn fixed_completions_failure_is_a_negative_binomial_tail() {
    let (c, p, b) = (5u64, 0.2f64, 2u64);
    let s =
        scenario(&format!("completions: {c}\n        backoffLimit: {b}"), &format!("{{ duration: 1s, failure: {{ probability: {p} }} }}"));
    let st = stats(&s, 10_000);
    let binom = |n: u64, k: u64| (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
    let survive: f64 = (0..=b).map(|k| binom(k + c - 1, k) * (1.0 - p).powi(c as i32) * p.powi(k as i32)).sum();
    let expect = 1.0 - survive;
    let f = &st.jobs[0].outcomes["Failed"].share;
    assert!(f.ci95.lo <= expect && expect <= f.ci95.hi, "P(Failed) {f:?} vs {expect}");
}

/// One worker draining N items with exponential times: the run lasts the sum of N exponentials
/// (mean N·m), plus start-up and the sync that counts the success.
#[test]
fn work_queue_drain_time_matches_the_gamma_mean() {
    let (items, mean) = (20.0, 5.0);
    let s = scenario(
        "parallelism: 1",
        &format!("{{ startup: 1s, work_queue: {{ items: {items}, per_item: {{ exponential: {{ mean: {mean}s }} }} }} }}"),
    );
    let st = stats(&s, 2_000);
    let d = st.jobs[0].duration.as_ref().unwrap();
    let expect = items * mean + 1.0 + 1.0;
    let ci = d.mean_ci95.unwrap();
    assert!(ci.lo <= expect && expect <= ci.hi, "mean duration {ci:?} vs {expect}");
    // The sd of a sum of N exponentials is m·√N.
    assert!((d.sd - mean * items.sqrt()).abs() < 0.1 * mean * items.sqrt(), "sd {} vs {}", d.sd, mean * items.sqrt());
}

/// Replications are collected in order: the same results on 1 thread as on 2.
#[test]
fn replications_do_not_depend_on_thread_count() {
    let s = scenario(
        "completions: 6\n        parallelism: 3",
        "{ startup: { uniform: [1s, 3s] }, duration: { lognormal: { median: 4s, sigma: 0.5 } }, failure: { probability: 0.2 } }",
    );
    let on = |k: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(k).build().unwrap();
        pool.install(|| replicate(&s, 300, &|_| {}).unwrap())
    };
    let (a, b) = (on(1), on(2));
    assert_eq!(a, b);
    assert_eq!(aggregate(&s, &a), aggregate(&s, &b));
    // Different replications do differ.
    assert!(a.iter().any(|r| r.jobs[0].duration != a[0].jobs[0].duration));
}

/// Every sweep point uses the same seeds: with failures keyed by pod, raising backoffLimit can only
/// turn failed replications into completed ones, never the reverse.
#[test]
fn sweep_uses_common_random_numbers_and_revalidates() {
    let s = scenario("completions: 3", "{ duration: 2s, failure: { probability: 0.4 } }");
    let p = sweep::parse_set("jobs[0].manifest.spec.backoffLimit=0..3", &s).unwrap();
    let points = sweep::points(&s, std::slice::from_ref(&p)).unwrap();
    let reps: Vec<_> = points.iter().map(|(_, sc)| replicate(sc, 200, &|_| {}).unwrap()).collect();
    for w in reps.windows(2) {
        for (lo, hi) in w[0].iter().zip(&w[1]) {
            assert_eq!(lo.seed, hi.seed);
            assert!(!(lo.jobs[0].outcome == "Complete" && hi.jobs[0].outcome == "Failed"));
        }
    }
    let bad = sweep::parse_set("jobs[0].spec.parallelism=-1", &s).unwrap();
    let err = sweep::points(&s, &[bad]).unwrap_err().to_string();
    assert!(err.contains("spec.parallelism") && err.contains("greater than or equal to 0"), "{err}");
    assert!(sweep::parse_set("jobs[3].spec.parallelism=1", &s).is_err());
    assert!(sweep::parse_set("jobs[0].spec.template=1", &s).is_err());
}

fn bin() -> Command {
    Command::cargo_bin("kjobsim").unwrap()
}

#[test]
fn cli_run_with_replications_writes_the_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let a = bin().args(["run", "scenarios/quickstart.yaml", "--replications", "200", "--out"]).arg(&out).assert().success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).to_string();
    assert!(stdout.contains("P(Complete)") && stdout.contains("p95"), "{stdout}");
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["replications"]["replications"], 200);
    assert!(summary["replications"]["jobs"][0]["duration"]["p50"]["value"].is_number());
    let csv = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    assert_eq!(csv.lines().count(), 201);
    let svg = std::fs::read_to_string(out.join("histogram.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<rect") && svg.contains("<text"));
    // Same command, same bytes.
    let out2 = dir.path().join("o2");
    bin().args(["run", "scenarios/quickstart.yaml", "--replications", "200", "--out"]).arg(&out2).assert().success();
    for f in ["replications.csv", "histogram.svg"] {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), std::fs::read(out2.join(f)).unwrap(), "{f}");
    }
}

#[test]
fn cli_sweep_writes_csv_and_chart_and_rejects_invalid_points() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    bin()
        .args([
            "sweep",
            "scenarios/completions-and-parallelism.yaml",
            "--set",
            "jobs[0].spec.parallelism=1..5:2",
            "--replications",
            "10",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4);
    assert!(rows[0].starts_with("jobs[0].spec.parallelism,job,replications,p_complete"));
    // 5 completions of 1 s + 10 s + 1 s sync: 5, 2 and 1 waves.
    let p50: Vec<&str> = rows[1..].iter().map(|r| r.split(',').nth(13).unwrap()).collect();
    assert_eq!(p50, ["60.000", "24.000", "12.000"]);
    assert!(std::fs::read_to_string(out.join("sweep.svg")).unwrap().contains("<polyline"));
    let grid = dir.path().join("g");
    bin()
        .args([
            "sweep",
            "scenarios/quickstart.yaml",
            "--set",
            "jobs[0].spec.parallelism=1,3",
            "--set",
            "jobs[0].workload.failure.probability=0,0.5",
        ])
        .args(["--replications", "5", "--out"])
        .arg(&grid)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(grid.join("sweep.csv")).unwrap().lines().count(), 5);
    bin()
        .args([
            "sweep",
            "scenarios/quickstart.yaml",
            "--set",
            "jobs[0].spec.completions=0..2",
            "--set",
            "jobs[0].spec.backoffLimitPerIndex=1",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("backoffLimitPerIndex"));
}

#[test]
fn cli_explain_names_the_rules() {
    let out = |f: &str| {
        let a = bin().args(["explain", f]).assert().success();
        String::from_utf8_lossy(&a.get_output().stdout).to_string()
    };
    let t = out("scenarios/completions-only.yaml");
    assert!(t.contains("parallelism is not set, so it defaults to 1, and the 5 completions run one after another"), "{t}");
    let t = out("scenarios/backoff-limit.yaml");
    assert!(t.contains("exceed") && t.contains("failure number 7"), "{t}");
    assert!(t.contains("waits 10s"), "{t}");
    let t = out("scenarios/work-queue.yaml");
    assert!(t.contains("must exit by themselves"), "{t}");
    // Every lesson explains without error, and each narrated step says something.
    for e in std::fs::read_dir("scenarios").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let t = out(p.to_str().unwrap());
            assert!(t.contains("Mode: ") && t.contains("What ends it:") && t.contains("step by step") && t.contains("Outcome:"), "{t}");
        }
    }
}

#[test]
fn explain_names_failure_policy_pitfalls() {
    let mut s = scenario(
        "completions: 2\n        podFailurePolicy: { rules: [ { action: FailJob, onExitCodes: { operator: NotIn, values: [0, 1] } } ] }",
        "{ duration: 2s, script: [ { pod: 0, exit_code: 42 } ] }",
    );
    s.name = "pfp".into();
    let t = kjobsim::explain::explain(&s, 50).unwrap();
    assert!(t.contains("NotIn FailJob rule") && t.contains("137"), "{t}");
    assert!(t.contains("podFailurePolicy rule 0 matched (action FailJob)") && t.contains("PodFailurePolicy"), "{t}");
}
