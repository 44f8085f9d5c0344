//! Benchmarks (`cargo bench`): the event queue alone, a whole run of each bench scenario with the
//! summary trace, and the full trace with CSV output discarded.

use kjobsim::engine::EventQueue;
use kjobsim::scenario::{self, LoadOptions, Scenario};
use kjobsim::{simulate, RunOptions, TraceLevel};

fn main() {
    divan::main();
}

fn load(name: &str) -> Scenario {
    let p = format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    scenario::load(p.as_ref(), &LoadOptions::default()).expect("bench scenario")
}

/// The bare event queue: 1,000 pending events, one pop and one push per step.
#[divan::bench]
fn event_queue_hold_1000(b: divan::Bencher) {
    b.bench_local(|| {
        let mut q = EventQueue::new();
        for i in 0..1000u64 {
            q.push(i * 7 % 1000, i as u32);
        }
        let mut t = 0;
        for i in 0..100_000u64 {
            let (now, e) = q.pop().unwrap();
            t = now;
            q.push(now + (i * 2_654_435_761) % 60_000, e);
        }
        divan::black_box(t)
    });
}

#[divan::bench(sample_count = 5, args = ["bench/million.yaml", "bench/million-100k.yaml"])]
fn scenario_summary_trace(b: divan::Bencher, name: &str) {
    let s = load(name);
    b.bench_local(|| simulate(&s, RunOptions { trace: TraceLevel::Summary, ..Default::default() }).unwrap().summary.sim.events);
}

#[divan::bench(sample_count = 10, args = ["quickstart.yaml", "backoff-limit.yaml", "work-queue.yaml", "indexed.yaml"])]
fn lesson_full_trace(b: divan::Bencher, name: &str) {
    let s = load(name);
    b.bench_local(|| {
        let opts = RunOptions {
            trace: TraceLevel::Full,
            events_out: Some(Box::new(std::io::sink())),
            pods_out: Some(Box::new(std::io::sink())),
            seed: None,
        };
        simulate(&s, opts).unwrap().summary.sim.events
    });
}

/// Monte Carlo: 1,000 replications of the montecarlo bench scenario (the CLI runs 10,000).
#[divan::bench(sample_count = 5)]
fn montecarlo_1000_replications(b: divan::Bencher) {
    let s = load("bench/montecarlo.yaml");
    b.bench_local(|| kjobsim::montecarlo::replicate(&s, 1000, &|_| {}).unwrap().len());
}

/// The controller's reconcile dominates an Indexed Job with per-index backoff (a sync per second
/// of virtual time, each counting, checking indexes and creating pods).
#[divan::bench(sample_count = 5)]
fn controller_reconcile_indexed_100k(b: divan::Bencher) {
    let s = load("bench/indexed-100k.yaml");
    b.bench_local(|| simulate(&s, RunOptions { trace: TraceLevel::Summary, ..Default::default() }).unwrap().summary.sim.events);
}

/// The scheduler's bind dominates 10,000 pods competing for 200 nodes.
#[divan::bench(sample_count = 5)]
fn scheduler_bind_cluster_10k(b: divan::Bencher) {
    let s = load("bench/cluster-10k.yaml");
    b.bench_local(|| simulate(&s, RunOptions { trace: TraceLevel::Summary, ..Default::default() }).unwrap().summary.sim.events);
}
