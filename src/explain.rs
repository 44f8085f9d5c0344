//! `explain`: each Job in plain words — its mode and why, what ends it, the pitfalls that apply —
//! then the run narrated step by step, each step naming the rule that caused it.

use crate::engine::{as_secs_f64, Time};
use crate::error::RunError;
use crate::scenario::duration::human;
use crate::scenario::spec::{FailureAction, JobMode, ReplacementPolicy, RestartPolicy};
use crate::scenario::workload::RunLength;
use crate::scenario::{JobConfig, Scenario};
use crate::{simulate, RunOptions, TraceLevel};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Exit code of a container killed by SIGKILL, as after an out-of-memory kill.
const OOM_EXIT: i32 = 137;

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Why the Job has its mode: which fields were set and which defaults filled in.
fn mode_text(j: &JobConfig) -> String {
    let s = &j.spec;
    let m = &j.manifest.spec;
    let p = s.parallelism;
    let mut o = String::new();
    let par_words = if s.parallelism_set { format!("parallelism is {p}") } else { "parallelism is not set, so it defaults to 1".into() };
    match s.mode() {
        JobMode::Indexed => {
            let c = s.completions.unwrap_or(0);
            let _ = write!(
                o,
                "Mode: indexed. completionMode is Indexed with completions {c}: each index 0..{} must succeed once, and each pod \
                 gets its index in JOB_COMPLETION_INDEX. {par_words}: the controller keeps up to {} pods active, always creating \
                 the lowest missing indexes first; a failed index is retried under the same index.",
                c.saturating_sub(1),
                p.min(c)
            );
        }
        JobMode::WorkQueue => {
            let _ = write!(
                o,
                "Mode: work queue. parallelism is {p} and completions is not set, so completions stays unset (it does not default \
                 to parallelism): {p} pods start together and share the work. The Job succeeds once at least one pod has \
                 succeeded and every pod has ended; after the first success no new pod is created."
            );
        }
        JobMode::NonParallel => {
            let why = match (s.completions_set, s.parallelism_set) {
                (false, false) => "Neither completions nor parallelism is set, so both default to 1",
                (true, false) => "completions is 1 and parallelism is not set, so it defaults to 1",
                _ => "completions and parallelism are both 1",
            };
            let _ = write!(o, "Mode: non-parallel. {why}: one pod runs, and the Job is Complete when it succeeds.");
        }
        JobMode::FixedCompletions => {
            let c = s.completions.unwrap_or(0) as u64;
            if !s.parallelism_set {
                let _ = write!(
                    o,
                    "Mode: fixed completion count. completions is {c} and parallelism is not set, so it defaults to 1, and the {c} \
                     completions run one after another (each new pod is created by the sync that counts the previous success)."
                );
            } else if p == 0 {
                let _ = write!(
                    o,
                    "Mode: fixed completion count. completions is {c} but parallelism is 0: no pod is created. The Job is not \
                     suspended, though: startTime is set and any deadline runs."
                );
            } else {
                let waves = c.div_ceil(p as u64);
                let _ = write!(
                    o,
                    "Mode: fixed completion count. completions is {c} and parallelism is {p}: up to {} pods run at once, never more \
                     than the completions still missing, so with equal run times the work takes {} of pods.",
                    (p as u64).min(c),
                    plural(waves, "wave", "waves")
                );
                if p as u64 > c {
                    let _ = write!(o, " parallelism {p} exceeds completions {c}: only {c} pods are ever active.");
                }
            }
        }
    }
    if m.completion_mode.is_none() && !s.indexed() {
        o.push_str(" completionMode is not set, so it defaults to NonIndexed: the pods are interchangeable.");
    }
    o
}

fn rule_text(k: usize, r: &crate::scenario::spec::FailureRule) -> String {
    let cond = if let Some(e) = &r.on_exit_codes {
        let c = e.container.as_deref().map(|c| format!("container {c}")).unwrap_or_else(|| "a container".into());
        let vals: Vec<String> = e.values.iter().map(|v| v.to_string()).collect();
        if e.op_in {
            format!("{c} exits with a code in [{}]", vals.join(", "))
        } else {
            format!("{c} exits with a non-zero code not in [{}]", vals.join(", "))
        }
    } else {
        let pats: Vec<String> = r.on_pod_conditions.iter().map(|p| format!("{}={}", p.type_, p.status)).collect();
        format!("the pod has condition {}", pats.join(" or "))
    };
    let act = match r.action {
        FailureAction::FailJob => "FailJob: the whole Job fails at once (reason PodFailurePolicy), and its running pods are deleted",
        FailureAction::FailIndex => "FailIndex: the pod's index fails without further retries",
        FailureAction::Ignore => "Ignore: the failure is not counted toward backoffLimit and the pod is replaced",
        FailureAction::Count => "Count: the failure counts toward backoffLimit as usual",
    };
    format!("rule {k}: if {cond} → {act}")
}

/// What ends the Job: success rule, backoffLimit, deadline, policies.
fn ends_text(j: &JobConfig, sc: &Scenario) -> Vec<String> {
    let s = &j.spec;
    let mut v = Vec::new();
    match s.mode() {
        JobMode::WorkQueue => {
            v.push("Success: Complete (reason CompletionsReached) once a pod has succeeded and no pod is still active.".into())
        }
        JobMode::Indexed => v.push(format!(
            "Success: Complete (reason CompletionsReached) once each of the {} indexes has a succeeded pod.",
            s.completions.unwrap_or(0)
        )),
        _ => v.push(format!(
            "Success: Complete (reason CompletionsReached) once {} succeeded. SuccessCriteriaMet comes first; Complete \
             follows when no pod is still terminating.",
            match s.completions.unwrap_or(1) {
                1 => "its pod has".to_string(),
                c => format!("{c} pods have"),
            }
        )),
    }
    if let Some(rules) = &s.success_policy {
        for (k, r) in rules.iter().enumerate() {
            let what = match (&r.indexes, r.count) {
                (Some(ix), Some(n)) => format!("at least {n} of the indexes {} have succeeded", fmt_set(ix)),
                (Some(ix), None) => format!("all of the indexes {} have succeeded", fmt_set(ix)),
                (None, Some(n)) => format!("any {n} indexes have succeeded"),
                (None, None) => "always".into(),
            };
            v.push(format!(
                "successPolicy rule {k}: the Job succeeds early (reason SuccessPolicy) when {what}; the other pods are then deleted."
            ));
        }
    }
    let b = s.backoff_limit;
    let set = if s.backoff_limit_set {
        format!("backoffLimit is {b}")
    } else if s.backoff_limit_per_index.is_some() {
        "backoffLimit is not set; with backoffLimitPerIndex it defaults to 2147483647 (no global limit)".into()
    } else {
        "backoffLimit is not set, so it defaults to 6".into()
    };
    match s.restart_policy {
        _ if !s.backoff_limit_set && s.backoff_limit_per_index.is_some() => {
            v.push(format!("Failure: {set}: failures are limited per index (below)."))
        }
        RestartPolicy::Never => v.push(format!(
            "Failure: {set}. The Job fails (reason BackoffLimitExceeded) when the counted failed pods exceed it — at failure \
             number {}, not when the count reaches {b}.",
            b as u64 + 1
        )),
        RestartPolicy::OnFailure => v.push(format!(
            "Failure: {set}. restartPolicy is OnFailure, so failed containers restart inside the same pod and the limit counts \
             those restarts: the Job fails (BackoffLimitExceeded) when the restarts of its running pods reach {b}{}.",
            if b == 0 { " (with 0, at the first restart)" } else { "" }
        )),
    }
    if let Some(k) = s.backoff_limit_per_index {
        v.push(format!(
            "backoffLimitPerIndex is {k}: an index fails on its failure number {}; the Job then ends Failed (reason FailedIndexes) \
             once every other index has finished.",
            k as u64 + 1
        ));
    }
    if let Some(m) = s.max_failed_indexes {
        v.push(format!("maxFailedIndexes is {m}: the Job fails early (MaxFailedIndexesExceeded) once more than {m} indexes have failed."));
    }
    if let Some(ads) = s.active_deadline {
        v.push(format!(
            "Deadline: activeDeadlineSeconds is {}: {} after status.startTime (the first sync, or the last resume — not the \
             creation or the first pod's start) the Job fails with reason DeadlineExceeded and its running pods are deleted.",
            ads / 1000,
            human(ads)
        ));
    }
    if let Some(rules) = &s.pod_failure_policy {
        v.push(format!(
            "podFailurePolicy: {} checked in order on each failed pod; the first match decides:",
            plural(rules.len() as u64, "rule", "rules")
        ));
        for (k, r) in rules.iter().enumerate() {
            v.push(format!("  {}", rule_text(k, r)));
        }
        v.push("  A failure no rule matches is counted as usual.".into());
    }
    if let Some(ttl) = s.ttl_after_finished {
        v.push(format!("ttlSecondsAfterFinished: the Job and its pods are deleted {} after it finishes.", human(ttl)));
    }
    if s.suspend {
        v.push("suspend is true: no pod is created until the Job is resumed.".into());
    }
    if s.managed_by_other {
        v.push("managedBy names another controller: the built-in Job controller does nothing for this Job.".into());
    }
    if sc.until < crate::scenario::DEFAULT_UNTIL {
        v.push(format!("The simulation stops at {} whatever the Job's state.", human(sc.until)));
    }
    v
}

fn fmt_set(s: &crate::scenario::spec::IndexSet) -> String {
    let parts: Vec<String> = s.0.iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
    parts.join(",")
}

/// The pitfalls that apply to this Job.
fn pitfalls(j: &JobConfig, sc: &Scenario) -> Vec<String> {
    let s = &j.spec;
    let w = &j.workload;
    let mut v = Vec::new();
    if s.mode() == JobMode::WorkQueue {
        v.push(
            "Work-queue pods must exit by themselves when the work is done: after the first success the controller creates no \
             new pod and deletes none, so a pod that never exits keeps the Job running."
                .to_string(),
        );
    }
    if matches!(w.duration, RunLength::Never) && w.work_queue.is_none() {
        v.push("The workload's pods never exit by themselves: only a deadline, a deletion or the end of the simulation stops them.".into());
    }
    if s.mode() == JobMode::FixedCompletions && !s.parallelism_set && s.completions.unwrap_or(0) > 1 {
        v.push(
            "parallelism is not ignored when unset: it is 1, so the completions are sequential. Set parallelism to run pods concurrently."
                .into(),
        );
    }
    let can_fail = w.failure_probability > 0.0 || w.script.values().any(|f| f.exit_code.is_some_and(|c| c != 0));
    if s.restart_policy == RestartPolicy::Never && s.backoff_limit_per_index.is_none() {
        v.push(format!(
            "The first retry is not immediate: after a failure the replacement waits {}, then {}, {} … (doubling with each failure \
             since the last success, capped at {}); only a success resets it{}.",
            human(sc.config.pod_failure_backoff),
            human(2 * sc.config.pod_failure_backoff),
            human(4 * sc.config.pod_failure_backoff),
            human(sc.config.max_pod_failure_backoff),
            if can_fail { "" } else { " (this workload does not fail, so it does not apply here)" }
        ));
    }
    if s.restart_policy == RestartPolicy::OnFailure && s.backoff_limit_per_index.is_some() {
        v.push(
            "backoffLimitPerIndex with restartPolicy OnFailure: container restarts are not counted per index; only failed pods are.".into(),
        );
    }
    if s.restart_policy == RestartPolicy::OnFailure {
        v.push(
            "restartPolicy OnFailure: the kubelet restarts a failed container in place (immediately, then after 10 s, 20 s … up to \
             5 min); status.failed stays 0 while backoffLimit counts the restarts, and when the limit is hit the pod is deleted, \
             losing its logs."
                .to_string(),
        );
    }
    if s.backoff_limit == 0 && s.restart_policy == RestartPolicy::Never {
        v.push("backoffLimit 0: the very first failed pod fails the Job.".into());
    }
    if let Some(rules) = &s.pod_failure_policy {
        for (k, r) in rules.iter().enumerate() {
            if let (FailureAction::FailJob, Some(e)) = (r.action, &r.on_exit_codes) {
                if !e.op_in && !e.values.contains(&OOM_EXIT) {
                    v.push(format!(
                        "podFailurePolicy rule {k} is a NotIn FailJob rule: it also catches exit code 137, the code of an \
                         out-of-memory kill, so one OOM-killed pod fails the whole Job. Add 137 to its values or put an earlier rule for it."
                    ));
                }
            }
            if r.action == FailureAction::Ignore {
                v.push(format!(
                    "podFailurePolicy rule {k} ignores failures for the limit, but they still lengthen the backoff delay before replacements."
                ));
            }
        }
        if s.pod_replacement_policy == ReplacementPolicy::Failed {
            v.push(
                "With a podFailurePolicy, podReplacementPolicy is Failed: a deleted pod is replaced only once it has fully terminated."
                    .into(),
            );
        }
    }
    if let Some(ads) = s.active_deadline {
        let mean = match &w.duration {
            RunLength::Dist(d) => d.mean() + w.startup.mean(),
            RunLength::Never => f64::INFINITY,
        };
        let waves = match (s.mode(), s.completions) {
            (JobMode::FixedCompletions | JobMode::Indexed, Some(c)) if s.parallelism > 0 => {
                (c as u64).div_ceil(s.parallelism as u64) as f64
            }
            _ => 1.0,
        };
        if w.work_queue.is_none() && waves * mean > ads as f64 {
            v.push(format!(
                "The deadline ({}) is shorter than the expected work ({} of about {} each): expect DeadlineExceeded.",
                human(ads),
                plural(waves as u64, "wave", "waves"),
                human(mean.min(1e15) as Time)
            ));
        }
    }
    if v.is_empty() {
        v.push("None of the usual pitfalls applies.".into());
    }
    v
}

fn workload_text(j: &JobConfig) -> String {
    let w = &j.workload;
    let mut parts = Vec::new();
    let dist = |d: &crate::scenario::workload::Dist| {
        if d.is_fixed() {
            human(d.mean() as Time)
        } else {
            format!("random, mean {}", human(d.mean().round() as Time))
        }
    };
    parts.push(format!("start-up {}", dist(&w.startup)));
    match (&w.work_queue, &w.duration) {
        (Some(q), _) => parts.push(format!("a shared queue of {} items, {} each", q.items, dist(&q.per_item))),
        (None, RunLength::Never) => parts.push("pods run until deleted".into()),
        (None, RunLength::Dist(d)) => parts.push(format!("run {}", dist(d))),
    }
    if w.failure_probability > 0.0 {
        parts.push(format!("each run fails with probability {} (exit code {})", w.failure_probability, w.failure_exit_code));
    }
    if !w.script.is_empty() {
        parts.push(format!("{} with exact facts", plural(w.script.len() as u64, "scripted pod", "scripted pods")));
    }
    format!("Workload: {}.", parts.join("; "))
}

/// A `Write` into a shared buffer (the events stream of the narrated run).
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("not poisoned").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Default)]
struct JobState {
    succeeded: u64,
    failed: u64,
    since_success: u64,
    /// When each pod reached a terminal phase (s), to say how long after it the sync counted it.
    finished: BTreeMap<String, f64>,
    /// The end of a pending pod-failure backoff wait (s).
    backoff_until: Option<f64>,
    /// When a success reset that wait (the note is shown for that step only).
    reset_at: Option<f64>,
    /// Whether the Job is suspended.
    suspended: bool,
    /// Whether the Job met its success criteria.
    succeeding: bool,
    /// Pods the Job controller deleted (their failure is not counted).
    removed: std::collections::BTreeSet<String>,
}

fn secs(t: f64) -> String {
    let ms = (t * 1000.0).round() as Time;
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.3} s", t)
    }
}

/// "pod a", "pods a and b", "pods a, b and c".
fn who(pods: &[String]) -> String {
    match pods {
        [] => "pod ?".into(),
        [a] => format!("pod {a}"),
        [rest @ .., last] => format!("pods {} and {last}", rest.join(", ")),
    }
}

fn field<'a>(detail: &'a str, key: &str) -> Option<&'a str> {
    detail.split(' ').find_map(|p| p.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// Narrates one event; `None` for events not worth a step.
fn narrate(t: f64, kind: &str, job: &JobConfig, pods: &[String], detail: &str, st: &mut JobState) -> Option<String> {
    let s = &job.spec;
    let pod = who(pods);
    let name = pods.last().map(String::as_str).unwrap_or("?");
    if matches!(kind, "PodSucceeded" | "PodFailed") {
        st.finished.insert(name.to_string(), t);
    }
    if st.reset_at.is_some_and(|r| r != t) {
        st.reset_at = None;
        st.backoff_until = None;
    }
    // How long after the pod finished the sync that counts it ran: 1 s (the batch period) after
    // the change, or sooner when a sync was already due.
    let after = |st: &JobState| match st.finished.get(name) {
        Some(f) if (t - f - 1.0).abs() < 1e-6 => "the controller's sync 1 s after the pod finished (the batch period)".to_string(),
        Some(f) if t > *f => format!("the controller's next sync, already due {} after the pod finished,", secs(t - f)),
        _ => "the controller's sync".to_string(),
    };
    Some(match kind {
        "JobCreated" => {
            if s.suspend {
                format!("Job created suspended ({detail}): no startTime and no pods until it is resumed.")
            } else {
                format!("Job created ({detail}). Its first sync runs at once, sets status.startTime and creates the first pods.")
            }
        }
        "PodCreated" => {
            let why = if st.failed > 0 && st.since_success > 0 {
                "to replace a failed pod, once the pod-failure backoff has passed".to_string()
            } else if st.succeeded > 0 {
                match s.completions {
                    Some(c) => format!(
                        "to keep min(parallelism {}, completions still missing {}) pods active",
                        s.parallelism,
                        c as u64 - st.succeeded.min(c as u64)
                    ),
                    None => "to keep parallelism pods active".into(),
                }
            } else {
                match s.completions {
                    Some(c) => format!("active pods < min(parallelism {}, completions {c})", s.parallelism),
                    None => format!("active pods < parallelism {}", s.parallelism),
                }
            };
            let indexes = if s.indexed() {
                // Pod names are <job>-<index>-<attempt>.
                let parts: Vec<String> = pods
                    .iter()
                    .filter_map(|p| {
                        let rest = p.strip_prefix(s.name.as_str())?.strip_prefix('-')?;
                        let (i, a) = rest.split_once('-')?;
                        Some(if a == "1" { format!("index {i}") } else { format!("index {i} again (attempt {a}, after its failure)") })
                    })
                    .collect();
                format!("; lowest missing indexes first: {}", parts.join(", "))
            } else {
                String::new()
            };
            format!("{pod} created ({why}{indexes}).")
        }
        "PodRunning" => format!("{pod} running."),
        "ContainerExited" if s.restart_policy == RestartPolicy::OnFailure => {
            let code = field(detail, "exitCode").unwrap_or("?");
            if code == "0" {
                return None;
            }
            format!("{pod}: its container exited with code {code}; restartPolicy OnFailure, so the kubelet will restart it in place.")
        }
        "ContainerRestarted" => format!(
            "{pod}: the kubelet restarted the container in place ({detail}); under OnFailure, restarts count toward backoffLimit {}.",
            s.backoff_limit
        ),
        "PodSucceeded" => format!("{pod} succeeded (exit code 0)."),
        "PodFailed" => {
            let how = match field(detail, "exitCode") {
                Some("143") => "exit code 143: it was stopped with SIGTERM".to_string(),
                Some("137") => {
                    "exit code 137: it was killed with SIGKILL, as by the out-of-memory killer or after the grace period".to_string()
                }
                Some(c) => format!("exit code {c}"),
                None if detail.is_empty() => "killed".to_string(),
                None => detail.to_string(),
            };
            let note =
                if pods.iter().all(|p| st.removed.contains(p)) { " Removed by the controller: not counted as a failure." } else { "" };
            format!("{pod} failed ({how}).{note}")
        }
        "PodCounted" => {
            if detail.starts_with("succeeded") {
                st.succeeded += 1;
                st.since_success = 0;
                let of = s.completions.map(|c| format!(" of {c}")).unwrap_or_else(|| " so far".into());
                let wq = if s.mode() == JobMode::WorkQueue && st.succeeded as usize == pods.len() {
                    " Work queue: from this first success on, the controller creates no new pod; the Job completes when every other pod has exited by itself."
                } else {
                    ""
                };
                let reset = match st.backoff_until {
                    Some(u) if u > t => {
                        st.reset_at = Some(t);
                        format!(" A success resets the pod-failure backoff: replacements no longer wait until {}.", secs(u))
                    }
                    _ => String::new(),
                };
                format!("{} counts {} as succeeded: {}{of}.{wq}{reset}", after(st), pods.join(", "), st.succeeded)
            } else if detail.contains("ignored") {
                st.since_success += 1;
                format!(
                    "{} sees {name}'s failure, ignored by the pod failure policy ({detail}): it does not count toward backoffLimit.",
                    after(st)
                )
            } else if detail.contains("the Job failed") {
                st.failed += 1;
                format!("{name} was still active when the Job failed: it is counted as failed ({}).", st.failed)
            } else {
                st.failed += 1;
                st.since_success += 1;
                let rule = if let Some(a) = field(detail, "action") {
                    format!(" podFailurePolicy rule {} matched (action {a}).", field(detail, "rule").unwrap_or("?"))
                } else {
                    String::new()
                };
                let action = field(detail, "action");
                let limit = if action == Some("FailJob") {
                    " The Job fails at once, whatever backoffLimit says.".to_string()
                } else if action == Some("FailIndex") {
                    " The pod's index fails.".to_string()
                } else if s.restart_policy == RestartPolicy::Never && s.backoff_limit_per_index.is_none() {
                    if st.failed > s.backoff_limit as u64 {
                        format!(" failed={} now exceeds backoffLimit {}.", st.failed, s.backoff_limit)
                    } else {
                        format!(
                            " failed={} ≤ backoffLimit {}: the Job goes on (it fails only when failures exceed the limit).",
                            st.failed, s.backoff_limit
                        )
                    }
                } else {
                    String::new()
                };
                format!("{} counts {name}'s failure.{rule}{limit}", after(st))
            }
        }
        "BackoffWait" => {
            let n = field(detail, "success").unwrap_or("?");
            let delay = detail.split("delay=").nth(1).and_then(|r| r.split(' ').next()).unwrap_or("?");
            let until = detail.rsplit(' ').next().unwrap_or("?");
            st.backoff_until = until.parse().ok();
            format!(
                "pod-failure backoff: {n} failure(s) since the last success, so replacements wait {delay} (10 s doubled per failure) \
                 from the last failure's finish time, read in whole seconds — not before {until}s."
            )
        }
        "Condition" => {
            let (ty, rest) = detail.split_once('=').unwrap_or((detail, ""));
            if ty == "SuccessCriteriaMet" {
                st.succeeding = true;
            }
            let status = rest.split(' ').next().unwrap_or("");
            let reason = field(detail, "reason").unwrap_or("");
            let why = match reason {
                "CompletionsReached" if s.mode() == JobMode::WorkQueue => "a pod has succeeded and no pod is active any more",
                "CompletionsReached" => "the required pods have succeeded",
                "BackoffLimitExceeded" => "the failures exceeded backoffLimit",
                "DeadlineExceeded" => "activeDeadlineSeconds passed since startTime",
                "PodFailurePolicy" => "a FailJob rule of the pod failure policy matched",
                "SuccessPolicy" => "a success policy rule is met",
                "FailedIndexes" => "indexes failed under backoffLimitPerIndex and the others are done",
                "MaxFailedIndexesExceeded" => "more indexes failed than maxFailedIndexes",
                "JobSuspended" => "spec.suspend is true",
                "JobResumed" => "spec.suspend is false again",
                _ => "",
            };
            let what = match ty {
                "SuccessCriteriaMet" => {
                    "the Job meets its success criteria (interim condition; Complete follows when no pod is terminating)"
                }
                "FailureTarget" => {
                    "the Job is going to fail (interim condition; its active pods are deleted, Failed follows when none is terminating)"
                }
                "Complete" => "the Job is Complete",
                "Failed" => "the Job has Failed",
                "Suspended" if status == "True" => "the Job is suspended",
                "Suspended" => "the Job is resumed",
                _ => ty,
            };
            if why.is_empty() {
                format!("{what} ({detail}).")
            } else {
                format!("{what}, reason {reason}: {why}.")
            }
        }
        "PodDeleted" => {
            if detail == "DeletedByController" {
                st.removed.extend(pods.iter().cloned());
            }
            let why = match detail {
                "DeletedByController" if st.suspended => {
                    "by the Job controller because the Job is suspended (pods removed by suspend are not counted as failures)"
                }
                "DeletedByController" if st.succeeding => "by the Job controller: the Job has succeeded, so its still-active pods go",
                "DeletedByController" => {
                    "by the Job controller: more pods were active than wanted (excess pods are not counted as failures)"
                }
                "BackoffLimitExceeded" => "because the Job failed with BackoffLimitExceeded",
                "DeadlineExceeded" => "because the Job's deadline passed",
                "PodFailurePolicy" => "because a FailJob rule failed the Job",
                "DeletedByUser" => "by a user (scenario event); under TerminatingOrFailed it counts as a failure",
                "NodeLost" => "by the taint manager: its node is down and the eviction delay passed (condition DisruptionTarget; no kubelet answers, so it is Failed at once)",
                "Evicted" => "by a drain of its node (condition DisruptionTarget); it terminates gracefully",
                _ => detail,
            };
            format!("{pod} deleted {why}.")
        }
        "SpecChanged" => {
            if let Some(v) = field(detail, "suspend") {
                st.suspended = v == "true";
            }
            let what = match field(detail, "suspend") {
                Some("true") => " The controller deletes the active pods and creates none until the Job is resumed.",
                Some("false") => " The next sync creates pods again and resets status.startTime (and so the deadline).",
                _ => "",
            };
            format!("spec changed by a scenario event: {detail}.{what}")
        }
        "JobDeleted" => format!("the Job is deleted: {detail}."),
        "Unschedulable" => format!("{pod} is Unschedulable ({detail}): it stays Pending until room frees on a node."),
        _ => return None,
    })
}

/// The explanation of a scenario: each Job in words, then the first `steps` steps of its run.
pub fn explain(sc: &Scenario, steps: usize) -> Result<String, RunError> {
    let mut o = String::new();
    let _ = writeln!(o, "Scenario {} (seed {})", sc.name, sc.seed);
    if let Some(d) = &sc.description {
        let _ = writeln!(o, "{}", d.trim());
    }
    for j in &sc.jobs {
        let _ = writeln!(o, "\nJob {} (created at {}s)", j.spec.name, as_secs_f64(j.submit_at));
        let _ = writeln!(o, "  {}", mode_text(j));
        let _ = writeln!(o, "  {}", workload_text(j));
        let _ = writeln!(o, "  What ends it:");
        for l in ends_text(j, sc) {
            match l.strip_prefix("  ") {
                Some(sub) => writeln!(o, "        {sub}"),
                None => writeln!(o, "    - {l}"),
            }
            .ok();
        }
        let _ = writeln!(o, "  Pitfalls:");
        for l in pitfalls(j, sc) {
            let _ = writeln!(o, "    - {l}");
        }
    }
    let buf = Shared::default();
    let run = simulate(sc, RunOptions { trace: TraceLevel::Full, events_out: Some(Box::new(buf.clone())), ..Default::default() })?;
    let bytes = std::mem::take(&mut *buf.0.lock().expect("not poisoned"));
    let mut rd = csv::Reader::from_reader(bytes.as_slice());
    let by_name: BTreeMap<&str, usize> = sc.jobs.iter().enumerate().map(|(i, j)| (j.spec.name.as_str(), i)).collect();
    let mut states: Vec<JobState> = sc.jobs.iter().map(|_| JobState::default()).collect();
    let mut lines = Vec::new();
    // Steps: (time, job, kind, detail, pods). Same-kind events of one Job at one time (the pods
    // created by one sync, several pods starting together) make one step.
    let mut all: Vec<(String, String, String, String, Vec<String>, String)> = Vec::new();
    let mut skipped_items = 0u64;
    for rec in rd.records().flatten() {
        let (t, kind, job, pod, detail) = (&rec[0], &rec[1], &rec[2], &rec[3], &rec[6]);
        let Some(&ji) = by_name.get(job) else { continue };
        if kind == "WorkItemDone" {
            skipped_items += 1;
            continue;
        }
        let groupable = matches!(kind, "PodCreated" | "PodRunning" | "PodSucceeded" | "PodFailed" | "PodDeleted")
            || (kind == "PodCounted" && detail == "succeeded");
        let mut pods = vec![pod.to_string()];
        let merge = groupable && all.last().is_some_and(|l| l.0 == t && l.1 == job && l.2 == kind && l.3 == detail) && !pod.is_empty();
        if merge {
            let mut prev = all.pop().expect("checked");
            prev.4.push(pod.to_string());
            pods = prev.4;
        }
        let secs: f64 = t.parse().unwrap_or(0.0);
        let Some(text) = narrate(secs, kind, &sc.jobs[ji], &pods, detail, &mut states[ji]) else { continue };
        all.push((t.to_string(), job.to_string(), kind.to_string(), detail.to_string(), pods, text));
    }
    let total = all.len();
    for (t, job, _, _, _, text) in all.iter().take(steps) {
        lines.push(format!("  {:>3}. [{t:>9}s] {job}: {text}", lines.len() + 1));
    }
    let _ = writeln!(o, "\nThe run, step by step ({} of {} steps; seed {}):", lines.len(), total, sc.seed);
    for l in &lines {
        let _ = writeln!(o, "{l}");
    }
    if total > lines.len() {
        let _ = writeln!(o, "  … {} more steps (use --steps N to see more).", total - lines.len());
    }
    if skipped_items > 0 {
        let _ = writeln!(o, "  ({} work items were processed; they are not narrated one by one.)", skipped_items);
    }
    let _ = writeln!(o, "\nOutcome:");
    for js in &run.summary.jobs {
        let _ = writeln!(
            o,
            "  {}: {}{}{}; {} created, {} succeeded, {} failed, at most {} active at once.",
            js.name,
            js.outcome,
            js.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default(),
            match (js.start_time, js.duration) {
                (Some(st), Some(d)) => format!(" at {:.3}s, {d:.3}s after status.startTime", st + d),
                _ => String::new(),
            },
            plural(js.pods_created as u64, "pod", "pods"),
            js.succeeded,
            js.failed,
            js.max_active
        );
    }
    Ok(o)
}
