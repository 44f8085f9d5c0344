//! `sweep.svg`: for one parameter, per Job the median duration with its p5–p95 band and P(Failed)
//! with its Wilson interval; for two parameters, heat maps of median duration and P(Failed).

use super::histogram::{fmt_num, Frame, Svg, RED};
use crate::sweep::{Param, Point};

const BLUE: &str = "#1f77b4";

fn line_chart(params: &[Param], pts: &[Point], title: &str) -> String {
    let njobs = pts.first().map_or(0, |p| p.stats.jobs.len());
    let (width, panel) = (860.0, 250.0);
    let mut svg = Svg::new(width, 40.0 + 2.0 * panel * njobs as f64);
    svg.text(width / 2.0, 24.0, 15.0, "middle", title);
    let xs: Vec<f64> = pts.iter().map(|p| p.values[0]).collect();
    let xr = (xs.iter().copied().fold(f64::INFINITY, f64::min), xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    for j in 0..njobs {
        let name = &pts[0].stats.jobs[j].name;
        let top = 40.0 + 2.0 * panel * j as f64;
        // Duration: p5–p95 band and median.
        let d: Vec<(f64, f64, f64, f64)> = pts
            .iter()
            .filter_map(|p| p.stats.jobs[j].duration.as_ref().map(|d| (p.values[0], d.p5.value, d.p50.value, d.p95.value)))
            .collect();
        let ymax = d.iter().map(|t| t.3).fold(0.0, f64::max).max(1.0);
        let f = Frame { x0: 80.0, y0: top + 30.0, w: width - 120.0, h: panel - 80.0, xr, yr: (0.0, ymax * 1.05) };
        svg.text(80.0, top + 18.0, 13.0, "start", &format!("job {name}: duration (s), median with p5–p95 band"));
        f.axes(&mut svg, &params[0].path, "duration (s)");
        if !d.is_empty() {
            let mut band: Vec<(f64, f64)> = d.iter().map(|t| (f.px(t.0), f.py(t.3))).collect();
            band.extend(d.iter().rev().map(|t| (f.px(t.0), f.py(t.1))));
            svg.polygon(&band, BLUE, 0.2);
            let med: Vec<(f64, f64)> = d.iter().map(|t| (f.px(t.0), f.py(t.2))).collect();
            svg.polyline(&med, BLUE, 2.0);
            for (x, y) in &med {
                svg.dot(*x, *y, 2.5, BLUE);
            }
        }
        // P(Failed) with the Wilson interval.
        let top = top + panel;
        let f = Frame { x0: 80.0, y0: top + 30.0, w: width - 120.0, h: panel - 80.0, xr, yr: (0.0, 1.0) };
        svg.text(80.0, top + 18.0, 13.0, "start", &format!("job {name}: P(Failed) with 95% Wilson interval"));
        f.axes(&mut svg, &params[0].path, "P(Failed)");
        let mut line = Vec::new();
        for p in pts {
            if let Some(o) = p.stats.jobs[j].outcomes.get("Failed") {
                let x = f.px(p.values[0]);
                svg.line((x, f.py(o.share.ci95.lo)), (x, f.py(o.share.ci95.hi)), RED, 1.0, false);
                line.push((x, f.py(o.share.probability)));
            }
        }
        svg.polyline(&line, RED, 1.5);
        for (x, y) in &line {
            svg.dot(*x, *y, 2.5, RED);
        }
    }
    svg.finish()
}

/// White to dark blue.
fn colour(t: f64) -> String {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", lerp(247.0, 8.0), lerp(251.0, 48.0), lerp(255.0, 107.0))
}

fn heat_maps(params: &[Param], pts: &[Point], title: &str) -> String {
    let (xs, ys) = (&params[0].values, &params[1].values);
    let njobs = pts.first().map_or(0, |p| p.stats.jobs.len());
    let (width, panel) = (900.0, 420.0);
    let mut svg = Svg::new(width, 40.0 + 2.0 * panel * njobs as f64);
    svg.text(width / 2.0, 24.0, 15.0, "middle", title);
    type Metric = fn(&crate::montecarlo::JobStats) -> Option<f64>;
    let metrics: [(&str, Metric); 2] =
        [("median duration (s)", |j| j.duration.as_ref().map(|d| d.p50.value)), ("P(Failed)", |j| Some(j.p("Failed")))];
    for j in 0..njobs {
        for (m, (label, metric)) in metrics.iter().enumerate() {
            let top = 40.0 + panel * (2 * j + m) as f64;
            let name = &pts[0].stats.jobs[j].name;
            svg.text(100.0, top + 18.0, 13.0, "start", &format!("job {name}: {label}"));
            let vals: Vec<Option<f64>> = pts.iter().map(|p| metric(&p.stats.jobs[j])).collect();
            let max = vals.iter().flatten().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = vals.iter().flatten().copied().fold(f64::INFINITY, f64::min);
            // Colour from the smallest to the largest value (all equal: the lightest colour).
            let scale = |v: f64| if max > min { (v - min) / (max - min) } else { 0.0 };
            let (x0, y0, w, h) = (100.0, top + 30.0, width - 140.0, panel - 90.0);
            let (cw, ch) = (w / xs.len() as f64, h / ys.len() as f64);
            let labels = xs.len() <= 16 && ys.len() <= 16;
            for (k, v) in vals.iter().enumerate() {
                let (ix, iy) = (k / ys.len(), k % ys.len());
                let (x, y) = (x0 + ix as f64 * cw, y0 + h - (iy + 1) as f64 * ch);
                let tip = format!("{}={} {}={}: {}", params[0].path, xs[ix], params[1].path, ys[iy], v.map_or("-".into(), fmt_num));
                match v {
                    Some(v) => svg.rect(x, y, cw, ch, &colour(scale(*v)), Some(&tip)),
                    None => svg.rect(x, y, cw, ch, "#dddddd", Some(&tip)),
                }
                if labels {
                    if let Some(v) = v {
                        let s = if *label == "P(Failed)" { format!("{v:.3}") } else { fmt_num((v * 10.0).round() / 10.0) };
                        let fill = if scale(*v) > 0.55 { "#ffffff" } else { "#222" };
                        svg.text_fill(x + cw / 2.0, y + ch / 2.0 + 4.0, 10.0, "middle", fill, &s);
                    }
                }
            }
            let step_x = xs.len().div_ceil(16).max(1);
            for (ix, v) in xs.iter().enumerate().step_by(step_x) {
                svg.text(x0 + (ix as f64 + 0.5) * cw, y0 + h + 16.0, 11.0, "middle", &fmt_num(*v));
            }
            let step_y = ys.len().div_ceil(16).max(1);
            for (iy, v) in ys.iter().enumerate().step_by(step_y) {
                svg.text(x0 - 6.0, y0 + h - (iy as f64 + 0.5) * ch + 4.0, 11.0, "end", &fmt_num(*v));
            }
            svg.text(x0 + w / 2.0, y0 + h + 34.0, 12.0, "middle", &params[0].path);
            svg.vtext(x0 - 50.0, y0 + h / 2.0, 12.0, &params[1].path);
        }
    }
    svg.finish()
}

/// `sweep.svg` for one or two parameters.
pub fn sweep_svg(scenario: &str, params: &[Param], pts: &[Point]) -> String {
    let n = pts.first().map_or(0, |p| p.stats.replications);
    let title = format!("{scenario}: sweep, {n} replications per point (same seeds at every point)");
    if params.len() == 2 {
        heat_maps(params, pts, &title)
    } else {
        line_chart(params, pts, &title)
    }
}
