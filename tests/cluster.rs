//! A cluster to schedule onto: room, queueing by priority, node selectors and taints, node
//! failures and drains, image pulls — exact expectations, and a property: never over-committed.

use kjobsim::engine::{Time, SECOND};
use kjobsim::model::pod::{EndReason, PodPhase};
use kjobsim::trace::PodRecord;
use kjobsim::{scenario, simulate, Run, RunOptions};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::rc::Rc;

#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs a scenario; returns the run and events.csv.
fn sim(yaml: &str) -> (Run, String) {
    let s = scenario::load_str(yaml, "x.yaml".as_ref(), &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let ev = Shared::default();
    let run = simulate(&s, RunOptions { events_out: Some(Box::new(ev.clone())), ..Default::default() }).unwrap();
    let text = String::from_utf8(ev.0.borrow().clone()).unwrap();
    (run, text)
}

fn lesson(name: &str) -> (Run, String) {
    let path = format!("{}/scenarios/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    sim(&std::fs::read_to_string(path).unwrap())
}

/// A Job entry: `name`, completions = parallelism = `n`, pods requesting `cpu`, running `dur`.
fn job(name: &str, n: u32, cpu: &str, dur: &str, submit: &str, extra_spec: &str) -> String {
    format!(
        r#"
  - submit_at: {submit}
    manifest:
      apiVersion: batch/v1
      kind: Job
      metadata: {{ name: {name} }}
      spec:
        completions: {n}
        parallelism: {n}
        template:
          spec:
            restartPolicy: Never
            {extra_spec}
            containers: [{{ name: c, image: img, resources: {{ requests: {{ cpu: "{cpu}", memory: 1Gi }} }} }}]
    workload: {{ duration: {dur} }}"#
    )
}

/// A run on one node of `cpu` cores; `extra` adds top-level scenario keys.
fn one_node(cpu: &str, extra: &str, jobs: &[String]) -> (Run, String) {
    sim(&format!("name: t\n{extra}cluster: {{ nodes: [{{ cpu: {cpu}, memory: 8Gi }}] }}\njobs:{}", jobs.concat()))
}

fn pod<'a>(run: &'a Run, name: &str) -> &'a PodRecord {
    run.pods.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no pod {name}"))
}

fn s(t: u64) -> Option<Time> {
    Some(t * SECOND)
}

fn event_lines<'a>(events: &'a str, kind: &str) -> Vec<&'a str> {
    events.lines().filter(|l| l.split(',').nth(1) == Some(kind)).collect()
}

#[test]
fn a_pod_that_does_not_fit_waits_and_starts_the_moment_room_frees() {
    let (run, events) = one_node("2", "", &[job("big", 1, "1500m", "30s", "0s", ""), job("small", 1, "1", "10s", "5s", "")]);
    let small = pod(&run, "small-0");
    assert_eq!(small.created, 5 * SECOND);
    assert_eq!(small.scheduled, s(30), "bound when big-0 finishes");
    assert_eq!(small.started, s(30));
    assert_eq!(small.node.as_deref(), Some("node-1"));
    assert_eq!(pod(&run, "big-0").finished, s(30));
    let unsched = event_lines(&events, "Unschedulable");
    assert_eq!(unsched.len(), 1, "{unsched:?}");
    assert_eq!(unsched[0], "5.000,Unschedulable,small,small-0,,,no node fits: requests cpu=1000m memory=1Gi (1 of 1 nodes schedulable)");
    let small_job = &run.summary.jobs[1];
    assert_eq!((small_job.queueing_mean, small_job.queueing_max), (Some(25.0), Some(25.0)));
    let nodes = run.summary.nodes.as_ref().expect("node summary with a cluster");
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].pods_bound, 2);
}

#[test]
fn the_contention_lesson_says_what_happens() {
    let (run, _) = lesson("cluster-contention");
    for name in ["report-0", "report-1"] {
        assert_eq!((pod(&run, name).created, pod(&run, name).scheduled), (10 * SECOND, s(30)), "{name}");
    }
    for name in ["etl-4", "etl-5"] {
        assert_eq!(pod(&run, name).scheduled, s(31), "{name}");
    }
    let [etl, report] = &run.summary.jobs[..] else { panic!("two Jobs") };
    assert_eq!((etl.completion_time, report.completion_time), (Some(62.0), Some(51.0)));
    assert_eq!((report.queueing_mean, report.queueing_max), (Some(20.0), Some(20.0)));
}

#[test]
fn scheduling_latency_delays_the_first_attempt() {
    let yaml = "name: lat\ncluster: { scheduling_latency: 1500ms, nodes: [{ cpu: 4, memory: 8Gi }] }\njobs:".to_string()
        + &job("l", 2, "1", "10s", "0s", "");
    let (run, _) = sim(&yaml);
    assert!(run.pods.iter().all(|p| p.scheduled == Some(1_500) && p.started == Some(1_500)));
    assert_eq!(run.summary.jobs[0].queueing_max, Some(1.5));
}

#[test]
fn no_cluster_keeps_summaries_free_of_cluster_fields() {
    let (run, _) = sim(&format!("name: plain\njobs:{}", job("a", 2, "1", "5s", "0s", "")));
    assert!(run.summary.nodes.is_none());
    assert!(run.summary.jobs[0].queueing_mean.is_none());
    assert!(run.pods.iter().all(|p| p.node.is_none() && p.scheduled == Some(p.created)));
    let json = String::from_utf8(kjobsim::report::summary_json(&run)).unwrap();
    assert!(!json.contains("queueing") && !json.contains("\"nodes\""));
}

#[test]
fn higher_priority_goes_first_whatever_the_creation_order() {
    let (run, _) = one_node(
        "1",
        "priority_classes: { low: 10, high: 1000 }\n",
        &[
            job("blocker", 1, "1", "10s", "0s", ""),
            job("low", 1, "1", "10s", "1s", "priorityClassName: low"),
            job("high", 1, "1", "10s", "2s", "priorityClassName: high"),
            job("mid", 1, "1", "10s", "3s", "priority: 500"),
        ],
    );
    assert_eq!(pod(&run, "high-0").scheduled, s(10));
    assert_eq!(pod(&run, "mid-0").scheduled, s(20));
    assert_eq!(pod(&run, "low-0").scheduled, s(30));
}

#[test]
fn equal_priority_goes_by_creation_time_and_a_blocked_pod_does_not_block_smaller_ones() {
    let (run, _) =
        one_node("1", "", &[job("blocker", 1, "1", "10s", "0s", ""), job("b", 1, "1", "10s", "2s", ""), job("a", 1, "1", "10s", "1s", "")]);
    assert_eq!(pod(&run, "a-0").scheduled, s(10));
    assert_eq!(pod(&run, "b-0").scheduled, s(20));
    // No reservation (as kube-scheduler without preemption): when one of the two first-* pods
    // exits at 10s, 1 CPU is free; huge (older, 2 CPU) does not fit, tiny (1 CPU) does.
    let (run, _) = one_node(
        "2",
        "",
        &[job("first", 2, "1", "10s", "0s", ""), job("huge", 1, "2", "10s", "1s", ""), job("tiny", 1, "1", "10s", "2s", "")],
    );
    assert_eq!(pod(&run, "tiny-0").scheduled, s(10));
    assert_eq!(pod(&run, "huge-0").scheduled, s(20));
    // A pod that can never fit does not hold back a smaller one behind it.
    let (run, _) = one_node("2", "until: 1m\n", &[job("never", 1, "3", "10s", "0s", ""), job("fits", 1, "1", "10s", "1s", "")]);
    assert_eq!(pod(&run, "fits-0").scheduled, s(1));
    assert_eq!(pod(&run, "never-0").scheduled, None);
    assert_eq!(run.summary.jobs[0].outcome, "Running");
}

#[test]
fn node_selector_and_taints_are_honoured() {
    let yaml = format!(
        r#"name: select
cluster:
  nodes:
    - {{ count: 2, cpu: 4, memory: 16Gi, labels: {{ pool: general }} }}
    - {{ name_prefix: gpu, cpu: 8, memory: 64Gi, labels: {{ accel: gpu }}, taints: [{{ key: nvidia.com/gpu, value: "true", effect: NoSchedule }}] }}
until: 10m
jobs:{}{}{}"#,
        job("plain", 6, "500m", "10s", "0s", ""),
        job(
            "cuda",
            3,
            "1",
            "10s",
            "0s",
            "nodeSelector: { accel: gpu }\n            tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }]"
        ),
        job("untolerated", 1, "1", "10s", "0s", "nodeSelector: { accel: gpu }"),
    );
    let (run, _) = sim(&yaml);
    let on = |job: u32| -> Vec<String> { run.pods.iter().filter(|p| p.job == job).map(|p| p.node.clone().unwrap_or_default()).collect() };
    // The emptiest general node first, ties to the lower name: alternating.
    assert_eq!(on(0), ["node-1", "node-2", "node-1", "node-2", "node-1", "node-2"]);
    assert_eq!(on(1), ["gpu-1", "gpu-1", "gpu-1"]);
    assert_eq!(on(2), [""], "selects the tainted node without tolerating it: never scheduled");
    assert_eq!(run.summary.jobs[2].outcome, "Running");
}

#[test]
fn most_allocated_packs_pods() {
    let yaml = format!(
        "name: pack\ncluster: {{ scoring: most-allocated, nodes: [{{ count: 3, cpu: 4, memory: 16Gi }}] }}\njobs:{}",
        job("p", 6, "1", "10s", "0s", "")
    );
    let (run, _) = sim(&yaml);
    let nodes: Vec<_> = run.pods.iter().map(|p| p.node.clone().unwrap()).collect();
    assert_eq!(nodes, ["node-1", "node-1", "node-1", "node-1", "node-2", "node-2"]);
}

#[test]
fn a_node_failure_fails_exactly_its_pods_with_disruption_target() {
    for (lesson_name, outcome, failed) in [("node-failure", "Failed", 4), ("node-failure-ignore", "Complete", 0)] {
        let (run, events) = lesson(lesson_name);
        for p in &run.pods {
            let lost = p.node.as_deref() == Some("node-2") && p.created == 0;
            assert_eq!(p.reason == EndReason::NodeLost, lost, "{lesson_name}: {p:?}");
            if lost {
                assert_eq!((p.phase, p.finished), (PodPhase::Failed, s(50)));
            }
        }
        let evicted = event_lines(&events, "Evicted");
        assert_eq!(evicted.len(), 2);
        assert!(evicted.iter().all(|l| l.starts_with("50.000,Evicted,train,") && l.contains("node-2") && l.contains("DisruptionTarget")));
        let j = &run.summary.jobs[0];
        assert_eq!((j.outcome.as_str(), j.failed), (outcome, failed), "{lesson_name}");
    }
    let (run, _) = lesson("node-failure");
    assert_eq!(run.summary.jobs[0].reason.as_deref(), Some("BackoffLimitExceeded"));
    let (run, _) = lesson("node-failure-ignore");
    assert_eq!(pod(&run, "train-4").node.as_deref(), Some("node-1"));
    assert_eq!(pod(&run, "train-4").scheduled, s(61));
}

#[test]
fn node_up_before_the_eviction_delay_evicts_at_once_and_takes_pods_again() {
    let yaml = format!(
        "name: up\ncluster: {{ eviction_delay: 5m, nodes: [{{ cpu: 1, memory: 8Gi }}] }}\nevents:\n  - {{ at: 5s, node_down: node-1 }}\n  - {{ at: 20s, node_up: node-1 }}\njobs:{}",
        job("j", 1, "1", "30s", "0s", "")
    );
    let (run, events) = sim(&yaml);
    let first = pod(&run, "j-0");
    assert_eq!((first.reason, first.finished), (EndReason::NodeLost, s(20)));
    // The replacement waits the 10s pod-failure backoff after the failure at 20s.
    let second = pod(&run, "j-1");
    assert_eq!(second.scheduled, s(30));
    assert_eq!(second.phase, PodPhase::Succeeded);
    assert_eq!(event_lines(&events, "NodeReady").len(), 1);
}

#[test]
fn drain_evicts_gracefully_and_cordons() {
    let yaml = format!(
        r#"name: drain
cluster: {{ nodes: [{{ count: 2, cpu: 2, memory: 8Gi }}] }}
events: [{{ at: 10s, drain: node-1 }}]
jobs:{}"#,
        job("d", 2, "1", "60s", "0s", "terminationGracePeriodSeconds: 30")
    );
    let yaml = yaml.replace("workload: { duration: 60s }", "workload: { duration: 60s, shutdown: 5s }");
    let (run, _) = sim(&yaml);
    let evicted = pod(&run, "d-0");
    assert_eq!(evicted.node.as_deref(), Some("node-1"));
    assert_eq!((evicted.reason, evicted.deleted, evicted.finished, evicted.exit_code), (EndReason::Evicted, s(10), s(15), Some(143)));
    // Its replacement cannot go back to the cordoned node.
    let repl = pod(&run, "d-2");
    assert_eq!(repl.node.as_deref(), Some("node-2"));
    assert!(run.pods.iter().filter(|p| p.created > 0).all(|p| p.node.as_deref() == Some("node-2")));
    assert_eq!(run.summary.jobs[0].failed, 1, "a drained pod counts as a failure without a policy");
    // With a rule that ignores DisruptionTarget the eviction is not counted.
    let ignore = "parallelism: 2\n        podFailurePolicy: { rules: [{ action: Ignore, onPodConditions: [{ type: DisruptionTarget }] }] }";
    let (run, _) = sim(&yaml.replace("parallelism: 2", ignore));
    assert_eq!((run.summary.jobs[0].outcome.as_str(), run.summary.jobs[0].failed), ("Complete", 0));
    assert_eq!(pod(&run, "d-0").reason, EndReason::Evicted);
}

#[test]
fn added_nodes_take_waiting_pods_after_their_delay() {
    let yaml = format!(
        "name: scale\ncluster: {{ nodes: [{{ cpu: 1, memory: 8Gi }}] }}\nevents: [{{ at: 5s, add_nodes: {{ count: 2, cpu: 1, memory: 8Gi, name_prefix: extra, after: 30s }} }}]\njobs:{}",
        job("w", 3, "1", "100s", "0s", "")
    );
    let (run, _) = sim(&yaml);
    assert_eq!(pod(&run, "w-0").scheduled, s(0));
    assert_eq!((pod(&run, "w-1").scheduled, pod(&run, "w-1").node.as_deref()), (s(35), Some("extra-1")));
    assert_eq!((pod(&run, "w-2").scheduled, pod(&run, "w-2").node.as_deref()), (s(35), Some("extra-2")));
    let nodes = run.summary.nodes.as_ref().unwrap();
    assert_eq!(nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), ["node-1", "extra-1", "extra-2"]);
    assert_eq!(nodes[1].joined, 35.0);
}

#[test]
fn the_image_cache_makes_the_second_pull_free() {
    let (run, events) = lesson("image-pull-cache");
    for (name, node, bound, started) in
        [("infer-0", "node-1", 0, 22), ("infer-1", "node-2", 0, 22), ("infer-2", "node-1", 33, 35), ("infer-3", "node-2", 33, 35)]
    {
        let p = pod(&run, name);
        assert_eq!((p.node.as_deref(), p.scheduled, p.started), (Some(node), s(bound), s(started)), "{name}");
    }
    let pulls = event_lines(&events, "ImagePull");
    assert_eq!(pulls.iter().filter(|l| l.contains("pulling from")).count(), 2);
    assert_eq!(pulls.iter().filter(|l| l.contains("already present")).count(), 2);
    // Two pods bound together to one node: one pull, the second waits for it.
    let yaml = "name: together\ncluster: { image_pull: { default: 12s }, nodes: [{ cpu: 4, memory: 8Gi }] }\njobs:".to_string()
        + &job("t", 2, "1", "10s", "0s", "");
    let (run, _) = sim(&yaml);
    assert_eq!((pod(&run, "t-0").started, pod(&run, "t-1").started), (s(12), s(12)));
}

#[test]
fn cluster_input_errors_name_the_field() {
    let bad = |yaml: &str, needle: &str| {
        let e = scenario::load_str(yaml, "x.yaml".as_ref(), &Default::default()).expect_err("rejected").to_string();
        assert!(e.contains(needle), "{e}");
    };
    let j = job("a", 1, "1", "1s", "0s", "");
    bad(&format!("cluster: {{ nodes: [{{ cpu: 2x, memory: 1Gi }}] }}\njobs:{j}"), "cluster.nodes[0].cpu");
    bad(&format!("cluster: {{ nodes: [{{ cpu: 2, memory: 1Gi }}] }}\nevents: [{{ at: 1s, node_down: node-9 }}]\njobs:{j}"), "node-9");
    bad(&format!("events: [{{ at: 1s, node_down: node-1 }}]\njobs:{j}"), "cluster");
    bad(
        &format!("cluster: {{ nodes: [{{ cpu: 2, memory: 1Gi }}] }}\njobs:{}", job("a", 1, "1", "1s", "0s", "priorityClassName: gold")),
        "gold",
    );
    bad(&format!("cluster: {{ nodes: [{{ cpu: 2, memory: 1Gi }}] }}\njobs:{}", job("a", 1, "one", "1s", "0s", "")), "requests.cpu");
    bad(
        &format!("cluster: {{ nodes: [{{ count: 4000, cpu: 2, memory: 1Gi }}, {{ count: 1001, cpu: 2, memory: 1Gi }}] }}\njobs:{j}"),
        "at most 5000 nodes",
    );
}

/// Node name -> (allocatable CPU millis, memory bytes, pods).
type Capacity = BTreeMap<String, (u64, u64, u64)>;

/// Random small scenario (every pod requests 1Gi): node groups (cpu cores, pods), Jobs (cpu millis, count, duration s,
/// submit s, failure probability, priority), node events, scoring, scheduling latency, pulls.
fn random_scenario() -> impl Strategy<Value = (String, Capacity, Vec<u64>)> {
    let groups = prop::collection::vec((1u32..3, 1u64..5, 1u64..6), 1..3);
    let jobs = prop::collection::vec((100u64..2500, 1u32..6, 1u64..40, 0u64..20, 0u32..3), 1..4);
    let events = prop::collection::vec((0u64..80, 0u8..4, 1u32..3), 0..3);
    let knobs = (any::<bool>(), prop::collection::vec(0i64..3, 4), 0u64..3);
    (groups, jobs, events, knobs).prop_map(|(groups, jobs, events, (pack, prios, latency))| {
        let scoring = if pack { "most-allocated" } else { "least-allocated" };
        let mut yaml = format!(
            "name: prop\nseed: 3\nuntil: 30m\ncluster:\n  scoring: {scoring}\n  scheduling_latency: {{ uniform: [0s, {latency}s] }}\n  eviction_delay: 20s\n  image_pull: {{ default: {{ uniform: [0s, 5s] }} }}\n  nodes:\n"
        );
        let mut cap = BTreeMap::new();
        for (g, (count, cores, pods)) in groups.iter().enumerate() {
            yaml += &format!("    - {{ name_prefix: g{g}, count: {count}, cpu: {cores}, memory: 64Gi, pods: {pods} }}\n");
            for n in 1..=*count {
                cap.insert(format!("g{g}-{n}"), (cores * 1000, 64 << 30, *pods));
            }
        }
        yaml += if events.is_empty() { "events: []\n" } else { "events:\n" };
        for (at, kind, n) in &events {
            let node = format!("g0-{}", n.min(&groups[0].0));
            yaml += &match kind {
                0 => format!("  - {{ at: {at}s, node_down: {node} }}\n"),
                1 => format!("  - {{ at: {at}s, node_up: {node} }}\n"),
                2 => format!("  - {{ at: {at}s, drain: {node} }}\n"),
                _ => format!("  - {{ at: {at}s, add_nodes: {{ name_prefix: late, cpu: 2, memory: 8Gi, after: 10s }} }}\n"),
            };
        }
        let mut late = 0;
        for (_, kind, _) in &events {
            if *kind == 3 {
                late += 1;
                cap.insert(format!("late-{late}"), (2000, 8 << 30, 110));
            }
        }
        yaml += "jobs:\n";
        let mut reqs = Vec::new();
        for (i, (milli, n, dur, submit, fail)) in jobs.iter().enumerate() {
            reqs.push(*milli);
            let prio = format!("priority: {}", prios[i]);
            yaml += &job(&format!("j{i}"), *n, &format!("{milli}m"), &format!("{dur}s"), &format!("{submit}s"), &prio)
                .replace(&format!("duration: {dur}s }}"), &format!("duration: {dur}s, failure: {{ probability: 0.{fail} }} }}"));
            yaml += "\n";
        }
        (yaml, cap, reqs)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_204), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn resources_are_never_over_committed((yaml, cap, reqs) in random_scenario()) {
        let s = scenario::load_str(&yaml, "x.yaml".as_ref(), &Default::default()).unwrap();
        let run = simulate(&s, RunOptions::default()).unwrap();
        // Each bound pod holds its request on its node over [scheduled, finished).
        let mut by_node: BTreeMap<&str, Vec<(Time, Time, u64)>> = BTreeMap::new();
        for p in &run.pods {
            match (&p.node, p.scheduled) {
                (Some(n), Some(t)) => {
                    prop_assert!(p.started.is_none_or(|st| st >= t));
                    by_node.entry(n).or_default().push((t, p.finished.unwrap_or(Time::MAX), reqs[p.job as usize]));
                }
                _ => prop_assert!(p.started.is_none(), "an unbound pod never runs"),
            }
        }
        for (node, spans) in &by_node {
            let (cpu, memory, pods) = cap[*node];
            for &(t, _, _) in spans {
                let live: Vec<_> = spans.iter().filter(|(a, b, _)| *a <= t && t < *b).collect();
                let used: u64 = live.iter().map(|x| x.2).sum();
                prop_assert!(used <= cpu, "{node} at {t}: {used}m of {cpu}m\n{yaml}");
                prop_assert!(live.len() as u64 * (1 << 30) <= memory, "{node} at {t}: memory over-committed");
                prop_assert!(live.len() as u64 <= pods, "{node} at {t}: {} pods of {pods}", live.len());
            }
        }
    }
}
