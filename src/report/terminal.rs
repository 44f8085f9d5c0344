//! The terminal timeline (`run --timeline`): the Gantt chart drawn with Unicode blocks, coloured
//! with ANSI escapes when asked, fitted to a given width.

use super::chart::gantt::{clip_text, Gantt, LineKind, SegKind};
use super::chart::TimeAxis;
use crate::engine::Time;
use std::fmt::Write as _;

/// Most lanes printed; the rest are counted.
pub const MAX_LANES: usize = 60;

fn glyph(k: SegKind) -> char {
    match k {
        SegKind::Pending => '░',
        SegKind::Running => '▒',
        SegKind::Succeeded => '█',
        SegKind::Failed => '▓',
        SegKind::Deleted => '▚',
        SegKind::Terminating => '▞',
    }
}

fn ansi(k: SegKind) -> &'static str {
    match k {
        SegKind::Pending => "\x1b[90m",
        SegKind::Running => "\x1b[34m",
        SegKind::Succeeded => "\x1b[32m",
        SegKind::Failed => "\x1b[31m",
        SegKind::Deleted => "\x1b[35m",
        SegKind::Terminating => "\x1b[33m",
    }
}

const RESET: &str = "\x1b[0m";

/// Whether to colour: stdout is a terminal and `NO_COLOR` is unset or empty.
pub fn want_color(is_tty: bool, no_color: Option<&str>) -> bool {
    is_tty && no_color.is_none_or(str::is_empty)
}

/// The terminal width: `COLUMNS` if it is a number ≥ 40, else 100.
pub fn width_from_env(columns: Option<&str>) -> usize {
    columns.and_then(|c| c.trim().parse::<usize>().ok()).filter(|w| *w >= 40).unwrap_or(100)
}

fn fit(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    while out.chars().count() < n {
        out.push(' ');
    }
    out
}

/// Splits text into lines of at most `width` characters, at spaces.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let (lw, ww) = (line.chars().count(), word.chars().count());
        if lw > 0 && lw + 1 + ww > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(line);
    out.into_iter().map(|l| if l.chars().count() > width { l.chars().take(width).collect() } else { l }).collect()
}

/// Renders the chart as text of `width` columns.
pub fn render(g: &Gantt, width: usize, color: bool) -> String {
    let label_w = 14usize;
    let cols = width.saturating_sub(label_w + 2).max(10);
    let axis = TimeAxis::new(g.end);
    let span_ms = axis.end * axis.unit_ms;
    let col_time = |c: usize| ((c as f64 + 0.5) / cols as f64 * span_ms) as Time;
    let mut o = String::new();
    let clip = |s: &str| clip_text(s, width);
    let _ = writeln!(o, "{}", clip(&g.title));
    let _ = writeln!(o, "{}", clip(&g.subtitle));
    let mut printed = 0usize;
    let mut hidden = 0usize;
    for grp in &g.groups {
        for l in wrap(&grp.heading(g.spec_in_groups), width) {
            let _ = writeln!(o, "{l}");
        }
        for lane in &grp.lanes {
            if printed >= MAX_LANES {
                hidden += 1;
                continue;
            }
            printed += 1;
            let marks: Vec<(usize, &str)> = grp
                .lines
                .iter()
                .map(|&(at, k)| {
                    let c = ((at as f64 / span_ms) * cols as f64) as usize;
                    (c.min(cols - 1), if k == LineKind::Complete { "\x1b[32m" } else { "\x1b[31m" })
                })
                .collect();
            let mut line = fit(&lane.label, label_w);
            line.push_str("│ ");
            let mut cur: Option<SegKind> = None;
            for c in 0..cols {
                let t = col_time(c);
                let lo = (c as f64 / cols as f64 * span_ms) as Time;
                let hi = ((c + 1) as f64 / cols as f64 * span_ms) as Time;
                // The segment at the cell's middle, else any segment inside the cell.
                let k = lane
                    .segments
                    .iter()
                    .find(|s| s.from <= t && t < s.to)
                    .or_else(|| lane.segments.iter().find(|s| s.from < hi && s.to > lo))
                    .map(|s| s.kind);
                if color && k != cur {
                    line.push_str(match k {
                        Some(k) => ansi(k),
                        None => RESET,
                    });
                    cur = k;
                }
                match (k, marks.iter().find(|m| m.0 == c)) {
                    (None, Some((_, code))) => {
                        // The Job's Complete/Failed time (or its deadline), where the lane is empty.
                        if color {
                            line.push_str(code);
                            line.push('│');
                            line.push_str(RESET);
                        } else {
                            line.push('│');
                        }
                    }
                    _ => line.push(k.map(glyph).unwrap_or(' ')),
                }
            }
            if color && cur.is_some() {
                line.push_str(RESET);
            }
            let _ = writeln!(o, "{}", line.trim_end());
        }
    }
    if hidden > 0 {
        let _ = writeln!(o, "{}", clip(&format!("… {hidden} more lanes not shown (see timeline.svg)")));
    }
    // Axis: ticks every ~10 columns with labels.
    let mut ruler: Vec<char> = vec!['─'; cols];
    let mut labels: Vec<char> = vec![' '; cols];
    for v in axis.ticks() {
        let c = (((v / axis.end) * cols as f64).round() as usize).min(cols - 1);
        ruler[c] = '┬';
        let text: Vec<char> = axis.tick_label(v).chars().collect();
        let start = c.min(cols.saturating_sub(text.len()));
        let end = start + text.len();
        let free = end <= cols && labels[start.saturating_sub(1)..end].iter().all(|x| *x == ' ');
        if free {
            labels[start..end].copy_from_slice(&text);
        }
    }
    let _ = writeln!(o, "{}└─{}", " ".repeat(label_w), ruler.iter().collect::<String>());
    let _ = writeln!(o, "{}  {}", " ".repeat(label_w), labels.iter().collect::<String>().trim_end());
    // The legend, wrapped to the width.
    let mut line = String::new();
    let mut line_w = 0;
    for k in SegKind::ALL {
        let item_w = 2 + k.label().chars().count();
        if line_w > 0 && line_w + 3 + item_w > width {
            let _ = writeln!(o, "{line}");
            line.clear();
            line_w = 0;
        }
        if line_w > 0 {
            line.push_str("   ");
            line_w += 3;
        }
        if color {
            let _ = write!(line, "{}{}{} {}", ansi(k), glyph(k), RESET, k.label());
        } else {
            let _ = write!(line, "{} {}", glyph(k), k.label());
        }
        line_w += item_w;
    }
    let _ = writeln!(o, "{line}");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_only_on_tty_without_no_color() {
        assert!(want_color(true, None));
        assert!(want_color(true, Some("")));
        assert!(!want_color(true, Some("1")));
        assert!(!want_color(false, None));
        assert_eq!(width_from_env(Some("80")), 80);
        assert_eq!(width_from_env(Some("x")), 100);
        assert_eq!(width_from_env(None), 100);
    }
}
