//! `timeline.svg`: a Gantt chart of pods. One lane per pod slot (a pod and the pods that replace
//! it share a lane; Indexed Jobs get a lane per index), grouped by Job; segments for pending /
//! start-up, running and terminating, coloured by outcome; bands for backoff waits and suspended
//! time; lines for the Job's Complete/Failed time and its deadline. Beyond [`LANE_LIMIT`] lanes
//! the chart switches to an aggregated view and says so. The same model feeds `compare.svg` and
//! the terminal timeline.

use super::style::{self, *};
use super::{err, font::FAMILY, Chart, DrawResult, TimeAxis};
use crate::engine::Time;
use crate::model::pod::{EndReason, PodPhase};
use crate::scenario::{JobSpec, Scenario};
use crate::trace::{EventKind, PodRecord};
use crate::Run;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

/// Beyond this many lanes the chart draws an aggregated view.
pub const LANE_LIMIT: usize = 200;
/// Beyond this many bar segments too (they would be narrower than a pixel, and the SVG huge).
pub const SEGMENT_LIMIT: usize = 20_000;

/// What a pod is doing during a segment of its lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SegKind {
    /// Created, not yet running (scheduling, image pull, start-up).
    Pending,
    /// Running when the simulation ended.
    Running,
    /// Ran and succeeded.
    Succeeded,
    /// Ran and failed.
    Failed,
    /// Ran until it was deleted.
    Deleted,
    /// Deleted, still shutting down.
    Terminating,
}

impl SegKind {
    /// Every kind, in legend order.
    pub const ALL: [SegKind; 6] =
        [SegKind::Pending, SegKind::Running, SegKind::Succeeded, SegKind::Failed, SegKind::Deleted, SegKind::Terminating];

    /// Its colour.
    pub fn color(self) -> RGBColor {
        match self {
            SegKind::Pending => PENDING,
            SegKind::Running => RUNNING,
            SegKind::Succeeded => SUCCEEDED,
            SegKind::Failed => FAILED,
            SegKind::Deleted => DELETED,
            SegKind::Terminating => TERMINATING,
        }
    }

    /// Its legend text.
    pub fn label(self) -> &'static str {
        match self {
            SegKind::Pending => "pending / start-up",
            SegKind::Running => "running at end",
            SegKind::Succeeded => "succeeded",
            SegKind::Failed => "failed",
            SegKind::Deleted => "deleted while running",
            SegKind::Terminating => "terminating",
        }
    }
}

/// A piece of a lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Start (ms).
    pub from: Time,
    /// End (ms).
    pub to: Time,
    /// What the pod is doing.
    pub kind: SegKind,
}

/// One pod slot.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lane {
    /// `index 3` or `slot 2`.
    pub label: String,
    /// Segments of every pod in the lane, in time order.
    pub segments: Vec<Segment>,
    /// In-place container restarts: (end of the pod's run, count).
    pub restarts: Vec<(Time, u32)>,
}

/// A shaded time window over a Job's lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandKind {
    /// The controller holds back replacements (pod-failure backoff).
    Backoff,
    /// `spec.suspend` is true.
    Suspended,
}

/// A vertical mark over a Job's lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LineKind {
    /// The `Complete` condition.
    Complete,
    /// The `Failed` condition.
    Failed,
    /// `startTime + activeDeadlineSeconds`.
    Deadline,
}

/// The lanes of one Job (of one variant, in `compare`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    /// The Job's name (with the variant's in front, in `compare`).
    pub label: String,
    /// Key spec fields.
    pub spec: String,
    /// How the Job ended.
    pub result: String,
    /// The lanes.
    pub lanes: Vec<Lane>,
    /// Backoff and suspend windows.
    pub bands: Vec<(Time, Time, BandKind)>,
    /// Condition and deadline marks.
    pub lines: Vec<(Time, LineKind)>,
}

/// A Gantt chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Gantt {
    /// First title line.
    pub title: String,
    /// Second line: key spec fields.
    pub subtitle: String,
    /// Groups, top to bottom.
    pub groups: Vec<Group>,
    /// Where the time axis ends (ms).
    pub end: Time,
    /// Lanes drawn one by one up to this many; aggregated beyond.
    pub lane_limit: usize,
    /// Whether group headers repeat the spec fields (not when the subtitle gives them).
    pub spec_in_groups: bool,
    /// Cluster marks across all groups: (time, label), e.g. a node going down.
    pub marks: Vec<(Time, String)>,
}

impl Group {
    /// The header line.
    pub fn heading(&self, with_spec: bool) -> String {
        if with_spec {
            format!("{} → {} — {}", self.label, self.result, self.spec)
        } else {
            format!("{} → {}", self.label, self.result)
        }
    }
}

fn secs_to_ms(s: f64) -> Time {
    (s * 1000.0).round().max(0.0) as Time
}

/// The segments of one pod; `end` closes what was still open when the run ended.
pub fn pod_segments(p: &PodRecord, end: Time) -> Vec<Segment> {
    let fin = p.finished.unwrap_or(end).max(p.created);
    // Deleted before it ended by itself (a pod killed at once ends at its deletion time).
    let del = p.deleted.filter(|d| *d < fin || (*d == fin && !matches!(p.reason, EndReason::Completed | EndReason::Error)));
    let run_end = del.unwrap_or(fin);
    let start = p.started.map(|s| s.clamp(p.created, run_end));
    let outcome = if del.is_some() {
        SegKind::Deleted
    } else {
        match p.phase {
            PodPhase::Succeeded => SegKind::Succeeded,
            PodPhase::Failed => SegKind::Failed,
            _ => SegKind::Running,
        }
    };
    let mut v = Vec::with_capacity(3);
    let pending_end = start.unwrap_or(run_end);
    if pending_end > p.created || start.is_none() {
        v.push(Segment { from: p.created, to: pending_end, kind: SegKind::Pending });
    }
    if let Some(s) = start {
        v.push(Segment { from: s, to: run_end, kind: outcome });
    }
    if let Some(d) = del.filter(|d| *d < fin) {
        v.push(Segment { from: d, to: fin, kind: SegKind::Terminating });
    }
    v
}

/// One line of key spec fields: `fixed-completions · completions 5 · parallelism 2 · backoffLimit 6`.
pub fn spec_line(spec: &JobSpec) -> String {
    let mut parts = vec![spec.mode().as_str().to_string()];
    if let Some(c) = spec.completions {
        parts.push(format!("completions {c}"));
    }
    parts.push(format!("parallelism {}", spec.parallelism));
    match spec.backoff_limit_per_index {
        Some(b) => parts.push(format!("backoffLimitPerIndex {b}")),
        None => parts.push(format!("backoffLimit {}", spec.backoff_limit)),
    }
    if let Some(d) = spec.active_deadline {
        parts.push(format!("activeDeadlineSeconds {}", d / 1000));
    }
    if spec.restart_policy == crate::scenario::spec::RestartPolicy::OnFailure {
        parts.push("restartPolicy OnFailure".into());
    }
    parts.join(" · ")
}

/// The end of a run's time axis (ms): the last thing drawn — a pod's end, a condition — or the
/// simulation's end when a pod was still running then (not the horizon after a quiet tail).
pub fn run_end(run: &Run) -> Time {
    let sim_end = secs_to_ms(run.summary.sim.end_time);
    let mut end = 0;
    for p in &run.pods {
        end = end.max(p.finished.unwrap_or(sim_end)).max(p.deleted.unwrap_or(0)).max(p.created);
    }
    for e in &run.job_events {
        if e.kind == EventKind::Condition {
            end = end.max(e.time);
        }
    }
    if end == 0 {
        sim_end
    } else {
        end
    }
}

/// The groups of a run, one per Job; `prefix` (a variant name) goes in front of each label.
pub fn job_groups(s: &Scenario, run: &Run, prefix: Option<&str>) -> Vec<Group> {
    let end = run_end(run);
    let mut by_job: BTreeMap<u32, Vec<&PodRecord>> = BTreeMap::new();
    for p in &run.pods {
        by_job.entry(p.job).or_default().push(p);
    }
    let mut groups = Vec::new();
    for (j, jc) in s.jobs.iter().enumerate() {
        let pods = by_job.remove(&(j as u32)).unwrap_or_default();
        let lanes = if jc.spec.indexed() { indexed_lanes(&pods, end) } else { slot_lanes(&pods, end) };
        let sum = run.summary.jobs.get(j);
        let result = match sum {
            Some(js) if js.outcome != "Running" => format!(
                "{} ({}) after {}",
                js.outcome,
                js.reason.as_deref().unwrap_or("-"),
                crate::scenario::duration::human(secs_to_ms(js.duration.unwrap_or(0.0)))
            ),
            _ => "still running at the end".to_string(),
        };
        let name = match prefix {
            Some(p) => format!("{p}: {}", jc.spec.name),
            None => jc.spec.name.clone(),
        };
        let mut g = Group { label: name, spec: spec_line(&jc.spec), result, lanes, bands: Vec::new(), lines: Vec::new() };
        // A wait ends early when the controller creates a pod anyway (a success resets the
        // backoff) or the Job ends.
        let wait_over = |t: Time| -> Time {
            let created = pods.iter().map(|p| p.created).filter(|c| *c > t).min();
            let ended = sum.and_then(|js| js.duration.zip(js.start_time)).map(|(d, st)| secs_to_ms(st + d)).filter(|e| *e > t);
            created.into_iter().chain(ended).min().unwrap_or(end)
        };
        let mut suspended_since = jc.spec.suspend.then_some(jc.submit_at);
        for e in run.job_events.iter().filter(|e| e.job == j as u32) {
            match e.kind {
                EventKind::BackoffWait => {
                    let until =
                        e.detail.rsplit("not before ").next().and_then(|v| v.trim().parse::<f64>().ok()).map(secs_to_ms).unwrap_or(e.time);
                    let until = until.min(wait_over(e.time));
                    if until > e.time {
                        g.bands.push((e.time, until, BandKind::Backoff));
                    }
                }
                EventKind::SpecChanged if e.detail == "suspend=true" => suspended_since = suspended_since.or(Some(e.time)),
                EventKind::SpecChanged if e.detail == "suspend=false" => {
                    if let Some(from) = suspended_since.take() {
                        g.bands.push((from, e.time, BandKind::Suspended));
                    }
                }
                EventKind::Condition if e.detail.starts_with("Complete=True") => g.lines.push((e.time, LineKind::Complete)),
                EventKind::Condition if e.detail.starts_with("Failed=True") => g.lines.push((e.time, LineKind::Failed)),
                _ => {}
            }
        }
        if let Some(from) = suspended_since {
            g.bands.push((from, end.max(from), BandKind::Suspended));
        }
        if let (Some(d), Some(start)) = (jc.spec.active_deadline, sum.and_then(|js| js.start_time)) {
            g.lines.push((secs_to_ms(start) + d, LineKind::Deadline));
        }
        groups.push(g);
    }
    groups
}

/// The node events worth a mark on the timeline: failures, recoveries, drains.
fn node_marks(run: &Run) -> Vec<(Time, String)> {
    run.node_events
        .iter()
        .filter_map(|e| {
            let what = match e.kind {
                EventKind::NodeNotReady => "down",
                EventKind::NodeReady => "up",
                EventKind::NodeCordoned => "drained",
                _ => return None,
            };
            Some((e.time, format!("{} {what}", e.node)))
        })
        .collect()
}

fn push_pod(lane: &mut Lane, p: &PodRecord, end: Time) {
    let segs = pod_segments(p, end);
    if p.restarts > 0 {
        let at = segs.iter().find(|s| s.kind != SegKind::Pending && s.kind != SegKind::Terminating).map(|s| s.to).unwrap_or(p.created);
        lane.restarts.push((at, p.restarts));
    }
    lane.segments.extend(segs);
}

/// NonIndexed: a pod takes the first lane whose previous pod has ended.
fn slot_lanes(pods: &[&PodRecord], end: Time) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    let mut free_at: Vec<Time> = Vec::new();
    for p in pods {
        let fin = p.finished.unwrap_or(end).max(p.created);
        let i = match free_at.iter().position(|f| *f <= p.created) {
            Some(i) => i,
            None => {
                lanes.push(Lane { label: format!("slot {}", lanes.len() + 1), ..Default::default() });
                free_at.push(0);
                lanes.len() - 1
            }
        };
        free_at[i] = fin;
        push_pod(&mut lanes[i], p, end);
    }
    lanes
}

/// Indexed: one lane per completion index, holding every attempt of it.
fn indexed_lanes(pods: &[&PodRecord], end: Time) -> Vec<Lane> {
    let mut by_index: BTreeMap<u32, Lane> = BTreeMap::new();
    for p in pods {
        let i = p.index.unwrap_or(0);
        let lane = by_index.entry(i).or_insert_with(|| Lane { label: format!("index {i}"), ..Default::default() });
        push_pod(lane, p, end);
    }
    by_index.into_values().collect()
}

impl Gantt {
    /// The timeline of a run.
    pub fn timeline(s: &Scenario, run: &Run) -> Gantt {
        let groups = job_groups(s, run, None);
        let mut subtitle = match s.jobs.as_slice() {
            [one] => format!("Job {}: {}", one.spec.name, spec_line(&one.spec)),
            many => format!("{} Jobs", many.len()),
        };
        if run.pods_truncated {
            let total: u64 = run.summary.jobs.iter().map(|j| j.pods_created as u64).sum();
            subtitle += &format!(" — the first {} of {total} pods retired are drawn (pods.csv has all)", run.pods.len());
        }
        Gantt {
            title: format!("Pod timeline — scenario {} (seed {})", s.name, run.summary.seed),
            subtitle,
            groups,
            end: run_end(run),
            lane_limit: LANE_LIMIT,
            spec_in_groups: s.jobs.len() != 1,
            marks: node_marks(run),
        }
    }

    /// Total number of lanes.
    pub fn lane_count(&self) -> usize {
        self.groups.iter().map(|g| g.lanes.len()).sum()
    }

    /// Lanes per drawn row: 1, or more in the aggregated view.
    pub fn lanes_per_row(&self) -> usize {
        let n = self.lane_count();
        if n <= self.lane_limit {
            1
        } else {
            n.div_ceil(self.lane_limit)
        }
    }

    /// Total number of bar segments.
    pub fn segment_count(&self) -> usize {
        self.groups.iter().flat_map(|g| &g.lanes).map(|l| l.segments.len()).sum()
    }

    /// Whether the chart draws the aggregated view (too many lanes or too many segments).
    pub fn aggregated(&self) -> bool {
        self.lane_count() > self.lane_limit || self.segment_count() > SEGMENT_LIMIT
    }

    fn rows(&self) -> usize {
        let k = self.lanes_per_row();
        self.groups.iter().map(|g| g.lanes.len().div_ceil(k)).sum()
    }

    fn row_height(&self) -> i32 {
        match self.rows() {
            0..=25 => 20,
            26..=60 => 12,
            n => (600 / n as i32).clamp(3, 8),
        }
    }

    fn legend_rows(&self) -> i32 {
        2
    }
}

const LEFT: i32 = 200;
const RIGHT: i32 = 40;
const HEADER: i32 = 22;
const GAP: i32 = 8;
const TOP: i32 = 64;
const LEGEND_ROW: i32 = 22;
const BOTTOM: i32 = 60;

fn text_style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&color).pos(Pos::new(h, v))
}

/// `s`, cut to `n` characters with an ellipsis.
pub(crate) fn clip_text(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n.saturating_sub(1)).chain(['…']).collect()
    }
}

fn bold_style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FAMILY, size, FontStyle::Bold).into_font().color(&color).pos(Pos::new(h, v))
}

impl Chart for Gantt {
    fn size(&self) -> (u32, u32) {
        let body: i32 = self.groups.len() as i32 * (HEADER + GAP) + self.rows() as i32 * self.row_height();
        (style::WIDTH, (TOP + self.legend_rows() * LEGEND_ROW + 10 + body + BOTTOM) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let (w, h) = self.size();
        let (w, h) = (w as i32, h as i32);
        let axis = TimeAxis::new(self.end);
        let plot_w = (w - LEFT - RIGHT) as f64;
        let x = |t: Time| LEFT + (axis.units(t) / axis.end * plot_w).round() as i32;
        let xu = |u: f64| LEFT + (u / axis.end * plot_w).round() as i32;
        let top = TOP + self.legend_rows() * LEGEND_ROW + 10;
        let bottom = h - BOTTOM;
        root.draw(&Text::new(self.title.clone(), (12, 10), text_style(TITLE_SIZE, INK, HPos::Left, VPos::Top))).map_err(err)?;
        root.draw(&Text::new(self.subtitle.clone(), (12, 38), text_style(TEXT_SIZE, MUTED, HPos::Left, VPos::Top))).map_err(err)?;
        draw_legend(root, TOP, w)?;
        // Grid and axis.
        for v in axis.ticks() {
            let px = xu(v);
            root.draw(&PathElement::new(vec![(px, top), (px, bottom)], GRID.stroke_width(1))).map_err(err)?;
            root.draw(&PathElement::new(vec![(px, bottom), (px, bottom + 5)], INK.stroke_width(1))).map_err(err)?;
            root.draw(&Text::new(axis.tick_label(v), (px, bottom + 8), text_style(SMALL_SIZE, INK, HPos::Center, VPos::Top)))
                .map_err(err)?;
        }
        root.draw(&PathElement::new(vec![(LEFT, bottom), (w - RIGHT, bottom)], INK.stroke_width(1))).map_err(err)?;
        root.draw(&Text::new(axis.label(), (LEFT + plot_w as i32 / 2, bottom + 28), text_style(TEXT_SIZE, INK, HPos::Center, VPos::Top)))
            .map_err(err)?;
        let k = self.lanes_per_row();
        let aggregated = self.aggregated();
        if aggregated {
            let why = if k > 1 {
                format!("{} pod lanes are more than {}, so each row stands for {k} lanes", self.lane_count(), self.lane_limit)
            } else {
                format!("{} bar segments are more than {SEGMENT_LIMIT}, so time is cut into cells", self.segment_count())
            };
            let note = format!("Aggregated view: {why}; colour = most common state, shade = share of the row's lane-time.");
            root.draw(&Text::new(note, (12, h - 18), text_style(SMALL_SIZE, FAILED, HPos::Left, VPos::Top))).map_err(err)?;
        }
        let rh = self.row_height();
        let bar_h = ((rh as f64) * 0.7).round().max(2.0) as i32;
        let mut y = top;
        for g in &self.groups {
            let rows = g.lanes.len().div_ceil(k) as i32;
            let g_top = y;
            let g_bottom = y + HEADER + rows * rh;
            root.draw(&PathElement::new(vec![(12, g_top), (w - RIGHT, g_top)], MUTED.stroke_width(1))).map_err(err)?;
            root.draw(&Text::new(
                clip_text(&g.heading(self.spec_in_groups), (w - 24) as usize / 7),
                (12, g_top + 4),
                text_style(TEXT_SIZE, INK, HPos::Left, VPos::Top),
            ))
            .map_err(err)?;
            let lanes_top = g_top + HEADER;
            for &(from, to, kind) in &g.bands {
                let c = match kind {
                    BandKind::Backoff => BACKOFF.mix(0.35),
                    BandKind::Suspended => SUSPENDED.mix(0.25),
                };
                let (x0, x1) = (x(from), x(to).max(x(from) + 1));
                root.draw(&Rectangle::new([(x0, lanes_top), (x1, g_bottom)], c.filled())).map_err(err)?;
            }
            if !aggregated {
                for (i, lane) in g.lanes.iter().enumerate() {
                    let ly = lanes_top + i as i32 * rh;
                    let by = ly + (rh - bar_h) / 2;
                    if rh >= 10 {
                        root.draw(&Text::new(
                            lane.label.clone(),
                            (LEFT - 8, ly + rh / 2),
                            text_style(SMALL_SIZE, MUTED, HPos::Right, VPos::Center),
                        ))
                        .map_err(err)?;
                    }
                    for s in &lane.segments {
                        let (x0, x1) = (x(s.from), x(s.to).max(x(s.from) + 1));
                        root.draw(&Rectangle::new([(x0, by), (x1, by + bar_h)], s.kind.color().filled())).map_err(err)?;
                    }
                    if rh >= 10 {
                        for &(at, n) in &lane.restarts {
                            root.draw(&Text::new(
                                format!("↻{n}"),
                                (x(at) + 3, ly + rh / 2),
                                text_style(SMALL_SIZE, INK, HPos::Left, VPos::Center),
                            ))
                            .map_err(err)?;
                        }
                    }
                }
            } else {
                draw_aggregated(root, g, k, lanes_top, rh, &x, self.end)?;
            }
            // The header already says how the Job ended; only the deadline gets a label.
            let mut lines = g.lines.clone();
            lines.sort();
            for (at, kind) in lines {
                let c = match kind {
                    LineKind::Complete => SUCCEEDED,
                    LineKind::Failed => FAILED,
                    LineKind::Deadline => DEADLINE,
                };
                let px = x(at);
                root.draw(&PathElement::new(vec![(px, lanes_top - 2), (px, g_bottom)], c.stroke_width(2))).map_err(err)?;
                if kind == LineKind::Deadline {
                    let text = format!("deadline {}", crate::scenario::duration::human(at));
                    root.draw(&Text::new(text, (px - 4, lanes_top + 2), bold_style(SMALL_SIZE, c, HPos::Right, VPos::Top))).map_err(err)?;
                }
            }
            y = g_bottom + GAP;
        }
        // Node failures and drains cut across every Job: a dashed line over the whole plot.
        for (i, (at, label)) in self.marks.iter().enumerate() {
            let px = x(*at);
            let mut y0 = top;
            while y0 < bottom {
                let y1 = (y0 + 6).min(bottom);
                root.draw(&PathElement::new(vec![(px, y0), (px, y1)], NODE_MARK.stroke_width(2))).map_err(err)?;
                y0 += 10;
            }
            // Stagger labels so marks close in time stay readable.
            let ly = top + 2 + (i as i32 % 3) * 14;
            root.draw(&Text::new(label.clone(), (px + 4, ly), bold_style(SMALL_SIZE, NODE_MARK, HPos::Left, VPos::Top))).map_err(err)?;
        }
        Ok(())
    }
}

fn draw_legend<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, y0: i32, w: i32) -> DrawResult {
    let mut items: Vec<(String, RGBColor, u8)> = SegKind::ALL.iter().map(|k| (k.label().to_string(), k.color(), 0)).collect();
    items.push(("backoff wait".into(), BACKOFF, 1));
    items.push(("suspended".into(), SUSPENDED, 1));
    items.push(("Complete".into(), SUCCEEDED, 2));
    items.push(("Failed".into(), FAILED, 2));
    items.push(("deadline".into(), DEADLINE, 2));
    items.push(("node down / up / drained".into(), NODE_MARK, 2));
    items.push(("↻N restarts".into(), INK, 3));
    let (mut x, mut y) = (12, y0);
    for (label, c, shape) in items {
        let item_w = 24 + label.chars().count() as i32 * 13 / 2;
        if x + item_w > w - RIGHT {
            x = 12;
            y += LEGEND_ROW;
        }
        let cy = y + 8;
        match shape {
            0 => root.draw(&Circle::new((x + 6, cy), 6, c.filled())).map_err(err)?,
            1 => root.draw(&Circle::new((x + 6, cy), 6, c.mix(if c == BACKOFF { 0.5 } else { 0.35 }).filled())).map_err(err)?,
            2 => root.draw(&PathElement::new(vec![(x + 6, cy - 7), (x + 6, cy + 7)], c.stroke_width(2))).map_err(err)?,
            _ => {}
        }
        let tx = if shape == 3 { x } else { x + 18 };
        root.draw(&Text::new(label.clone(), (tx, cy), text_style(SMALL_SIZE, INK, HPos::Left, VPos::Center))).map_err(err)?;
        x = tx + label.chars().count() as i32 * 13 / 2 + 18;
    }
    Ok(())
}

/// Aggregated rows: `k` lanes per row, time cut into cells of a few pixels; each cell takes the
/// colour of the state that fills most of its lane-time, shaded by how full it is.
fn draw_aggregated<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    g: &Group,
    k: usize,
    top: i32,
    rh: i32,
    x: &dyn Fn(Time) -> i32,
    end: Time,
) -> DrawResult {
    let cells = 300usize;
    let cell_ms = (end.max(1) as f64 / cells as f64).max(1.0);
    for (r, chunk) in g.lanes.chunks(k).enumerate() {
        let mut occ = vec![[0f64; 6]; cells];
        for lane in chunk {
            for s in &lane.segments {
                let (a, b) = (s.from as f64, s.to as f64);
                let c0 = ((a / cell_ms) as usize).min(cells - 1);
                let c1 = ((b / cell_ms) as usize).min(cells - 1);
                for (c, o) in occ.iter_mut().enumerate().take(c1 + 1).skip(c0) {
                    let lo = a.max(c as f64 * cell_ms);
                    let hi = b.min((c + 1) as f64 * cell_ms);
                    if hi > lo {
                        o[s.kind as usize] += hi - lo;
                    }
                }
            }
        }
        let y0 = top + r as i32 * rh;
        let mut run: Option<(usize, RGBColor)> = None;
        let flush = |from: usize, to: usize, c: RGBColor| -> DrawResult {
            let t0 = (from as f64 * cell_ms) as Time;
            let t1 = (to as f64 * cell_ms) as Time;
            root.draw(&Rectangle::new([(x(t0), y0), (x(t1).max(x(t0) + 1), y0 + rh)], c.filled())).map_err(err)
        };
        for (c, o) in occ.iter().enumerate() {
            let total: f64 = o.iter().sum();
            let color = if total <= 0.0 {
                None
            } else {
                let (best, _) = o.iter().enumerate().fold((0, -1.0), |acc, (i, v)| if *v > acc.1 { (i, *v) } else { acc });
                let share = total / (cell_ms * chunk.len() as f64);
                let level = ((share * 4.0).ceil() / 4.0).clamp(0.25, 1.0);
                Some(tint(SegKind::ALL[best].color(), level))
            };
            match (run, color) {
                (Some((_, rc)), Some(cc)) if rc == cc => {}
                (prev, cc) => {
                    if let Some((from, rc)) = prev {
                        flush(from, c, rc)?;
                    }
                    run = cc.map(|cc| (c, cc));
                }
            }
        }
        if let Some((from, rc)) = run {
            flush(from, cells, rc)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(
        created: Time,
        started: Option<Time>,
        finished: Option<Time>,
        deleted: Option<Time>,
        phase: PodPhase,
        reason: EndReason,
    ) -> PodRecord {
        PodRecord {
            job: 0,
            name: "p".into(),
            ordinal: 0,
            index: None,
            attempt: None,
            created,
            scheduled: Some(created),
            started,
            finished,
            deleted,
            phase,
            exit_code: None,
            restarts: 0,
            reason,
            node: None,
        }
    }

    #[test]
    fn segments_follow_the_pod_lifecycle() {
        let kinds = |p: &PodRecord| pod_segments(p, 100_000).iter().map(|s| (s.from, s.to, s.kind)).collect::<Vec<_>>();
        let ok = pod(0, Some(1_000), Some(11_000), None, PodPhase::Succeeded, EndReason::Completed);
        assert_eq!(kinds(&ok), [(0, 1_000, SegKind::Pending), (1_000, 11_000, SegKind::Succeeded)]);
        let killed = pod(0, Some(1_000), Some(8_000), Some(5_000), PodPhase::Failed, EndReason::DeletedByController);
        assert_eq!(kinds(&killed), [(0, 1_000, SegKind::Pending), (1_000, 5_000, SegKind::Deleted), (5_000, 8_000, SegKind::Terminating)]);
        let at_once = pod(0, Some(0), Some(5_000), Some(5_000), PodPhase::Failed, EndReason::BackoffLimitExceeded);
        assert_eq!(kinds(&at_once), [(0, 5_000, SegKind::Deleted)]);
        let still = pod(2_000, Some(3_000), None, None, PodPhase::Running, EndReason::None);
        assert_eq!(kinds(&still), [(2_000, 3_000, SegKind::Pending), (3_000, 100_000, SegKind::Running)]);
    }
}
