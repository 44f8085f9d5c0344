//! Golden summaries of every lesson: a regression guard for optimisations and refactors. The
//! rule tests say what is right; these say that nothing changed. After an intended change of
//! behaviour, regenerate with `KJOBSIM_BLESS=1 cargo test --release --test golden` and review the diff.

use kjobsim::scenario::{self, LoadOptions};
use kjobsim::{simulate, RunOptions, TraceLevel};
use std::path::Path;

#[test]
fn lesson_summaries_are_unchanged() {
    let root = env!("CARGO_MANIFEST_DIR");
    let bless = std::env::var("KJOBSIM_BLESS").is_ok();
    let mut names: Vec<_> = std::fs::read_dir(format!("{root}/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    let mut changed = Vec::new();
    for p in names {
        let s = scenario::load(&p, &LoadOptions::default()).unwrap();
        let run = simulate(&s, RunOptions { trace: TraceLevel::Summary, ..Default::default() }).unwrap();
        let mut v = serde_json::to_value(&run.summary).unwrap();
        v["sim"]["wall_seconds"] = serde_json::Value::Null;
        let text = serde_json::to_string_pretty(&v).unwrap() + "\n";
        let gold = Path::new(root).join("tests/golden").join(format!("{}.json", p.file_stem().unwrap().to_string_lossy()));
        if bless {
            std::fs::write(&gold, &text).unwrap();
        } else if std::fs::read_to_string(&gold).ok().as_deref() != Some(text.as_str()) {
            changed.push(gold.display().to_string());
        }
    }
    assert!(changed.is_empty(), "summaries differ from the golden files (KJOBSIM_BLESS=1 to accept): {changed:?}");
}
