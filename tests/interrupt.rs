//! Killing a run at a random moment (20 times, SIGINT and SIGTERM) never corrupts or half-writes
//! output: the previous output stays untouched, no staging folder is left, exit code 130/143.

use std::fs;
use std::process::Command;
use std::time::Duration;

#[test]
fn killed_runs_leave_previous_output_untouched() {
    let bin = env!("CARGO_BIN_EXE_kjobsim");
    let scenario = format!("{}/scenarios/bench/million.yaml", env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("summary.json"), "previous").unwrap();
    // A fixed pseudo-random sequence of kill delays (deterministic test, varied moments).
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut interrupted = 0;
    for i in 0..20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // From 150 ms: the signal handlers are installed at start-up, well before that.
        let delay = 150 + x % 900;
        let (sig, code) = if i % 2 == 0 { ("-INT", 130) } else { ("-TERM", 143) };
        let mut child = Command::new(bin).args(["run", &scenario, "--trace", "full", "--out"]).arg(&out).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = Command::new("kill").arg(sig).arg(child.id().to_string()).status();
        let status = child.wait().unwrap();
        let names: Vec<String> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, vec!["out".to_string()], "a staging folder was left behind after kill {i}");
        match status.code() {
            Some(c) if c == code => {
                interrupted += 1;
                assert_eq!(fs::read_to_string(out.join("summary.json")).unwrap(), "previous", "kill {i} touched the previous output");
            }
            Some(0) => {
                // The run finished before the signal: a complete output replaced the old one.
                let s = fs::read_to_string(out.join("summary.json")).unwrap();
                assert!(s.contains("\"wall_seconds\""));
                fs::write(out.join("summary.json"), "previous").unwrap();
                for f in ["events.csv", "pods.csv"] {
                    let _ = fs::remove_file(out.join(f));
                }
            }
            other => panic!("kill {i} ({sig} after {delay} ms): unexpected exit {other:?}"),
        }
    }
    assert!(interrupted >= 10, "only {interrupted} of 20 runs were interrupted");
}
