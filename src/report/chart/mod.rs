//! Charts drawn with plotters: the timeline (Gantt), concurrency and compare charts. Each chart
//! is a [`Chart`] that draws on any plotters backend; [`render`] turns it into SVG or PNG bytes,
//! so every writer returns bytes and output stays byte-deterministic.

pub mod compare;
pub mod concurrency;
pub mod font;
pub mod gantt;
pub mod style;

use crate::engine::Time;
use plotters::coord::Shift;
use plotters::prelude::*;

/// An output image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// Scalable vector graphics (the default).
    Svg,
    /// A bitmap, for docs and slides.
    Png,
}

impl Format {
    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// Parses a `--format` list such as `svg,png` (sorted, without repeats).
    pub fn parse_list(s: &str) -> Result<Vec<Format>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let f = match part.to_ascii_lowercase().as_str() {
                "svg" => Format::Svg,
                "png" => Format::Png,
                other => return Err(format!("unknown format {other:?}: use svg, png or svg,png")),
            };
            if !out.contains(&f) {
                out.push(f);
            }
        }
        if out.is_empty() {
            return Err("no format given: use svg, png or svg,png".into());
        }
        out.sort();
        Ok(out)
    }
}

/// The result of drawing: plotters' errors as text.
pub type DrawResult = Result<(), String>;

pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Something that draws itself on a plotters drawing area of its own size.
pub trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the chart.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// Renders a chart as SVG or PNG bytes.
pub fn render(chart: &impl Chart, format: Format) -> Result<Vec<u8>, String> {
    font::ensure_registered();
    let (w, h) = chart.size();
    match format {
        Format::Svg => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, (w, h)).into_drawing_area();
                root.fill(&WHITE).map_err(err)?;
                chart.draw(&root)?;
                root.present().map_err(err)?;
            }
            Ok(s.into_bytes())
        }
        Format::Png => {
            let mut buf = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                root.fill(&WHITE).map_err(err)?;
                chart.draw(&root)?;
                root.present().map_err(err)?;
            }
            encode_png(&buf, w, h)
        }
    }
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().map_err(err)?;
        wr.write_image_data(rgb).map_err(err)?;
    }
    Ok(out)
}

/// A time axis in human units: seconds, minutes, hours or days, chosen from the span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeAxis {
    /// Milliseconds per unit.
    pub unit_ms: f64,
    /// The unit's short name.
    pub unit: &'static str,
    /// The end of the axis, in units.
    pub end: f64,
    /// Distance between ticks, in units.
    pub step: f64,
}

impl TimeAxis {
    /// An axis from 0 to at least `end` (ms), with about 10 ticks.
    pub fn new(end: Time) -> TimeAxis {
        let end = end.max(1000);
        let (unit_ms, unit) = match end {
            e if e <= 300_000 => (1000.0, "s"),
            e if e <= 2 * 3_600_000 => (60_000.0, "min"),
            e if e <= 3 * 86_400_000 => (3_600_000.0, "h"),
            _ => (86_400_000.0, "d"),
        };
        let span = end as f64 / unit_ms;
        let step = nice_step(span / 10.0);
        // End on a tick, unless that leaves a line at the very end on the frame: then a little after.
        let on_tick = (span / step).ceil() * step;
        let end = if on_tick >= span * 1.02 { on_tick } else { span * 1.03 };
        TimeAxis { unit_ms, unit, end, step }
    }

    /// A time in axis units.
    pub fn units(&self, t: Time) -> f64 {
        t as f64 / self.unit_ms
    }

    /// The axis label.
    pub fn label(&self) -> String {
        let long = match self.unit {
            "s" => "seconds",
            "min" => "minutes",
            "h" => "hours",
            _ => "days",
        };
        format!("time since scenario start ({long})")
    }

    /// Tick positions (in units), from 0 to the end.
    pub fn ticks(&self) -> Vec<f64> {
        let n = (self.end / self.step + 1e-9).floor() as usize;
        (0..=n).map(|i| i as f64 * self.step).collect()
    }

    /// A tick's text with its unit, e.g. `30 s`, `1.5 min`.
    pub fn tick_label(&self, v: f64) -> String {
        let s = if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { format!("{v:.1}") };
        format!("{s} {}", self.unit)
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= raw {
            return m * p;
        }
    }
    10.0 * p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_axis_picks_human_units() {
        let a = TimeAxis::new(47_000);
        assert_eq!((a.unit, a.step, a.end), ("s", 5.0, 50.0));
        let c = TimeAxis::new(60_000);
        assert!(c.end > 60.0 && c.end < 62.0, "room after a mark at the last tick");
        assert_eq!(c.ticks().last(), Some(&60.0));
        assert_eq!(a.tick_label(10.0), "10 s");
        let b = TimeAxis::new(666_000);
        assert_eq!(b.unit, "min");
        assert_eq!(b.step, 2.0);
        assert_eq!(TimeAxis::new(20 * 3_600_000).unit, "h");
    }

    #[test]
    fn format_list_parses() {
        assert_eq!(Format::parse_list("png,svg,png"), Ok(vec![Format::Svg, Format::Png]));
        assert!(Format::parse_list("gif").is_err());
    }
}
