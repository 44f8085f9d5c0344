//! The Job-rule conformance suite: one table of scripted scenarios per rule family, each case
//! citing the section of `k8s-job-semantics.md` it checks. Expected values are derived from the
//! Kubernetes rules and the controller timing model (§11): a Job's first pods at creation; pod
//! changes seen 1 s later; replacements at max(seen + 1 s, lastFailure + delay); the terminal
//! condition once no pod is terminating.

mod backoff;
mod deadline_suspend;
mod failure_policy;
mod lessons;
mod onfailure;
mod per_index;
mod props;
mod scale;
mod success_policy;
mod termination;
mod ttl;
mod validation;

use kjobsim::model::pod::PodPhase;
use kjobsim::trace::{PodRecord, StatusSample};
use kjobsim::{simulate, Run, RunOptions};

/// Milliseconds from seconds.
pub fn s(secs: u64) -> u64 {
    secs * 1000
}

/// A scripted one-Job scenario, built as YAML the way a user writes it.
#[derive(Clone, Debug)]
pub struct Case {
    spec: Vec<String>,
    restart: &'static str,
    template: Vec<String>,
    containers: &'static str,
    workload: Vec<String>,
    script: Vec<String>,
    events: Vec<String>,
    name: String,
    until: Option<&'static str>,
}

impl Case {
    /// A Job `j` with `restartPolicy: Never`, one container `main`, and the given spec fields
    /// (YAML flow-mapping entries, e.g. `"completions: 3, parallelism: 2"`).
    pub fn new(spec: &str) -> Case {
        Case {
            spec: if spec.is_empty() { vec![] } else { vec![spec.to_string()] },
            restart: "Never",
            template: vec![],
            containers: "[{ name: main, image: busybox }]",
            workload: vec![],
            script: vec![],
            events: vec![],
            name: "j".into(),
            until: None,
        }
    }
    /// The Job's `metadata.name` (default `j`).
    pub fn name(mut self, n: &str) -> Case {
        self.name = n.to_string();
        self
    }
    /// The scenario's horizon, e.g. `"1h"`.
    pub fn until(mut self, u: &'static str) -> Case {
        self.until = Some(u);
        self
    }
    pub fn restart(mut self, p: &'static str) -> Case {
        self.restart = p;
        self
    }
    pub fn template(mut self, t: &str) -> Case {
        self.template.push(t.to_string());
        self
    }
    pub fn containers(mut self, c: &'static str) -> Case {
        self.containers = c;
        self
    }
    /// Workload entries, e.g. `"duration: 5s"`.
    pub fn workload(mut self, w: &str) -> Case {
        self.workload.push(w.to_string());
        self
    }
    /// A script entry, e.g. `"pod: 0, duration: 3s, exit_code: 1"`.
    pub fn script(mut self, e: &str) -> Case {
        self.script.push(format!("{{ {e} }}"));
        self
    }
    /// A scenario event, e.g. `"at: 10s, suspend: j"`.
    pub fn event(mut self, e: &str) -> Case {
        self.events.push(format!("{{ {e} }}"));
        self
    }

    pub fn yaml(&self) -> String {
        let mut spec = self.spec.clone();
        let mut tspec = vec![format!("restartPolicy: {}", self.restart)];
        tspec.extend(self.template.iter().cloned());
        tspec.push(format!("containers: {}", self.containers));
        spec.push(format!("template: {{ spec: {{ {} }} }}", tspec.join(", ")));
        let mut workload = self.workload.clone();
        if !self.script.is_empty() {
            workload.push(format!("script: [{}]", self.script.join(", ")));
        }
        let mut y = String::from("name: case\nseed: 1\n");
        if let Some(u) = self.until {
            y.push_str(&format!("until: {u}\n"));
        }
        y.push_str("jobs:\n  - manifest:\n");
        y.push_str(&format!("      apiVersion: batch/v1\n      kind: Job\n      metadata: {{ name: {} }}\n", self.name));
        y.push_str(&format!("      spec: {{ {} }}\n", spec.join(", ")));
        y.push_str(&format!("    workload: {{ {} }}\n", workload.join(", ")));
        if !self.events.is_empty() {
            y.push_str(&format!("events: [{}]\n", self.events.join(", ")));
        }
        y
    }

    /// Loads (validating) and runs the scenario.
    pub fn run(&self) -> Out {
        let y = self.yaml();
        let sc = kjobsim::scenario::load_str(&y, "case.yaml".as_ref(), &Default::default())
            .unwrap_or_else(|e| panic!("scenario rejected: {e}\n{y}"));
        let out = Out { run: simulate(&sc, RunOptions::default()).expect("run"), yaml: y };
        out.check_invariants(!self.events.iter().any(|e| e.contains("completions")));
        out
    }

    /// The validation errors (their Display lines); empty if the Job is accepted.
    pub fn errors(&self) -> Vec<String> {
        let y = self.yaml();
        match kjobsim::scenario::load_str(&y, "case.yaml".as_ref(), &Default::default()) {
            Ok(_) => vec![],
            Err(kjobsim::InputError::Invalid { errors, .. }) => errors.iter().map(|(_, e)| e.to_string()).collect(),
            Err(e) => panic!("not a validation error: {e}\n{y}"),
        }
    }
}

/// A run and the scenario text (for failure messages).
pub struct Out {
    pub run: Run,
    pub yaml: String,
}

/// A condition as `(type, status, reason, time in ms)`.
pub type Cond = (&'static str, &'static str, &'static str, u64);

impl Out {
    pub fn job(&self) -> &kjobsim::trace::summary::JobSummary {
        &self.run.summary.jobs[0]
    }
    /// Asserts outcome, reason, succeeded, failed and pods created.
    #[track_caller]
    pub fn outcome(&self, outcome: &str, reason: Option<&str>, succeeded: u32, failed: u32, pods: u32) -> &Self {
        let j = self.job();
        let got = (j.outcome.as_str(), j.reason.as_deref(), j.succeeded, j.failed, j.pods_created);
        assert_eq!(got, (outcome, reason, succeeded, failed, pods), "outcome/reason/succeeded/failed/pods_created\n{}", self.dump());
        self
    }
    /// Asserts the conditions: type, status, reason, transition time.
    #[track_caller]
    pub fn conditions(&self, want: &[Cond]) -> &Self {
        let got: Vec<(String, String, String, u64)> = self
            .job()
            .conditions
            .iter()
            .map(|c| (c.type_.clone(), c.status.clone(), c.reason.clone(), (c.time * 1000.0).round() as u64))
            .collect();
        let want: Vec<(String, String, String, u64)> =
            want.iter().map(|(t, st, r, at)| (t.to_string(), st.to_string(), r.to_string(), *at)).collect();
        assert_eq!(got, want, "conditions\n{}", self.dump());
        self
    }
    /// Asserts the message of the condition of a type.
    #[track_caller]
    pub fn message(&self, type_: &str, msg: &str) -> &Self {
        let c = self.job().conditions.iter().find(|c| c.type_ == type_).unwrap_or_else(|| panic!("no {type_}\n{}", self.dump()));
        assert_eq!(c.message, msg);
        self
    }
    /// Pod creation times (ms), in creation order.
    pub fn created(&self) -> Vec<u64> {
        self.run.pods.iter().map(|p| p.created).collect()
    }
    #[track_caller]
    pub fn created_at(&self, want: &[u64]) -> &Self {
        assert_eq!(self.created(), want, "pod creation times\n{}", self.dump());
        self
    }
    pub fn pod(&self, ordinal: u32) -> &PodRecord {
        self.run.pods.iter().find(|p| p.ordinal == ordinal).unwrap_or_else(|| panic!("no pod {ordinal}\n{}", self.dump()))
    }
    /// Asserts a pod's (finished, deleted, phase, reason).
    #[track_caller]
    pub fn pod_end(&self, ordinal: u32, finished: Option<u64>, deleted: Option<u64>, phase: PodPhase, reason: &str) -> &Self {
        let p = self.pod(ordinal);
        assert_eq!(
            (p.finished, p.deleted, p.phase, p.reason.as_str()),
            (finished, deleted, phase, reason),
            "pod {ordinal}\n{}",
            self.dump()
        );
        self
    }
    #[track_caller]
    pub fn indexes(&self, succeeded: Option<&str>, failed: Option<&str>) -> &Self {
        let j = self.job();
        assert_eq!((j.indexes_succeeded.as_deref(), j.indexes_failed.as_deref()), (succeeded, failed), "indexes\n{}", self.dump());
        self
    }
    /// The last status sample at or before `t`.
    pub fn status_at(&self, t: u64) -> StatusSample {
        self.run.samples.iter().rfind(|x| x.time <= t).copied().unwrap_or_default()
    }
    /// Asserts (active, terminating, succeeded, failed) as written at or before `t`.
    #[track_caller]
    pub fn status(&self, t: u64, active: u32, terminating: u32, succeeded: u32, failed: u32) -> &Self {
        let x = self.status_at(t);
        assert_eq!(
            (x.active, x.terminating, x.succeeded, x.failed),
            (active, terminating, succeeded, failed),
            "status at {t}ms\n{}",
            self.dump()
        );
        self
    }
    /// §3.3 the status invariants the API server enforces, checked on every run.
    /// `monotonic`: succeeded never decreases (not so after an elastic scale-down, §10.6).
    #[track_caller]
    pub fn check_invariants(&self, monotonic: bool) {
        let d = || self.dump();
        let mut prev = StatusSample::default();
        for x in &self.run.samples {
            assert!(x.ready <= x.active, "ready > active at {}\n{}", x.time, d());
            assert!(x.failed >= prev.failed, "failed decreased at {}\n{}", x.time, d());
            assert!(!monotonic || x.succeeded >= prev.succeeded, "succeeded decreased at {}\n{}", x.time, d());
            prev = *x;
        }
        let j = self.job();
        let has = |t: &str| j.conditions.iter().any(|c| c.type_ == t && c.status == "True");
        let (complete, failed, scm, ft) = (has("Complete"), has("Failed"), has("SuccessCriteriaMet"), has("FailureTarget"));
        assert!(!failed || ft, "Failed without FailureTarget\n{}", d());
        assert!(!complete || scm, "Complete without SuccessCriteriaMet\n{}", d());
        assert!(!((complete || scm) && (failed || ft)), "conflicting conditions\n{}", d());
        assert_eq!(j.completion_time.is_some(), complete, "completionTime iff Complete\n{}", d());
        if let (Some(c), Some(st)) = (j.completion_time, j.start_time) {
            assert!(c >= st, "completionTime before startTime\n{}", d());
        }
        if complete || failed {
            // One exception (kubernetes#132144, fixed by #132614): a suspended Job with
            // completions 0 completes at once without ever getting a startTime.
            assert!(j.start_time.is_some() || (complete && j.pods_created == 0), "finished without startTime\n{}", d());
            let end = j.conditions.iter().find(|c| c.type_ == "Complete" || c.type_ == "Failed").map(|c| (c.time * 1000.0).round() as u64);
            let last = self.status_at(end.unwrap_or(0));
            assert_eq!((last.active, last.terminating), (0, 0), "finished with active or terminating pods\n{}", d());
        }
        if let (Some(ok), Some(bad)) = (&j.indexes_succeeded, &j.indexes_failed) {
            let set = |s: &str| -> std::collections::BTreeSet<u32> {
                s.split(',')
                    .filter(|x| !x.is_empty())
                    .flat_map(|x| match x.split_once('-') {
                        Some((a, b)) => a.parse::<u32>().unwrap()..=b.parse::<u32>().unwrap(),
                        None => x.parse::<u32>().unwrap()..=x.parse::<u32>().unwrap(),
                    })
                    .collect()
            };
            assert!(set(ok).is_disjoint(&set(bad)), "completed and failed indexes overlap\n{}", d());
        }
    }

    pub fn dump(&self) -> String {
        let mut out = format!("{}\n{:#?}\n", self.yaml, self.job());
        for p in &self.run.pods {
            out.push_str(&format!(
                "  {} created={} started={:?} finished={:?} deleted={:?} {:?} exit={:?} restarts={} {}\n",
                p.name,
                p.created,
                p.started,
                p.finished,
                p.deleted,
                p.phase,
                p.exit_code,
                p.restarts,
                p.reason.as_str()
            ));
        }
        for e in &self.run.job_events {
            out.push_str(&format!("  @{} {:?} {}\n", e.time, e.kind, e.detail));
        }
        out
    }
}
