//! The Job controller: one [`JobController`] per Job, whose [`JobController::reconcile`] is the
//! controller's `syncJob` — counting finished pods, the failure/success precedence, the desired
//! number of active pods per mode, deletions, creations under the pod-failure backoff, and the
//! two-phase terminal conditions — in the order the real controller does it.

use super::api::ApiServer;
use super::pod::{EndReason, PodId, PodPhase, NO_INDEX};
use super::Effects;
use crate::engine::{api_time, Time};
use crate::scenario::spec::{FailureAction, JobSpec, RestartPolicy};
use crate::scenario::{JobConfig, SpecChange};
use crate::trace::{EventKind, StatusSample};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Job condition types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionType {
    /// `Suspended`.
    Suspended,
    /// `FailureTarget` (interim).
    FailureTarget,
    /// `Failed` (terminal).
    Failed,
    /// `SuccessCriteriaMet` (interim).
    SuccessCriteriaMet,
    /// `Complete` (terminal).
    Complete,
}

impl ConditionType {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionType::Suspended => "Suspended",
            ConditionType::FailureTarget => "FailureTarget",
            ConditionType::Failed => "Failed",
            ConditionType::SuccessCriteriaMet => "SuccessCriteriaMet",
            ConditionType::Complete => "Complete",
        }
    }
}

/// A Job condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// Type.
    pub type_: ConditionType,
    /// Status (True/False).
    pub status: bool,
    /// Reason, e.g. `BackoffLimitExceeded`.
    pub reason: &'static str,
    /// Message.
    pub message: String,
    /// `lastTransitionTime`.
    pub time: Time,
}

/// The in-memory pod-failure backoff record (`backoffRecord`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackoffRecord {
    /// Failures since the last success.
    pub failures_after_last_success: u32,
    /// Finish time of the latest of them (API precision: whole seconds).
    pub last_failure_time: Option<Time>,
}

impl BackoffRecord {
    /// Folds the pods newly seen finished into the record (`newBackoffRecord`): only a success
    /// resets it, and then only failures finished strictly after the latest success count.
    pub fn update(&mut self, latest_success: Option<Time>, failures: &[Time]) {
        match latest_success {
            None => {
                if let Some(&last) = failures.iter().max() {
                    self.failures_after_last_success += failures.len() as u32;
                    self.last_failure_time = Some(last);
                }
            }
            Some(s) => {
                let after: Vec<Time> = failures.iter().copied().filter(|&f| f > s).collect();
                self.failures_after_last_success = after.len() as u32;
                self.last_failure_time = after.iter().max().copied();
            }
        }
    }

    /// Time left before replacements may be created (`getRemainingTime`).
    pub fn remaining(&self, now: Time, base: Time, cap: Time) -> Time {
        let (n, Some(last)) = (self.failures_after_last_success, self.last_failure_time) else {
            return 0;
        };
        if n == 0 {
            return 0;
        }
        let delay = backoff_delay(n, base, cap);
        delay.saturating_sub(now.saturating_sub(last))
    }
}

/// `min(base · 2^(n−1), cap)` for n ≥ 1.
pub fn backoff_delay(n: u32, base: Time, cap: Time) -> Time {
    if n == 0 {
        return 0;
    }
    let shift = (n - 1).min(40);
    base.saturating_mul(1u64 << shift).min(cap)
}

/// Per-index record of the latest failed pod (backoffLimitPerIndex): the annotations its
/// replacement inherits and when it failed.
#[derive(Debug, Clone, Copy, Default)]
struct IndexFailure {
    count: u32,
    ignored: u32,
    finish: Time,
    present: bool,
}

/// The status the controller last wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobStatus {
    /// `active`.
    pub active: u32,
    /// `ready`.
    pub ready: u32,
    /// `terminating`.
    pub terminating: u32,
    /// `succeeded`.
    pub succeeded: u32,
    /// `failed`.
    pub failed: u32,
}

struct Decision {
    success: bool,
    reason: &'static str,
    message: String,
    pod_reason: EndReason,
}

/// One Job's controller state: spec, status, conditions, backoff record, index bookkeeping.
pub struct JobController {
    /// Job index in the scenario.
    pub id: u32,
    /// Current spec (mutable fields change through scenario events).
    pub spec: JobSpec,
    /// Creation time.
    pub submit_at: Time,
    /// Whether the Job exists yet.
    pub created: bool,
    /// `status.startTime`.
    pub start_time: Option<Time>,
    /// `status.completionTime`.
    pub completion_time: Option<Time>,
    /// The last written status counters.
    pub status: JobStatus,
    /// Conditions, in order of addition.
    pub conditions: Vec<Condition>,
    /// The pod-failure backoff record.
    pub backoff: BackoffRecord,
    /// Succeeded indexes (Indexed).
    pub succeeded_indexes: Vec<bool>,
    /// Failed indexes (backoffLimitPerIndex).
    pub failed_indexes: Vec<bool>,
    n_succeeded_indexes: u32,
    n_failed_indexes: u32,
    index_failures: Vec<IndexFailure>,
    maybe_pending: BTreeSet<u32>,
    fresh_index: u32,
    attempts: Vec<u32>,
    /// Consecutive syncs that ended in error (the work queue's rate limiter).
    api_failures: u32,
    /// Time the Job got its terminal condition.
    pub finished_at: Option<Time>,
    /// Whether the Job was deleted (TTL or scenario).
    pub deleted_at: Option<Time>,
    /// Pods whose failures were Ignored by the pod failure policy.
    pub ignored_failures: u32,
    backoff_noted_until: Option<Time>,
    scratch_failures: Vec<Time>,
    scratch_pods: Vec<PodId>,
    /// backoffLimitPerIndex: per index, the latest failed pod whose counting (and finalizer
    /// removal) waits until its replacement exists (§7 delayed counting), and whether it counts.
    delayed: BTreeMap<u32, (PodId, bool)>,
}

impl JobController {
    /// A controller for a Job not yet created.
    pub fn new(id: u32, cfg: &JobConfig) -> JobController {
        let completions = if cfg.spec.indexed() { cfg.spec.completions.unwrap_or(0) as usize } else { 0 };
        let per_index = cfg.spec.backoff_limit_per_index.is_some();
        JobController {
            id,
            spec: cfg.spec.clone(),
            submit_at: cfg.submit_at,
            created: false,
            start_time: None,
            completion_time: None,
            status: JobStatus::default(),
            conditions: Vec::new(),
            backoff: BackoffRecord::default(),
            succeeded_indexes: vec![false; completions],
            failed_indexes: if per_index { vec![false; completions] } else { Vec::new() },
            n_succeeded_indexes: 0,
            n_failed_indexes: 0,
            index_failures: if per_index { vec![IndexFailure::default(); completions] } else { Vec::new() },
            maybe_pending: BTreeSet::new(),
            fresh_index: 0,
            attempts: Vec::new(),
            api_failures: 0,
            finished_at: None,
            deleted_at: None,
            ignored_failures: 0,
            backoff_noted_until: None,
            scratch_failures: Vec::new(),
            scratch_pods: Vec::new(),
            delayed: BTreeMap::new(),
        }
    }

    /// The Job is created.
    pub fn submitted(&mut self, fx: &mut Effects) {
        self.created = true;
        let detail = format!(
            "mode={} parallelism={} completions={} backoffLimit={}{}",
            self.spec.mode().as_str(),
            self.spec.parallelism,
            self.spec.completions.map(|c| c.to_string()).unwrap_or_else(|| "unset".into()),
            self.spec.backoff_limit,
            if self.spec.suspend { " suspend=true" } else { "" }
        );
        fx.rec.job_event(fx.now, EventKind::JobCreated, self.id, detail);
    }

    /// The terminal condition (`Complete` or `Failed`), if any.
    pub fn terminal_condition(&self) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.status && matches!(c.type_, ConditionType::Complete | ConditionType::Failed))
    }

    /// Whether the Job has `Complete` or `Failed`.
    pub fn is_finished(&self) -> bool {
        self.terminal_condition().is_some()
    }

    fn condition(&self, t: ConditionType) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.type_ == t && c.status)
    }

    /// Succeeded indexes as the controller writes them (`1,3-5`).
    pub fn completed_indexes(&self) -> String {
        interval_string(&self.succeeded_indexes)
    }

    /// Failed indexes as the controller writes them, `None` without backoffLimitPerIndex.
    pub fn failed_indexes_string(&self) -> Option<String> {
        self.spec.backoff_limit_per_index.map(|_| interval_string(&self.failed_indexes))
    }

    /// Number of succeeded indexes.
    pub fn succeeded_index_count(&self) -> u32 {
        self.n_succeeded_indexes
    }

    /// Number of failed indexes.
    pub fn failed_index_count(&self) -> u32 {
        self.n_failed_indexes
    }

    fn add_condition(&mut self, fx: &mut Effects, type_: ConditionType, status: bool, reason: &'static str, message: String) {
        let detail = format!("{}={} reason={} message={:?}", type_.as_str(), if status { "True" } else { "False" }, reason, message);
        if let Some(c) = self.conditions.iter_mut().find(|c| c.type_ == type_) {
            c.status = status;
            c.reason = reason;
            c.message = message;
            c.time = fx.now;
        } else {
            self.conditions.push(Condition { type_, status, reason, message, time: fx.now });
        }
        fx.rec.job_event(fx.now, EventKind::Condition, self.id, detail);
    }

    /// The controller's `syncJob` for this Job.
    pub fn reconcile(&mut self, api: &mut ApiServer, fx: &mut Effects) {
        if !self.created || self.deleted_at.is_some() || self.spec.managed_by_other || self.is_finished() {
            return;
        }
        let now = fx.now;
        let j = self.id as usize;
        let indexed = self.spec.indexed();
        let completions = self.spec.completions.unwrap_or(0);
        let per_index = self.spec.backoff_limit_per_index;
        let mut wrote = false;

        // 1. Count the pods that finished (or, under TerminatingOrFailed, were deleted) since the
        //    last sync, and fold them into the backoff record.
        let mut fail_job: Option<String> = None;
        let mut latest_success: Option<Time> = None;
        let mut failures = std::mem::take(&mut self.scratch_failures);
        failures.clear();
        let changed = std::mem::take(&mut api.jobs[j].changed);
        let only_failed = self.spec.only_replace_failed_pods();
        for &p in &changed {
            let pod = api.pods.get(p);
            if !pod.finalizer {
                continue;
            }
            if indexed && pod.index >= completions {
                // Out-of-range indexes (after a scale-down) are not counted.
                api.remove_finalizer(fx, p);
                continue;
            }
            if pod.phase == PodPhase::Succeeded {
                let finish = api_time(pod.finished.unwrap_or(now));
                latest_success = Some(latest_success.map_or(finish, |l: Time| l.max(finish)));
                if indexed {
                    let ix = pod.index as usize;
                    if !self.succeeded_indexes[ix] {
                        self.succeeded_indexes[ix] = true;
                        self.n_succeeded_indexes += 1;
                    }
                } else {
                    self.status.succeeded += 1;
                }
                fx.rec.pod_event(now, EventKind::PodCounted, pod, |b| b.push_str("succeeded"));
            } else if pod.phase == PodPhase::Failed || (pod.deleted.is_some() && !only_failed) {
                let finish = failure_finish_time(pod);
                failures.push(finish);
                let (action, rule) = self.match_failure_policy(pod);
                let counted = action != Some(FailureAction::Ignore);
                if action == Some(FailureAction::FailJob) && fail_job.is_none() {
                    fail_job = Some(self.fail_job_message(pod, rule));
                }
                let mut delay = false;
                if let Some(limit) = per_index {
                    let ix = pod.index as usize;
                    let rec = &mut self.index_failures[ix];
                    *rec = IndexFailure {
                        count: pod.failure_count + counted as u32,
                        ignored: pod.ignored_failure_count + (!counted) as u32,
                        finish,
                        present: true,
                    };
                    let index_fails = action == Some(FailureAction::FailIndex) || (counted && pod.failure_count >= limit);
                    if index_fails && !self.failed_indexes[ix] && !self.succeeded_indexes[ix] {
                        self.failed_indexes[ix] = true;
                        self.n_failed_indexes += 1;
                    }
                    // The index will be retried: the pod is counted once its replacement exists
                    // (its failure counts are copied from it), unless the Job finishes first.
                    delay = !self.failed_indexes[ix] && !self.succeeded_indexes[ix] && api.jobs[j].active_of(pod.index) == 0;
                }
                fx.rec.pod_event(now, EventKind::PodCounted, pod, |b| {
                    b.push_str(if counted { "failed" } else { "failed, ignored by podFailurePolicy" });
                    if let Some(a) = action {
                        let _ = write!(b, " action={} rule={}", a.as_str(), rule);
                    }
                    if delay {
                        b.push_str(", counted once its replacement exists");
                    }
                });
                let ix = pod.index;
                if indexed {
                    self.maybe_pending.insert(ix);
                }
                // Counting removes the finalizer, which may retire the pod: it is not read after.
                if delay {
                    if let Some((older, older_counted)) = self.delayed.insert(ix, (p, counted)) {
                        self.count_failed(api, fx, older, older_counted);
                    }
                } else {
                    self.count_failed(api, fx, p, counted);
                }
                wrote = true;
                continue;
            } else {
                continue;
            }
            if indexed {
                self.maybe_pending.insert(pod.index);
            }
            api.remove_finalizer(fx, p);
            wrote = true;
        }
        if !self.delayed.is_empty() {
            self.count_replaced(api, fx);
        }
        let mut changed = changed;
        changed.clear();
        if api.jobs[j].changed.is_empty() {
            api.jobs[j].changed = changed;
        }
        self.backoff.update(latest_success, &failures);
        self.scratch_failures = failures;

        // 2. startTime: the first sync that sees the Job unsuspended.
        if self.start_time.is_none() && !self.spec.suspend {
            self.start_time = Some(now);
            wrote = true;
        }

        // 3. Finish-condition precedence: the first match wins.
        let mut decision: Option<Decision> = None;
        if let Some(c) = self.condition(ConditionType::SuccessCriteriaMet) {
            decision =
                Some(Decision { success: true, reason: c.reason, message: c.message.clone(), pod_reason: EndReason::DeletedByController });
        } else if let Some(c) = self.condition(ConditionType::FailureTarget) {
            decision =
                Some(Decision { success: false, reason: c.reason, message: c.message.clone(), pod_reason: pod_reason_for(c.reason) });
        } else if let Some(msg) = fail_job {
            decision = Some(Decision { success: false, reason: "PodFailurePolicy", message: msg, pod_reason: EndReason::PodFailurePolicy });
        }
        if decision.is_none() {
            let restarts = api.jobs[j].live_restarts;
            let on_failure_exceeded = self.spec.restart_policy == RestartPolicy::OnFailure
                && if self.spec.backoff_limit == 0 { restarts > 0 } else { restarts >= self.spec.backoff_limit as u64 };
            if self.status.failed > self.spec.backoff_limit || on_failure_exceeded {
                decision = Some(Decision {
                    success: false,
                    reason: "BackoffLimitExceeded",
                    message: "Job has reached the specified backoff limit".into(),
                    pod_reason: EndReason::BackoffLimitExceeded,
                });
            } else if let (Some(ads), Some(start), false) = (self.spec.active_deadline, self.start_time, self.spec.suspend) {
                if now.saturating_sub(start) >= ads {
                    decision = Some(Decision {
                        success: false,
                        reason: "DeadlineExceeded",
                        message: "Job was active longer than specified deadline".into(),
                        pod_reason: EndReason::DeadlineExceeded,
                    });
                } else {
                    fx.enqueue_after(self.id, start + ads - now);
                }
            }
        }
        if indexed {
            if per_index.is_some() && decision.is_none() {
                let nf = self.n_failed_indexes;
                if self.spec.max_failed_indexes.is_some_and(|m| nf > m) {
                    decision = Some(Decision {
                        success: false,
                        reason: "MaxFailedIndexesExceeded",
                        message: "Job has exceeded the specified maximal number of failed indexes".into(),
                        pod_reason: EndReason::MaxFailedIndexesExceeded,
                    });
                } else if nf > 0 && nf + self.n_succeeded_indexes >= completions {
                    decision = Some(Decision {
                        success: false,
                        reason: "FailedIndexes",
                        message: "Job has failed indexes".into(),
                        pod_reason: EndReason::FailedIndexes,
                    });
                }
            }
            if decision.is_none() {
                if let Some(i) = self.matched_success_rule() {
                    decision = Some(Decision {
                        success: true,
                        reason: "SuccessPolicy",
                        message: format!("Matched rules at index {i}"),
                        pod_reason: EndReason::DeletedByController,
                    });
                }
            }
            self.status.succeeded = self.n_succeeded_indexes;
        }

        if let Some(d) = decision {
            self.enact_finish(d, api, fx);
        } else {
            if self.deleted_at.is_none() && self.manage(api, fx) {
                // The sync ends in error: the work queue retries it rate-limited (1 s doubling to
                // 60 s per consecutive failure), as for any failed sync.
                self.api_failures += 1;
                let delay = (crate::engine::SECOND << (self.api_failures - 1).min(16)).min(60 * crate::engine::SECOND);
                fx.enqueue_after(self.id, delay);
            } else {
                self.api_failures = 0;
            }
            let active = api.jobs[j].active;
            let complete = match self.spec.completions {
                None => self.status.succeeded > 0 && active == 0,
                Some(c) => self.status.succeeded >= c && active == 0,
            };
            if complete {
                self.enact_finish(
                    Decision {
                        success: true,
                        reason: "CompletionsReached",
                        message: "Reached expected number of succeeded pods".into(),
                        pod_reason: EndReason::DeletedByController,
                    },
                    api,
                    fx,
                );
            } else if self.spec.suspend {
                if self.condition(ConditionType::Suspended).is_none() {
                    self.add_condition(fx, ConditionType::Suspended, true, "JobSuspended", "Job suspended".into());
                    wrote = true;
                }
            } else if self.condition(ConditionType::Suspended).is_some() {
                self.add_condition(fx, ConditionType::Suspended, false, "JobResumed", "Job resumed".into());
                // The deadline counts from the resume: a Job is "continuously active" that long.
                self.start_time = Some(now);
                wrote = true;
            }
        }

        // 4. Write the status; the write itself wakes the controller again after the batch period.
        let jp = &api.jobs[j];
        let new = JobStatus {
            active: jp.active,
            ready: jp.ready,
            terminating: jp.terminating,
            succeeded: self.status.succeeded,
            failed: self.status.failed,
        };
        if new != self.status || wrote {
            let sample = StatusSample {
                time: now,
                job: self.id,
                active: new.active,
                ready: new.ready,
                terminating: new.terminating,
                succeeded: new.succeeded,
                failed: new.failed,
                running: jp.running,
                pending: jp.pending,
            };
            if new != self.status {
                fx.rec.status(sample);
            }
            self.status = new;
            if !self.is_finished() {
                fx.pod_changed(self.id);
            }
        }
    }

    fn enact_finish(&mut self, d: Decision, api: &mut ApiServer, fx: &mut Effects) {
        let j = self.id as usize;
        // A finishing Job counts every failed pod still waiting for its replacement.
        for (_, (p, counted)) in std::mem::take(&mut self.delayed) {
            self.count_failed(api, fx, p, counted);
        }
        // Delete every active pod. On failure the pods not yet counted are counted as failed.
        let live = std::mem::take(&mut self.scratch_pods);
        let mut live = live;
        live.clear();
        live.extend(api.jobs[j].live.iter().copied());
        for &p in &live {
            let pod = api.pods.get(p);
            if pod.deleted.is_none() && api.delete_pod(fx, p, d.pod_reason, false, false) {
                fx.deleted.push(p);
            }
            let pod = api.pods.get(p);
            if pod.finalizer {
                if !d.success && !(pod.phase == PodPhase::Succeeded) {
                    self.status.failed += 1;
                    fx.rec.pod_event(fx.now, EventKind::PodCounted, pod, |b| b.push_str("failed (the Job failed)"));
                }
                api.remove_finalizer(fx, p);
            }
        }
        self.scratch_pods = live;
        let (interim, terminal) = if d.success {
            (ConditionType::SuccessCriteriaMet, ConditionType::Complete)
        } else {
            (ConditionType::FailureTarget, ConditionType::Failed)
        };
        if self.condition(interim).is_none() {
            self.add_condition(fx, interim, true, d.reason, d.message.clone());
        }
        if api.jobs[j].terminating == 0 {
            self.add_condition(fx, terminal, true, d.reason, d.message);
            self.finished_at = Some(fx.now);
            if d.success {
                self.completion_time = Some(fx.now);
            }
            if let Some(ttl) = self.spec.ttl_after_finished {
                fx.queue.push(fx.now + ttl, super::Event::TtlExpired(self.id));
            }
        }
    }

    /// Counts a failed pod (unless Ignored) and removes its finalizer.
    fn count_failed(&mut self, api: &mut ApiServer, fx: &mut Effects, p: PodId, counted: bool) {
        if counted {
            self.status.failed += 1;
        } else {
            self.ignored_failures += 1;
        }
        api.remove_finalizer(fx, p);
    }

    /// §7 delayed counting: the failed pods whose index now has a replacement (or is finished, or
    /// out of range after a scale-down) are counted.
    fn count_replaced(&mut self, api: &mut ApiServer, fx: &mut Effects) {
        let completions = self.spec.completions.unwrap_or(0);
        let jp = &api.jobs[self.id as usize];
        let done: Vec<u32> = self
            .delayed
            .keys()
            .copied()
            .filter(|&ix| {
                let i = ix as usize;
                ix >= completions
                    || jp.active_of(ix) > 0
                    || self.succeeded_indexes.get(i).copied().unwrap_or(false)
                    || self.failed_indexes.get(i).copied().unwrap_or(false)
            })
            .collect();
        for ix in done {
            if let Some((p, counted)) = self.delayed.remove(&ix) {
                if ix >= completions {
                    api.remove_finalizer(fx, p);
                } else {
                    self.count_failed(api, fx, p, counted);
                }
            }
        }
    }

    /// `manageJob`: suspend, desired active count, deletions, then creations. Returns whether a
    /// pod create failed.
    fn manage(&mut self, api: &mut ApiServer, fx: &mut Effects) -> bool {
        let j = self.id as usize;
        let max = fx.cfg.max_pods_per_sync;
        let active = api.jobs[j].active;
        if self.spec.suspend {
            if active > 0 {
                let pods = self.pods_for_removal(api, active as usize);
                self.delete_owned(api, fx, &pods, EndReason::DeletedByController);
            }
            return false;
        }
        let succeeded = self.status.succeeded;
        let want = match self.spec.completions {
            None => {
                if succeeded > 0 {
                    active
                } else {
                    self.spec.parallelism
                }
            }
            Some(c) => c.saturating_sub(succeeded).min(self.spec.parallelism),
        };
        let rm_at_least = active.saturating_sub(want) as usize;
        let mut to_delete = self.pods_for_removal(api, rm_at_least);
        to_delete.truncate(max as usize);
        if !to_delete.is_empty() {
            self.delete_owned(api, fx, &to_delete, EndReason::DeletedByController);
            return false;
        }
        let terminating = if self.spec.only_replace_failed_pods() { api.jobs[j].terminating } else { 0 };
        let diff = want as i64 - terminating as i64 - active as i64;
        if diff <= 0 {
            return false;
        }
        if self.spec.backoff_limit_per_index.is_none() {
            let remaining = self.backoff.remaining(fx.now, fx.cfg.pod_failure_backoff, fx.cfg.max_pod_failure_backoff);
            if remaining > 0 {
                let wait = remaining.max(fx.sync_batch);
                let until = fx.now + remaining;
                if self.backoff_noted_until != Some(until) {
                    self.backoff_noted_until = Some(until);
                    let n = self.backoff.failures_after_last_success;
                    fx.rec.job_event(
                        fx.now,
                        EventKind::BackoffWait,
                        self.id,
                        format!(
                            "failures since last success={n} delay={} replacements not before {}",
                            crate::scenario::duration::human(backoff_delay(n, fx.cfg.pod_failure_backoff, fx.cfg.max_pod_failure_backoff)),
                            crate::engine::fmt_secs(until)
                        ),
                    );
                }
                fx.enqueue_after(self.id, wait);
                return false;
            }
        }
        let diff = (diff as u64).min(max as u64) as usize;
        let indexes = if self.spec.indexed() {
            let indexes = self.first_pending_indexes(api, diff);
            if self.spec.backoff_limit_per_index.is_some() {
                let (ready, wait) = self.per_index_ready(&indexes, fx);
                if ready.is_empty() {
                    if let Some(w) = wait {
                        fx.enqueue_after(self.id, w.max(fx.sync_batch));
                    }
                    return false;
                }
                ready
            } else {
                indexes
            }
        } else {
            vec![NO_INDEX; diff]
        };
        self.create_in_batches(&indexes, api, fx)
    }

    /// Creates pods in slow-start batches of 1, 2, 4, … (`SlowStartInitialBatchSize`): a batch
    /// with a failed create (a full ResourceQuota) skips the rest, which a later sync retries.
    /// Returns whether a create failed (the sync then ends in error and is requeued rate-limited).
    fn create_in_batches(&mut self, indexes: &[u32], api: &mut ApiServer, fx: &mut Effects) -> bool {
        let mut next = 0;
        let mut batch = 1.min(indexes.len());
        while next < indexes.len() {
            let mut failed = 0;
            for &ix in &indexes[next..next + batch] {
                if let Some(quota) = fx.cfg.pod_quota {
                    let used = api.quota_used();
                    if used >= quota {
                        failed += 1;
                        fx.rec.job_event(
                            fx.now,
                            EventKind::FailedCreate,
                            self.id,
                            format!("Error creating: pods is forbidden: exceeded quota: requested: pods=1, used: pods={used}, limited: pods={quota}"),
                        );
                        continue;
                    }
                }
                let p = if ix == NO_INDEX {
                    api.create_pod(fx, self.id, NO_INDEX, 0, 0, 0)
                } else {
                    let (fc, ic) =
                        self.index_failures.get(ix as usize).filter(|f| f.present).map(|f| (f.count, f.ignored)).unwrap_or((0, 0));
                    let attempt = self.next_attempt(ix);
                    let p = api.create_pod(fx, self.id, ix, attempt, fc, ic);
                    self.maybe_pending.remove(&ix);
                    if ix >= self.fresh_index {
                        self.fresh_index = ix + 1;
                    }
                    p
                };
                fx.created.push(p);
            }
            next += batch;
            if failed > 0 {
                return true;
            }
            batch = (2 * batch).min(indexes.len() - next);
        }
        false
    }

    fn next_attempt(&mut self, ix: u32) -> u32 {
        let i = ix as usize;
        if self.attempts.len() <= i {
            self.attempts.resize(i + 1, 0);
        }
        self.attempts[i] += 1;
        self.attempts[i]
    }

    /// Active pods to delete: for Indexed Jobs first those with an out-of-range index and the
    /// extra duplicates of an index (keeping the most advanced), then by `controller.ActivePods`
    /// order (unscheduled, pending, not ready, ready shortest, most restarts, newest first).
    fn pods_for_removal(&self, api: &ApiServer, at_least: usize) -> Vec<PodId> {
        let jp = &api.jobs[self.id as usize];
        if at_least == 0 && (!self.spec.indexed() || !jp.may_have_duplicates(self.spec.completions.unwrap_or(0))) {
            return Vec::new();
        }
        let mut active: Vec<PodId> = jp.live.iter().copied().filter(|&p| api.pods.get(p).deleted.is_none()).collect();
        let key = |p: &PodId| {
            let pod = api.pods.get(*p);
            (
                pod.scheduled.is_some(),
                pod.phase == PodPhase::Running,
                pod.ready,
                std::cmp::Reverse(if pod.ready { pod.run_started } else { 0 }),
                std::cmp::Reverse(pod.restarts),
                std::cmp::Reverse((pod.created, pod.ordinal)),
            )
        };
        active.sort_by_key(key);
        let mut rm = Vec::new();
        if self.spec.indexed() {
            let completions = self.spec.completions.unwrap_or(0);
            let mut left = Vec::with_capacity(active.len());
            // Walk from the most valuable end so the kept pod of each index is the last in order.
            let mut seen: BTreeSet<u32> = BTreeSet::new();
            for &p in active.iter().rev() {
                let ix = api.pods.get(p).index;
                if ix >= completions || !seen.insert(ix) {
                    rm.push(p);
                } else {
                    left.push(p);
                }
            }
            rm.reverse();
            left.reverse();
            active = left;
        }
        if rm.len() < at_least {
            let need = at_least - rm.len();
            rm.extend(active.into_iter().take(need));
        }
        rm
    }

    /// Deletes pods as the controller does for scale-down and suspend: the finalizer is removed
    /// first, so they are never counted as failed or succeeded.
    fn delete_owned(&mut self, api: &mut ApiServer, fx: &mut Effects, pods: &[PodId], reason: EndReason) {
        for &p in pods {
            let ix = api.pods.get(p).index;
            if api.delete_pod(fx, p, reason, true, false) {
                fx.deleted.push(p);
            }
            if ix != NO_INDEX {
                self.maybe_pending.insert(ix);
            }
        }
    }

    fn index_is_pending(&self, api: &ApiServer, ix: u32) -> bool {
        let jp = &api.jobs[self.id as usize];
        let i = ix as usize;
        !self.succeeded_indexes.get(i).copied().unwrap_or(false)
            && !self.failed_indexes.get(i).copied().unwrap_or(false)
            && jp.active_of(ix) == 0
            && (!self.spec.only_replace_failed_pods() || jp.terminating_of(ix) == 0)
    }

    /// The lowest indexes that are neither succeeded, failed, nor held by a pod
    /// (`firstPendingIndexes`).
    fn first_pending_indexes(&mut self, api: &ApiServer, n: usize) -> Vec<u32> {
        let completions = self.spec.completions.unwrap_or(0);
        let mut out = Vec::with_capacity(n.min(1024));
        let mut stale = Vec::new();
        let mut candidates = self.maybe_pending.iter().copied().take_while(|&i| i < completions).peekable();
        let mut fresh = self.fresh_index;
        while out.len() < n {
            let next_known = candidates.peek().copied();
            let pick = match next_known {
                Some(k) if k < fresh || fresh >= completions => {
                    candidates.next();
                    k
                }
                _ if fresh < completions => {
                    fresh += 1;
                    fresh - 1
                }
                _ => break,
            };
            if self.index_is_pending(api, pick) {
                out.push(pick);
            } else if pick < self.fresh_index {
                stale.push(pick);
            }
        }
        drop(candidates);
        for s in stale {
            self.maybe_pending.remove(&s);
        }
        out.dedup();
        out
    }

    /// backoffLimitPerIndex: the indexes whose own delay has passed, or else the shortest wait.
    fn per_index_ready(&self, indexes: &[u32], fx: &Effects) -> (Vec<u32>, Option<Time>) {
        let mut ready = Vec::new();
        let mut wait: Option<Time> = None;
        for &ix in indexes {
            let f = self.index_failures[ix as usize];
            let remaining = if f.present {
                let d = backoff_delay(f.count + f.ignored, fx.cfg.pod_failure_backoff, fx.cfg.max_pod_failure_backoff);
                d.saturating_sub(fx.now.saturating_sub(f.finish))
            } else {
                0
            };
            if remaining == 0 {
                ready.push(ix);
            } else {
                wait = Some(wait.map_or(remaining, |w: Time| w.min(remaining)));
            }
        }
        (ready, wait)
    }

    /// The first pod failure policy rule that matches a failed pod: (action, rule index).
    fn match_failure_policy(&self, pod: &super::pod::Pod) -> (Option<FailureAction>, usize) {
        let Some(rules) = &self.spec.pod_failure_policy else { return (None, 0) };
        for (i, r) in rules.iter().enumerate() {
            if let Some(ec) = &r.on_exit_codes {
                let main = self.spec.containers.first().map(String::as_str).unwrap_or("");
                if ec.container.as_deref().is_some_and(|c| c != main) {
                    continue;
                }
                if let Some(code) = pod.exit_code.filter(|c| *c != 0) {
                    if ec.values.contains(&code) == ec.op_in {
                        return (Some(r.action), i);
                    }
                }
            } else if r.on_pod_conditions.iter().any(|c| c.status == "True" && pod.condition.as_deref() == Some(c.type_.as_str())) {
                return (Some(r.action), i);
            }
        }
        (None, 0)
    }

    fn fail_job_message(&self, pod: &super::pod::Pod, rule: usize) -> String {
        let mut name = String::new();
        crate::trace::Recorder::pod_name(&self.spec.name, pod.ordinal, pod.index, pod.attempt, &mut name);
        let rules = self.spec.pod_failure_policy.as_deref().unwrap_or(&[]);
        match rules.get(rule) {
            Some(r) if r.on_exit_codes.is_some() => format!(
                "Container {} for pod default/{name} failed with exit code {} matching FailJob rule at index {rule}",
                self.spec.containers.first().map(String::as_str).unwrap_or(""),
                pod.exit_code.unwrap_or(0)
            ),
            _ => {
                format!("Pod default/{name} has condition {} matching FailJob rule at index {rule}", pod.condition.as_deref().unwrap_or(""))
            }
        }
    }

    /// Index of the first success-policy rule met by the succeeded indexes.
    fn matched_success_rule(&self) -> Option<usize> {
        let rules = self.spec.success_policy.as_ref()?;
        rules.iter().position(|r| match (&r.indexes, r.count) {
            (Some(set), None) => {
                set.0.iter().all(|&(a, b)| (a..=b).all(|i| self.succeeded_indexes.get(i as usize).copied().unwrap_or(false)))
            }
            (None, Some(c)) => self.n_succeeded_indexes >= c,
            (Some(set), Some(c)) => {
                let n: u32 = set
                    .0
                    .iter()
                    .map(|&(a, b)| (a..=b).filter(|&i| self.succeeded_indexes.get(i as usize).copied().unwrap_or(false)).count() as u32)
                    .sum();
                n >= c
            }
            (None, None) => false,
        })
    }

    /// `spec.suspend` changed (a spec change syncs the Job at once).
    pub fn set_suspend(&mut self, suspend: bool, fx: &mut Effects) {
        if !self.created || self.spec.suspend == suspend {
            return;
        }
        self.spec.suspend = suspend;
        fx.rec.job_event(fx.now, EventKind::SpecChanged, self.id, format!("suspend={suspend}"));
        fx.enqueue_after(self.id, 0);
    }

    /// Mutable spec fields changed by a scenario event.
    pub fn apply_change(&mut self, c: &SpecChange, api: &mut ApiServer, fx: &mut Effects) {
        let mut parts = Vec::new();
        if let Some(p) = c.parallelism {
            self.spec.parallelism = p;
            parts.push(format!("parallelism={p}"));
        }
        if let Some(comp) = c.completions {
            self.resize_indexes(comp);
            parts.push(format!("completions={comp}"));
        }
        if let Some(b) = c.backoff_limit {
            self.spec.backoff_limit = b;
            parts.push(format!("backoffLimit={b}"));
        }
        if let Some(a) = c.active_deadline {
            self.spec.active_deadline = Some(a);
            parts.push(format!("activeDeadlineSeconds={}", a / 1000));
        }
        if let Some(t) = c.ttl_after_finished {
            self.spec.ttl_after_finished = Some(t);
            api.jobs[self.id as usize].keep_terminal = true;
            parts.push(format!("ttlSecondsAfterFinished={}", t / 1000));
            if let Some(f) = self.finished_at {
                fx.queue.push((f + t).max(fx.now), super::Event::TtlExpired(self.id));
            }
        }
        if let Some(m) = c.max_failed_indexes {
            self.spec.max_failed_indexes = Some(m);
            parts.push(format!("maxFailedIndexes={m}"));
        }
        fx.rec.job_event(fx.now, EventKind::SpecChanged, self.id, parts.join(" "));
        if self.created {
            fx.enqueue_after(self.id, 0);
        }
    }

    /// Elastic Indexed Jobs: completions change together with parallelism.
    fn resize_indexes(&mut self, completions: u32) {
        let n = completions as usize;
        let old = self.spec.completions.unwrap_or(0);
        self.spec.completions = Some(completions);
        if completions < old {
            // Succeeded indexes beyond the new range are dropped; counted failures stay.
            for i in n..self.succeeded_indexes.len() {
                if self.succeeded_indexes[i] {
                    self.n_succeeded_indexes -= 1;
                }
            }
            self.fresh_index = self.fresh_index.min(completions);
            self.maybe_pending = self.maybe_pending.range(..completions).copied().collect();
        } else {
            for i in old..completions.min(self.fresh_index) {
                self.maybe_pending.insert(i);
            }
        }
        self.succeeded_indexes.resize(n, false);
        if self.spec.backoff_limit_per_index.is_some() {
            for i in n..self.failed_indexes.len() {
                if self.failed_indexes[i] {
                    self.n_failed_indexes -= 1;
                }
            }
            self.failed_indexes.resize(n, false);
            self.index_failures.resize(n, IndexFailure::default());
        }
    }

    /// The TTL-after-finished controller's check (`processJob`): it re-reads the Job and deletes
    /// it only if `finish + ttl` has passed with the TTL as it is now (it may have changed).
    pub fn ttl_expired(&mut self, api: &mut ApiServer, fx: &mut Effects) {
        match (self.finished_at, self.spec.ttl_after_finished) {
            (Some(f), Some(ttl)) if f + ttl <= fx.now => {
                self.delete_job(api, fx, EndReason::TtlExpired, "the TTL controller deleted the Job");
            }
            _ => {}
        }
    }

    /// Failed pods held (finalizer kept) until their replacement exists.
    pub fn held_pods(&self) -> impl Iterator<Item = PodId> + '_ {
        self.delayed.values().map(|&(p, _)| p)
    }

    /// Deletes the Job (TTL or a user): its pods are deleted with it.
    pub fn delete_job(&mut self, api: &mut ApiServer, fx: &mut Effects, reason: EndReason, why: &str) {
        if self.deleted_at.is_some() || !self.created {
            return;
        }
        // A deleted Job's finalizers are all removed; nothing more is counted.
        for (_, (p, _)) in std::mem::take(&mut self.delayed) {
            api.remove_finalizer(fx, p);
        }
        self.deleted_at = Some(fx.now);
        fx.rec.job_event(fx.now, EventKind::JobDeleted, self.id, why.to_string());
        let j = self.id as usize;
        let live: Vec<PodId> = api.jobs[j].live.clone();
        for p in live {
            if api.delete_pod(fx, p, reason, true, false) {
                fx.deleted.push(p);
            }
        }
        let kept: Vec<PodId> = api.jobs[j].kept.clone();
        for p in kept {
            api.delete_pod(fx, p, reason, true, false);
        }
        api.release_kept(fx, self.id);
        api.jobs[j].keep_terminal = false;
    }
}

/// Finish time of a failed pod as the controller reads it (`getFinishedTime`): the container's
/// exit; for a pod deleted before it ended, the deletion request. Whole seconds, as the API stores it.
fn failure_finish_time(pod: &super::pod::Pod) -> Time {
    let t = match (pod.phase.is_terminal(), pod.finished, pod.deleted) {
        (true, Some(f), _) => f,
        (_, _, Some(d)) => d,
        _ => pod.created,
    };
    api_time(t)
}

fn pod_reason_for(reason: &str) -> EndReason {
    match reason {
        "BackoffLimitExceeded" => EndReason::BackoffLimitExceeded,
        "DeadlineExceeded" => EndReason::DeadlineExceeded,
        "PodFailurePolicy" => EndReason::PodFailurePolicy,
        "MaxFailedIndexesExceeded" => EndReason::MaxFailedIndexesExceeded,
        "FailedIndexes" => EndReason::FailedIndexes,
        _ => EndReason::DeletedByController,
    }
}

/// Compact interval string of set bits (`orderedIntervals.String`): two neighbours as `a,b`,
/// three or more as `a-b`.
pub fn interval_string(bits: &[bool]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < bits.len() {
        if !bits[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < bits.len() && bits[i + 1] {
            i += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        match i - start {
            0 => {
                let _ = write!(out, "{start}");
            }
            1 => {
                let _ = write!(out, "{start},{i}");
            }
            _ => {
                let _ = write!(out, "{start}-{i}");
            }
        }
        i += 1;
    }
    out
}
