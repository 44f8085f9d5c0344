//! `histogram.svg` of Job durations over replications, and the small SVG writer it shares with the
//! sweep chart. Binning is ours (integer arithmetic on sorted data) and text is written as SVG
//! `<text>` elements, so the bytes are deterministic and no font file is needed.

use crate::montecarlo::Replication;
use crate::scenario::Scenario;
use crate::stats::quantile;
use std::fmt::Write;

/// A minimal SVG document writer.
pub struct Svg {
    w: f64,
    h: f64,
    body: String,
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl Svg {
    /// A blank white document of `w` × `h` pixels.
    pub fn new(w: f64, h: f64) -> Svg {
        let mut s = Svg { w, h, body: String::new() };
        s.rect(0.0, 0.0, w, h, "#ffffff", None);
        s
    }
    /// A filled rectangle with an optional tooltip.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, title: Option<&str>) {
        let _ = write!(self.body, r#"<rect x="{x:.2}" y="{y:.2}" width="{:.2}" height="{:.2}" fill="{fill}""#, w.max(0.0), h.max(0.0));
        match title {
            Some(t) => {
                let _ = writeln!(self.body, "><title>{}</title></rect>", esc(t));
            }
            None => self.body.push_str("/>\n"),
        }
    }
    /// A line.
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, width: f64, dash: bool) {
        let _ = writeln!(
            self.body,
            r#"<line x1="{x1:.2}" y1="{y1:.2}" x2="{x2:.2}" y2="{y2:.2}" stroke="{stroke}" stroke-width="{width}"{}/>"#,
            if dash { r#" stroke-dasharray="4 3""# } else { "" }
        );
    }
    /// Text; `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, s: &str) {
        self.text_fill(x, y, size, anchor, "#222", s);
    }
    /// Text in a colour.
    pub fn text_fill(&mut self, x: f64, y: f64, size: f64, anchor: &str, fill: &str, s: &str) {
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.2}" y="{y:.2}" font-family="DejaVu Sans, Arial, sans-serif" font-size="{size}" text-anchor="{anchor}" fill="{fill}">{}</text>"#,
            esc(s)
        );
    }
    /// Text rotated by −90° around its anchor (a y-axis label).
    pub fn vtext(&mut self, x: f64, y: f64, size: f64, s: &str) {
        let _ = writeln!(
            self.body,
            r##"<text x="{x:.2}" y="{y:.2}" font-family="DejaVu Sans, Arial, sans-serif" font-size="{size}" text-anchor="middle" fill="#222" transform="rotate(-90 {x:.2} {y:.2})">{}</text>"##,
            esc(s)
        );
    }
    /// An open polyline.
    pub fn polyline(&mut self, pts: &[(f64, f64)], stroke: &str, width: f64) {
        let p: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect();
        let _ = writeln!(self.body, r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="{width}"/>"#, p.join(" "));
    }
    /// A filled polygon.
    pub fn polygon(&mut self, pts: &[(f64, f64)], fill: &str, opacity: f64) {
        let p: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect();
        let _ = writeln!(self.body, r#"<polygon points="{}" fill="{fill}" fill-opacity="{opacity}" stroke="none"/>"#, p.join(" "));
    }
    /// A small circle.
    pub fn dot(&mut self, x: f64, y: f64, r: f64, fill: &str) {
        let _ = writeln!(self.body, r#"<circle cx="{x:.2}" cy="{y:.2}" r="{r}" fill="{fill}"/>"#);
    }
    /// The document.
    pub fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n{}</svg>\n",
            self.body,
            w = self.w,
            h = self.h
        )
    }
}

/// Round tick values covering [lo, hi], about `n` of them.
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi <= lo || hi.is_nan() || !lo.is_finite() || !hi.is_finite() {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Formats a tick value compactly.
pub fn fmt_num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e9 {
        format!("{}", v as i64)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        let t = format!("{v:.3}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A plotting area: pixel rectangle and data ranges.
pub struct Frame {
    /// Left pixel.
    pub x0: f64,
    /// Top pixel.
    pub y0: f64,
    /// Width in pixels.
    pub w: f64,
    /// Height in pixels.
    pub h: f64,
    /// Data x range.
    pub xr: (f64, f64),
    /// Data y range.
    pub yr: (f64, f64),
}

impl Frame {
    /// Pixel x of a data x.
    pub fn px(&self, x: f64) -> f64 {
        let (a, b) = self.xr;
        self.x0 + if b > a { (x - a) / (b - a) * self.w } else { self.w / 2.0 }
    }
    /// Pixel y of a data y.
    pub fn py(&self, y: f64) -> f64 {
        let (a, b) = self.yr;
        self.y0 + self.h - if b > a { (y - a) / (b - a) * self.h } else { self.h / 2.0 }
    }
    /// Draws the axes, grid, ticks and labels.
    pub fn axes(&self, svg: &mut Svg, xlabel: &str, ylabel: &str) {
        for t in ticks(self.yr.0, self.yr.1, 5) {
            let y = self.py(t);
            svg.line((self.x0, y), (self.x0 + self.w, y), "#e5e5e5", 1.0, false);
            svg.text(self.x0 - 6.0, y + 4.0, 11.0, "end", &fmt_num(t));
        }
        for t in ticks(self.xr.0, self.xr.1, 8) {
            let x = self.px(t);
            svg.line((x, self.y0 + self.h), (x, self.y0 + self.h + 4.0), "#444", 1.0, false);
            svg.text(x, self.y0 + self.h + 17.0, 11.0, "middle", &fmt_num(t));
        }
        svg.line((self.x0, self.y0 + self.h), (self.x0 + self.w, self.y0 + self.h), "#444", 1.0, false);
        svg.line((self.x0, self.y0), (self.x0, self.y0 + self.h), "#444", 1.0, false);
        svg.text(self.x0 + self.w / 2.0, self.y0 + self.h + 34.0, 12.0, "middle", xlabel);
        svg.vtext(self.x0 - 42.0, self.y0 + self.h / 2.0, 12.0, ylabel);
    }
}

/// Colour of Complete runs.
pub const GREEN: &str = "#2ca02c";
/// Colour of Failed runs.
pub const RED: &str = "#d62728";

/// `histogram.svg`: per Job, a histogram of duration over the replications in which it finished,
/// Complete and Failed stacked, with the median and 95th percentile marked.
pub fn histogram_svg(s: &Scenario, reps: &[Replication]) -> String {
    let panel_h = 300.0;
    let width = 860.0;
    let mut svg = Svg::new(width, 40.0 + panel_h * s.jobs.len() as f64);
    svg.text(width / 2.0, 24.0, 15.0, "middle", &format!("{}: Job duration over {} replications", s.name, reps.len()));
    for (j, cfg) in s.jobs.iter().enumerate() {
        let top = 40.0 + panel_h * j as f64;
        let mut all: Vec<(f64, bool)> =
            reps.iter().filter_map(|r| r.jobs[j].duration.map(|d| (d, r.jobs[j].outcome == "Complete"))).collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        let unfinished = reps.len() - all.len();
        let title = format!(
            "job {}: {} finished ({} Complete, {} Failed){}",
            cfg.spec.name,
            all.len(),
            all.iter().filter(|a| a.1).count(),
            all.iter().filter(|a| !a.1).count(),
            if unfinished > 0 { format!(", {unfinished} still running at the end") } else { String::new() }
        );
        svg.text(80.0, top + 18.0, 13.0, "start", &title);
        // Legend: what the two colours mean, at the panel's top right.
        let lx = width - 40.0 - 170.0;
        for (k, (fill, label)) in [(GREEN, "Complete"), (RED, "Failed")].iter().enumerate() {
            let x = lx + k as f64 * 90.0;
            svg.rect(x, top + 8.0, 12.0, 12.0, fill, None);
            svg.text(x + 16.0, top + 18.0, 12.0, "start", label);
        }
        if all.is_empty() {
            continue;
        }
        let values: Vec<f64> = all.iter().map(|a| a.0).collect();
        let (lo, hi) = (values[0], values[values.len() - 1]);
        let nbins = ((values.len() as f64).sqrt().ceil() as usize).clamp(1, 50);
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, lo + 0.5) };
        let width_bin = (hi - lo) / nbins as f64;
        let mut bins = vec![(0u64, 0u64); nbins];
        for (v, ok) in &all {
            let b = (((v - lo) / width_bin).floor() as usize).min(nbins - 1);
            if *ok {
                bins[b].0 += 1;
            } else {
                bins[b].1 += 1;
            }
        }
        let ymax = bins.iter().map(|b| b.0 + b.1).max().unwrap_or(1) as f64;
        let f = Frame { x0: 80.0, y0: top + 30.0, w: width - 120.0, h: panel_h - 90.0, xr: (lo, hi), yr: (0.0, ymax * 1.08) };
        f.axes(&mut svg, "Job duration (s)", "replications");
        for (i, (ok, bad)) in bins.iter().enumerate() {
            let a = lo + i as f64 * width_bin;
            let b = a + width_bin;
            let (x1, x2) = (f.px(a), f.px(b));
            let tip = format!("{}..{} s: {} Complete, {} Failed", fmt_num(a), fmt_num(b), ok, bad);
            let y_ok = f.py(*ok as f64);
            svg.rect(x1 + 0.5, y_ok, (x2 - x1 - 1.0).max(0.5), f.py(0.0) - y_ok, GREEN, Some(&tip));
            let y_bad = f.py((*ok + *bad) as f64);
            svg.rect(x1 + 0.5, y_bad, (x2 - x1 - 1.0).max(0.5), y_ok - y_bad, RED, Some(&tip));
        }
        for (q, label) in [(0.5, "p50"), (0.95, "p95")] {
            let v = quantile(&values, q).expect("non-empty");
            let x = f.px(v);
            svg.line((x, f.y0), (x, f.y0 + f.h), "#1e3a8a", 1.5, true);
            svg.text(x + 3.0, f.y0 + 12.0, 11.0, "start", &format!("{label} {}s", fmt_num((v * 10.0).round() / 10.0)));
        }
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_finished_replication() {
        use crate::montecarlo::{JobOutcome, Replication};
        let s = crate::scenario::load_str(
            "name: h\njobs:\n  - manifest: { apiVersion: batch/v1, kind: Job, metadata: { name: j }, spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: i }] } } } }\n",
            "h.yaml".as_ref(),
            &Default::default(),
        )
        .unwrap();
        let rep = |i: u64, d: Option<f64>, outcome: &str| Replication {
            index: i,
            seed: i,
            end_time: 0.0,
            jobs: vec![JobOutcome {
                outcome: outcome.into(),
                reason: None,
                duration: d,
                pods_created: 1,
                succeeded: 1,
                failed: 0,
                max_active: 1,
            }],
        };
        let reps: Vec<Replication> = (0..9)
            .map(|i| rep(i, Some(10.0 + i as f64), if i % 3 == 0 { "Failed" } else { "Complete" }))
            .chain([rep(9, None, "Running")])
            .collect();
        let svg = histogram_svg(&s, &reps);
        assert!(svg.contains("9 finished (6 Complete, 3 Failed), 1 still running at the end"), "{svg}");
        assert_eq!(svg, histogram_svg(&s, &reps));
        // 3 bins (√9): each tooltip names its counts, and together they hold every replication.
        let total: u64 = svg
            .match_indices("<title>")
            .map(|(i, _)| {
                let t = &svg[i..svg[i..].find("</title>").unwrap() + i];
                let n = |w: &str| t.split(w).next().unwrap().rsplit(' ').next().unwrap().parse::<u64>().unwrap();
                n(" Complete") + n(" Failed")
            })
            .sum::<u64>();
        assert_eq!(total, 2 * 9, "each bin has a Complete and a Failed rectangle with the same tooltip");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(3.0, 3.0, 5), vec![3.0]);
    }

    #[test]
    fn text_is_svg_text_without_a_font() {
        let mut s = Svg::new(10.0, 10.0);
        s.text(1.0, 1.0, 10.0, "start", "a < b");
        let out = s.finish();
        assert!(out.contains("<text") && out.contains("a &lt; b"));
    }
}
