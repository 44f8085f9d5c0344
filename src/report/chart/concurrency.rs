//! `concurrency.svg`: per Job, active / running / pending pods and succeeded count over time as
//! step lines (from the status samples), against the parallelism (which scenario events may
//! change) and the completions target.

use super::style::{self, *};
use super::{err, font::FAMILY, Chart, DrawResult, TimeAxis};
use crate::engine::Time;
use crate::scenario::Scenario;
use crate::trace::{EventKind, StatusSample};
use crate::Run;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Jobs drawn as panels of their own; beyond this, one panel of totals.
pub const MAX_PANELS: usize = 6;

/// One panel: a Job, or the total of all Jobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Caption.
    pub label: String,
    /// Status samples in time order (counts summed over Jobs for a total panel).
    pub samples: Vec<StatusSample>,
    /// Parallelism over time: (from, value).
    pub parallelism: Vec<(Time, u32)>,
    /// The completions target, if any.
    pub completions: Option<u32>,
}

/// The concurrency chart of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Concurrency {
    /// Title.
    pub title: String,
    /// Panels, top to bottom.
    pub panels: Vec<Panel>,
    /// End of the time axis (ms).
    pub end: Time,
}

const PANEL_H: u32 = 300;
const HEAD: u32 = 64;

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> DrawResult {
    let font = || (FAMILY, SMALL_SIZE).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = 12;
    let y = 48;
    let items: [(&str, RGBColor, u8); 6] = [
        ("running pods", RUNNING, 0),
        ("pending pods (stacked on running)", PENDING, 0),
        ("active (status.active)", INK, 1),
        ("succeeded (cumulative)", SUCCEEDED, 1),
        ("parallelism", REFERENCE, 2),
        ("completions", SUCCEEDED, 2),
    ];
    for (label, c, kind) in items {
        match kind {
            0 => area.draw(&Rectangle::new([(x, y - 6), (x + 22, y + 6)], c.mix(0.6).filled())).map_err(err)?,
            1 => area.draw(&PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(2))).map_err(err)?,
            _ => {
                area.draw(&PathElement::new(vec![(x, y), (x + 8, y)], c.stroke_width(1))).map_err(err)?;
                area.draw(&PathElement::new(vec![(x + 13, y), (x + 22, y)], c.stroke_width(1))).map_err(err)?;
            }
        }
        area.draw(&Text::new(label, (x + 28, y), font())).map_err(err)?;
        x += 28 + label.chars().count() as i32 * 13 / 2 + 24;
    }
    Ok(())
}

impl Concurrency {
    /// Builds the chart from a run.
    pub fn new(s: &Scenario, run: &Run) -> Concurrency {
        let end = super::gantt::run_end(run);
        let mut panels = Vec::new();
        if s.jobs.len() <= MAX_PANELS {
            for (j, jc) in s.jobs.iter().enumerate() {
                let samples: Vec<StatusSample> = run.samples.iter().filter(|x| x.job == j as u32).copied().collect();
                let mut par = vec![(jc.submit_at, jc.spec.parallelism)];
                for e in run.job_events.iter().filter(|e| e.job == j as u32 && e.kind == EventKind::SpecChanged) {
                    if let Some(v) = e.detail.split(' ').find_map(|p| p.strip_prefix("parallelism=")).and_then(|v| v.parse().ok()) {
                        par.push((e.time, v));
                    }
                }
                panels.push(Panel {
                    label: format!("{} — {}", jc.spec.name, super::gantt::spec_line(&jc.spec)),
                    samples,
                    parallelism: par,
                    completions: jc.spec.completions,
                });
            }
        } else {
            let mut cur = vec![StatusSample::default(); s.jobs.len()];
            let mut samples: Vec<StatusSample> = Vec::new();
            for x in &run.samples {
                cur[x.job as usize] = *x;
                let mut t = StatusSample { time: x.time, ..Default::default() };
                for c in &cur {
                    t.active += c.active;
                    t.running += c.running;
                    t.pending += c.pending;
                    t.succeeded += c.succeeded;
                    t.failed += c.failed;
                }
                match samples.last_mut() {
                    Some(l) if l.time == t.time => *l = t,
                    _ => samples.push(t),
                }
            }
            let total_par = s.jobs.iter().map(|j| j.spec.parallelism).sum();
            panels.push(Panel {
                label: format!("all {} Jobs together (summed)", s.jobs.len()),
                samples,
                parallelism: vec![(0, total_par)],
                completions: s.jobs.iter().map(|j| j.spec.completions).sum(),
            });
        }
        Concurrency { title: format!("Pods over time — scenario {} (seed {})", s.name, run.summary.seed), panels, end }
    }
}

fn steps(points: &[(Time, u32)], end: Time, axis: &TimeAxis) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 2);
    let mut prev: Option<u32> = None;
    for &(t, v) in points {
        if let Some(p) = prev {
            out.push((axis.units(t), p as f64));
        }
        out.push((axis.units(t), v as f64));
        prev = Some(v);
    }
    if let Some(p) = prev {
        out.push((axis.units(end), p as f64));
    }
    out
}

impl Chart for Concurrency {
    fn size(&self) -> (u32, u32) {
        (style::WIDTH, HEAD + PANEL_H * self.panels.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let axis = TimeAxis::new(self.end);
        let (title_area, body) = root.split_vertically(HEAD);
        title_area.draw(&Text::new(self.title.clone(), (12, 12), (FAMILY, TITLE_SIZE).into_font().color(&INK))).map_err(err)?;
        let areas = body.split_evenly((self.panels.len(), 1));
        for (p, area) in self.panels.iter().zip(areas.iter()) {
            let pts = |f: fn(&StatusSample) -> u32| -> Vec<(Time, u32)> { p.samples.iter().map(|s| (s.time, f(s))).collect() };
            let active = pts(|s| s.active);
            let running = pts(|s| s.running);
            let occupied = pts(|s| s.running + s.pending);
            let succeeded = pts(|s| s.succeeded);
            let mut ymax = p.parallelism.iter().map(|x| x.1).max().unwrap_or(1);
            for v in [&active, &occupied, &succeeded] {
                ymax = ymax.max(v.iter().map(|x| x.1).max().unwrap_or(0));
            }
            if let Some(c) = p.completions {
                ymax = ymax.max(c);
            }
            let ytop = (ymax as f64 * 1.15).ceil().max(2.0);
            let mut chart = ChartBuilder::on(area)
                .caption(p.label.clone(), (FAMILY, TEXT_SIZE))
                .margin_left(12)
                .margin_right(30)
                .margin_bottom(8)
                .x_label_area_size(42)
                .y_label_area_size(50)
                .build_cartesian_2d(0f64..axis.end, 0f64..ytop)
                .map_err(err)?;
            let ax = axis;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .bold_line_style(GRID)
                .x_labels((axis.end / axis.step).round() as usize + 1)
                .x_label_formatter(&|v| ax.tick_label(*v))
                .y_label_formatter(&|v| if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { String::new() })
                .x_desc(axis.label())
                .y_desc("pods")
                .label_style((FAMILY, SMALL_SIZE))
                .axis_desc_style((FAMILY, TEXT_SIZE))
                .draw()
                .map_err(err)?;
            // Stacked: pending (grey) on top of running (blue), then the lines.
            chart.draw_series(AreaSeries::new(steps(&occupied, self.end, &axis), 0.0, PENDING.mix(0.6))).map_err(err)?;
            chart.draw_series(AreaSeries::new(steps(&running, self.end, &axis), 0.0, RUNNING.mix(0.55))).map_err(err)?;
            chart.draw_series(LineSeries::new(steps(&active, self.end, &axis), INK.stroke_width(2))).map_err(err)?;
            chart.draw_series(LineSeries::new(steps(&succeeded, self.end, &axis), SUCCEEDED.stroke_width(2))).map_err(err)?;
            chart
                .draw_series(DashedLineSeries::new(steps(&p.parallelism, self.end, &axis), 8, 5, REFERENCE.stroke_width(1)))
                .map_err(err)?;
            if let Some(c) = p.completions {
                let line = vec![(0.0, c as f64), (axis.end, c as f64)];
                chart.draw_series(DashedLineSeries::new(line, 8, 5, SUCCEEDED.stroke_width(1))).map_err(err)?;
            }
        }
        draw_legend(&title_area)?;
        Ok(())
    }
}
