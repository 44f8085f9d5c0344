//! Invariants over random valid scenarios: a generator of Jobs in every mode with their policies,
//! workloads and events, on unlimited room or on a small cluster with node failures and drains;
//! after every event no node is over-committed, and the status invariants of the API server (§3.3 of the
//! semantics file) and the mode's bounds must hold; every created pod is accounted for; time
//! never goes backwards; a finished Job creates no pod; the same seed gives identical outputs.
//! A failing case shrinks to a small scenario, printed as a scenario file.

use kjobsim::model::controller::ConditionType;
use kjobsim::model::{Event, World};
use kjobsim::scenario::{self, LoadOptions};
use kjobsim::trace::{Recorder, TraceLevel};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::fmt;

#[derive(Clone)]
struct Case {
    mode: u8, // 0 fixed NonIndexed, 1 work queue, 2 Indexed
    completions: u32,
    parallelism: u32,
    backoff_limit: u32,
    on_failure: bool,
    policy: u8, // 0 none, 1 FailJob on 42 + Ignore on 3, 2 Ignore DisruptionTarget + Count
    per_index: Option<(u32, Option<u32>)>,
    success_count: Option<u32>,
    deadline: Option<u32>,
    suspend: bool,
    ttl: Option<u32>,
    replace_failed: bool,
    grace: u32,
    startup: u32,
    dur: (u32, u32),
    fail: f64,
    shutdown: u32,
    events: Vec<(u32, u8, u32)>, // (at, kind, arg): 0 suspend, 1 resume, 2 set parallelism, 3 delete pod
    seed: u64,
    /// A cluster: (nodes, CPU per node), pods requesting 500m or 1 CPU, and node events
    /// (at, kind: 0 node_down, 1 node_up, 2 drain, node number).
    cluster: Option<GenCluster>,
}

/// (nodes, CPU per node, pods request 1 CPU instead of 500m, node events (at, kind, node)).
type GenCluster = (u32, u32, bool, Vec<(u32, u8, u32)>);

impl Case {
    fn yaml(&self) -> String {
        let mut spec = String::new();
        let indexed = self.mode == 2;
        if self.mode != 1 {
            spec += &format!("        completions: {}\n", self.completions);
        }
        spec += &format!("        parallelism: {}\n        backoffLimit: {}\n", self.parallelism, self.backoff_limit);
        if indexed {
            spec += "        completionMode: Indexed\n";
            if let Some((l, m)) = self.per_index {
                spec += &format!("        backoffLimitPerIndex: {l}\n");
                if let Some(m) = m {
                    spec += &format!("        maxFailedIndexes: {}\n", m.min(self.completions));
                }
            }
            if let Some(c) = self.success_count {
                spec += &format!("        successPolicy: {{ rules: [{{ succeededCount: {} }}] }}\n", c.min(self.completions));
            }
        }
        let never = !self.on_failure;
        if never && self.policy > 0 {
            let rules = if self.policy == 1 {
                "[{ action: FailJob, onExitCodes: { operator: In, values: [42] } }, { action: Ignore, onExitCodes: { operator: In, values: [3] } }]"
            } else {
                "[{ action: Ignore, onPodConditions: [{ type: DisruptionTarget }] }, { action: Count, onExitCodes: { operator: NotIn, values: [0] } }]"
            };
            spec += &format!("        podFailurePolicy: {{ rules: {rules} }}\n");
        } else if self.replace_failed {
            spec += "        podReplacementPolicy: Failed\n";
        }
        if let Some(d) = self.deadline {
            spec += &format!("        activeDeadlineSeconds: {d}\n");
        }
        if self.suspend {
            spec += "        suspend: true\n";
        }
        if let Some(t) = self.ttl {
            spec += &format!("        ttlSecondsAfterFinished: {t}\n");
        }
        let rp = if self.on_failure { "OnFailure" } else { "Never" };
        let requests = match &self.cluster {
            Some((_, _, big, _)) => {
                format!(", resources: {{ requests: {{ cpu: {}, memory: 256Mi }} }}", if *big { "\"1\"" } else { "500m" })
            }
            None => String::new(),
        };
        let mut w = format!(
            "      startup: {}s\n      duration: {{ uniform: [{}s, {}s] }}\n      failure: {{ probability: {}, exit_code: {} }}\n      shutdown: {}s\n",
            self.startup,
            self.dur.0,
            self.dur.0 + self.dur.1,
            self.fail,
            [1, 3, 42][(self.seed % 3) as usize],
            self.shutdown
        );
        if self.policy == 2 && never && !(indexed && self.completions == 0) {
            w += "      script:\n        - { pod: 0, exit_code: 1, condition: DisruptionTarget }\n";
            if indexed {
                w = w.replace("{ pod: 0,", "{ index: 0,");
            }
        }
        let mut ev = String::new();
        let mut cluster = String::new();
        if let Some((nodes, cpu, _, node_events)) = &self.cluster {
            cluster = format!("cluster:\n  nodes: [{{ count: {nodes}, cpu: \"{cpu}\", memory: 4Gi }}]\n  eviction_delay: 20s\n");
            for (at, kind, n) in node_events {
                let node = format!("node-{}", 1 + n % nodes);
                let verb = ["node_down", "node_up", "drain"][*kind as usize % 3];
                ev += &format!("  - {{ at: {at}s, {verb}: {node} }}\n");
            }
        }
        for (at, kind, arg) in &self.events {
            let line = match kind {
                0 => format!("  - {{ at: {at}s, suspend: j }}\n"),
                1 => format!("  - {{ at: {at}s, resume: j }}\n"),
                2 => format!("  - {{ at: {at}s, set: {{ job: j, parallelism: {arg} }} }}\n"),
                _ => format!("  - {{ at: {at}s, delete_pod: {{ job: j, pod: {arg} }} }}\n"),
            };
            ev += &line;
        }
        format!(
            "name: gen\nseed: {}\nuntil: 3h\n{cluster}jobs:\n  - manifest:\n      apiVersion: batch/v1\n      kind: Job\n      metadata: {{ name: j }}\n      spec:\n{spec}        template:\n          spec:\n            restartPolicy: {rp}\n            terminationGracePeriodSeconds: {}\n            containers: [{{ name: main, image: busybox{requests} }}]\n    workload:\n{w}{}",
            self.seed,
            self.grace,
            if ev.is_empty() { String::new() } else { format!("events:\n{ev}") }
        )
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n# --- failing scenario ---\n{}", self.yaml())
    }
}

fn case() -> impl Strategy<Value = Case> {
    let a = (0u8..3, 0u32..7, 0u32..5, 0u32..5, prop::bool::weighted(0.25), 0u8..3, prop::option::of((0u32..3, prop::option::of(0u32..3))));
    let b = (
        prop::option::of(0u32..5),
        prop::option::of(5u32..120),
        prop::bool::weighted(0.15),
        prop::option::of(0u32..30),
        any::<bool>(),
        0u32..40,
    );
    let c = (0u32..4, (1u32..20, 0u32..30), prop::sample::select(vec![0.0, 0.1, 0.3, 0.6, 1.0]), 0u32..40);
    let d = (proptest::collection::vec((1u32..200, 0u8..4, 0u32..6), 0..4), any::<u64>());
    let e = prop::option::weighted(0.4, (1u32..4, 1u32..4, any::<bool>(), proptest::collection::vec((1u32..150, 0u8..3, 0u32..3), 0..3)));
    (a, b, c, d, e).prop_map(
        |(
            (mode, completions, parallelism, backoff_limit, on_failure, policy, per_index),
            (sc, deadline, suspend, ttl, rf, grace),
            (startup, dur, fail, shutdown),
            (events, seed),
            cluster,
        )| {
            Case {
                mode,
                completions,
                parallelism,
                backoff_limit,
                on_failure,
                policy,
                per_index: if mode == 2 { per_index } else { None },
                success_count: if mode == 2 { sc } else { None },
                deadline,
                suspend,
                ttl,
                replace_failed: rf,
                grace,
                startup,
                dur,
                fail,
                shutdown,
                events,
                seed,
                cluster,
            }
        },
    )
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let text = c.yaml();
    let s = match scenario::load_str(&text, "gen.yaml".as_ref(), &LoadOptions::default()) {
        Ok(s) => s,
        Err(e) => return Err(TestCaseError::fail(format!("generated scenario rejected: {e}"))),
    };
    let spec = s.jobs[0].spec.clone();
    let rec = Recorder::new(TraceLevel::Full, vec!["j".into()], None, None);
    let mut w = World::new(s.clone(), rec);
    let mut last_time = 0;
    let mut prev_succeeded = 0;
    let mut prev_failed = 0;
    let mut created_at_finish: Option<u32> = None;
    let mut err: Option<String> = None;
    w.run_observed(|w: &World, ev: Event| {
        if err.is_some() {
            return;
        }
        let mut fail = |m: String| err = Some(format!("after {ev:?} at {} ms: {m}", w.now));
        if w.now < last_time {
            return fail("time went backwards".into());
        }
        last_time = w.now;
        if let Some(cl) = &w.scheduler.cluster {
            for n in &cl.nodes {
                if n.cpu > n.spec.cpu || n.memory > n.spec.memory || n.pods.len() as u32 > n.spec.pods {
                    return fail(format!(
                        "node {} over-committed: cpu {}/{} memory {}/{} pods {}/{}",
                        n.spec.name,
                        n.cpu,
                        n.spec.cpu,
                        n.memory,
                        n.spec.memory,
                        n.pods.len(),
                        n.spec.pods
                    ));
                }
            }
        }
        let c = &w.jobs[0];
        let jp = &w.api.jobs[0];
        let st = c.status;
        if st.ready > st.active {
            return fail(format!("ready {} > active {}", st.ready, st.active));
        }
        if st.succeeded < prev_succeeded || st.failed < prev_failed {
            return fail("succeeded or failed decreased".into());
        }
        prev_succeeded = st.succeeded;
        prev_failed = st.failed;
        let has = |t: ConditionType| c.conditions.iter().any(|k| k.type_ == t && k.status);
        if has(ConditionType::Failed) && !has(ConditionType::FailureTarget) {
            return fail("Failed without FailureTarget".into());
        }
        if has(ConditionType::Complete) && !has(ConditionType::SuccessCriteriaMet) {
            return fail("Complete without SuccessCriteriaMet".into());
        }
        if (has(ConditionType::Complete) || has(ConditionType::SuccessCriteriaMet))
            && (has(ConditionType::Failed) || has(ConditionType::FailureTarget))
        {
            return fail("success and failure conditions together".into());
        }
        if c.completion_time.is_some() != has(ConditionType::Complete) {
            return fail("completionTime without Complete (or the reverse)".into());
        }
        if spec.indexed() && st.succeeded > c.spec.completions.unwrap_or(0) {
            return fail(format!("succeeded {} > completions", st.succeeded));
        }
        if let Event::JobSync(_) = ev {
            if !c.is_finished() && c.deleted_at.is_none() {
                // After a sync the controller has deleted any excess (§4.6): active never exceeds
                // what the mode wants, except that a work queue with a success keeps its pods.
                let want = match c.spec.completions {
                    None if st.succeeded > 0 => jp.active,
                    None => c.spec.parallelism,
                    Some(n) => n.saturating_sub(st.succeeded).min(c.spec.parallelism),
                };
                let want = if c.spec.suspend { 0 } else { want };
                if jp.active > want {
                    return fail(format!(
                        "active {} > wanted {} (parallelism {}, succeeded {})",
                        jp.active, want, c.spec.parallelism, st.succeeded
                    ));
                }
                if spec.indexed() && jp.index_active.iter().any(|n| *n > 1) {
                    return fail("two active pods of one index after a sync".into());
                }
            }
        }
        if c.is_finished() {
            if c.deleted_at.is_none() && (jp.active > 0 || jp.terminating > 0) && created_at_finish.is_none() {
                return fail(format!("finished with active {} terminating {}", jp.active, jp.terminating));
            }
            if created_at_finish.is_none() {
                // Checked when the Job finishes. The one exception (kubernetes#132144, fixed by
                // #132614): a suspended Job that never started and needs no pod (completions 0,
                // or a success policy of 0) completes without a startTime.
                if c.start_time.is_none() && !(c.spec.suspend && jp.created == 0) {
                    return fail("finished without startTime".into());
                }
                created_at_finish = Some(jp.created);
            } else if created_at_finish != Some(jp.created) {
                fail("a finished Job created a pod".into());
            }
        }
    });
    if let Some(e) = err {
        return Err(TestCaseError::fail(e));
    }
    // Every created pod appears exactly once in the pod records.
    let created = w.api.jobs[0].created as usize;
    let rows = w.rec.pods.len();
    prop_assert_eq!(rows, created, "pods.csv rows vs pods created");
    let mut ordinals: Vec<u32> = w.rec.pods.iter().map(|p| p.ordinal).collect();
    ordinals.sort_unstable();
    ordinals.dedup();
    prop_assert_eq!(ordinals.len(), created, "a pod row is missing or repeated");
    for p in &w.rec.pods {
        let ok = p.scheduled.is_none_or(|t| t >= p.created)
            && p.started.is_none_or(|t| t >= p.created)
            && p.finished.is_none_or(|t| t >= p.created)
            && p.deleted.is_none_or(|t| t >= p.created);
        prop_assert!(ok, "pod {} has a time before its creation", p.name);
    }
    // Same seed, same outputs.
    let again = kjobsim::simulate(&s, kjobsim::RunOptions::default()).unwrap();
    let first = kjobsim::simulate(&s, kjobsim::RunOptions::default()).unwrap();
    prop_assert_eq!(&again.pods, &first.pods);
    prop_assert_eq!(&again.summary.jobs, &first.summary.jobs);
    Ok(())
}

#[test]
fn invariants_hold_on_random_scenarios() {
    let cases = std::env::var("KJOBSIM_INVARIANT_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, rng_seed: test_seed(), ..Config::default() });
    runner.run(&case(), |c| check_case(&c)).unwrap();
}

/// The generator's seed: fixed, so every CI run tries the same inputs and a failure reproduces;
/// set `KJOBSIM_TEST_SEED` to explore others.
fn test_seed() -> proptest::test_runner::RngSeed {
    proptest::test_runner::RngSeed::Fixed(std::env::var("KJOBSIM_TEST_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(20_261_204))
}
