//! The command line: outputs and their columns, exit codes 0/1/2, errors that name the file, line
//! and field path, no output folder on bad input, and byte-identical outputs for the same seed.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::Path;

fn kjobsim() -> Command {
    Command::cargo_bin("kjobsim").expect("binary")
}

fn lesson(name: &str) -> String {
    format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn first_line(p: &Path) -> String {
    fs::read_to_string(p).unwrap().lines().next().unwrap().to_string()
}

#[test]
fn run_writes_the_contracted_files_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q");
    kjobsim()
        .args(["run", &lesson("quickstart.yaml"), "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("curl-service").and(predicate::str::contains("Complete")));
    assert_eq!(first_line(&out.join("events.csv")), "time,kind,job,pod,index,node,detail");
    assert_eq!(
        first_line(&out.join("pods.csv")),
        "job,pod,index,attempt,node,created,scheduled,started,finished,deleted,phase,exit_code,restarts,reason"
    );
    let summary: serde_json::Value = serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in ["scenario", "seed", "jobs", "sim"] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    let job = &summary["jobs"][0];
    for key in [
        "name",
        "mode",
        "outcome",
        "reason",
        "submitted",
        "start_time",
        "completion_time",
        "duration",
        "pods_created",
        "succeeded",
        "failed",
        "max_active",
        "indexes_succeeded",
        "indexes_failed",
        "conditions",
    ] {
        assert!(job.get(key).is_some(), "job entry lacks {key}");
    }
    for key in ["events", "end_time", "wall_seconds"] {
        assert!(summary["sim"].get(key).is_some(), "sim lacks {key}");
    }
    assert_eq!(job["succeeded"], 10);
    // Nothing but the outputs is left in the parent folder (no staging folder).
    let names: Vec<String> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["q".to_string()]);
}

#[test]
fn same_seed_gives_byte_identical_outputs() {
    let dir = tempfile::tempdir().unwrap();
    for o in ["a", "b"] {
        kjobsim().args(["run", &lesson("quickstart.yaml"), "--out"]).arg(dir.path().join(o)).assert().success();
    }
    for f in ["events.csv", "pods.csv"] {
        assert_eq!(fs::read(dir.path().join("a").join(f)).unwrap(), fs::read(dir.path().join("b").join(f)).unwrap(), "{f} differs");
    }
    let strip = |o: &str| {
        let mut v: serde_json::Value = serde_json::from_slice(&fs::read(dir.path().join(o).join("summary.json")).unwrap()).unwrap();
        v["sim"]["wall_seconds"] = serde_json::Value::Null;
        v
    };
    assert_eq!(strip("a"), strip("b"));
    // A different seed changes the draws.
    kjobsim().args(["run", &lesson("quickstart.yaml"), "--seed", "7", "--out"]).arg(dir.path().join("c")).assert().success();
    assert_ne!(fs::read(dir.path().join("a/pods.csv")).unwrap(), fs::read(dir.path().join("c/pods.csv")).unwrap());
}

#[test]
fn summary_trace_writes_only_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    kjobsim().args(["run", &lesson("backoff-limit.yaml"), "--trace", "summary", "--out"]).arg(&out).assert().success();
    assert!(out.join("summary.json").exists());
    assert!(!out.join("events.csv").exists());
}

#[test]
fn invalid_manifest_is_exit_2_with_file_line_and_field_path_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    fs::write(
        &f,
        "name: bad\njobs:\n  - manifest:\n      apiVersion: batch/v1\n      kind: Job\n      metadata: { name: b }\n      spec:\n        parallelism: -1\n        template:\n          spec:\n            restartPolicy: Always\n            containers: [{ name: c, image: i }]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    kjobsim()
        .args(["run"])
        .arg(&f)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.yaml:8: jobs[0].manifest.spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
        ))
        .stderr(predicate::str::contains(
            "bad.yaml:11: jobs[0].manifest.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
        ));
    assert!(!out.exists(), "no output folder for invalid input");
    kjobsim().arg("validate").arg(&f).assert().code(2).stderr(predicate::str::contains("2 errors"));
}

#[test]
fn parse_errors_name_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("typo.yaml");
    fs::write(&f, "name: t\njobs:\n  - manifest: { apiVersion: batch/v1, kind: Job, metadata: { name: t }, spec: {} }\n    worklaod: { duration: 5s }\n").unwrap();
    kjobsim()
        .arg("validate")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("typo.yaml:4").and(predicate::str::contains("worklaod")));
    let g = dir.path().join("dur.json");
    fs::write(&g, "{\"name\": \"d\", \"until\": \"5 parsecs\", \"jobs\": []}").unwrap();
    kjobsim()
        .arg("validate")
        .arg(&g)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("dur.json:1").and(predicate::str::contains("until")));
}

#[test]
fn missing_file_and_bad_usage_are_exit_2() {
    kjobsim().args(["run", "/nonexistent/x.yaml"]).assert().code(2).stderr(predicate::str::contains("/nonexistent/x.yaml: cannot read"));
    kjobsim().args(["run"]).assert().code(2);
    kjobsim().args(["frobnicate"]).assert().code(2);
    kjobsim().args(["run", &lesson("quickstart.yaml"), "--until", "soon"]).assert().code(2).stderr(predicate::str::contains("--until"));
}

#[test]
fn unwritable_output_is_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, "not a folder").unwrap();
    kjobsim()
        .args(["run", &lesson("non-parallel.yaml"), "--out"])
        .arg(blocker.join("sub"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error"));
}

#[test]
fn validate_accepts_every_lesson() {
    for entry in fs::read_dir(format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"))).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "yaml" || e == "json") {
            kjobsim().arg("validate").arg(&p).assert().success().stdout(predicate::str::contains("valid"));
        }
    }
}

#[test]
fn bare_manifest_runs_with_workload_flags() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("job.yaml");
    fs::write(
        &f,
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: hello\nspec:\n  completions: 3\n  parallelism: 3\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n",
    )
    .unwrap();
    let out = dir.path().join("o");
    kjobsim().arg("run").arg(&f).args(["--duration", "30s", "--startup", "2s", "--out"]).arg(&out).assert().success();
    let s: serde_json::Value = serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["jobs"][0]["completion_time"], 33.0);
    assert_eq!(s["jobs"][0]["max_active"], 3);
}

#[test]
fn limits_refuse_pathological_runs_and_name_the_override() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("huge.yaml");
    fs::write(
        &f,
        "name: huge\njobs:\n  - manifest:\n      apiVersion: batch/v1\n      kind: Job\n      metadata: { name: huge }\n      spec:\n        parallelism: 1000000000\n        template: { spec: { restartPolicy: Never, containers: [{ name: c, image: i }] } }\n",
    )
    .unwrap();
    let out = dir.path().join("o");
    kjobsim().arg("run").arg(&f).arg("--out").arg(&out).assert().code(2).stderr(predicate::str::contains("--max-pods"));
    assert!(!out.exists());
    kjobsim()
        .args(["run", &lesson("bench/million.yaml"), "--max-output", "100MB", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--trace summary").and(predicate::str::contains("--max-output")));
    kjobsim().args(["run", &lesson("quickstart.yaml"), "--until", "400d"]).assert().code(2).stderr(predicate::str::contains("365d"));
    kjobsim()
        .args(["run", &lesson("quickstart.yaml"), "--replications", "100000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--replications must be between 1 and 10000000"));
}

#[test]
fn pods_csv_is_sorted_by_creation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q");
    kjobsim().args(["run", &lesson("quickstart.yaml"), "--out"]).arg(&out).assert().success();
    let text = fs::read_to_string(out.join("pods.csv")).unwrap();
    let names: Vec<String> = text.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().to_string()).collect();
    let want: Vec<String> = (0..names.len()).map(|i| format!("curl-service-{i}")).collect();
    assert_eq!(names, want, "rows follow the creation order");
}
