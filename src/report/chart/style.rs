//! The palette and sizes shared by every chart and the terminal timeline, so a colour means the
//! same thing everywhere: succeeded green, failed red, running blue, pending grey, backoff amber.

use plotters::style::RGBColor;

/// Pending / start-up (created → container running).
pub const PENDING: RGBColor = RGBColor(0xB0, 0xB0, 0xB0);
/// Running at the end of the simulation.
pub const RUNNING: RGBColor = RGBColor(0x1F, 0x77, 0xB4);
/// Ran and succeeded.
pub const SUCCEEDED: RGBColor = RGBColor(0x2C, 0xA0, 0x2C);
/// Ran and failed.
pub const FAILED: RGBColor = RGBColor(0xD6, 0x27, 0x28);
/// Ran until deleted (by the controller or a user).
pub const DELETED: RGBColor = RGBColor(0x94, 0x67, 0xBD);
/// Deletion requested, container still shutting down.
pub const TERMINATING: RGBColor = RGBColor(0x8C, 0x56, 0x4B);
/// Pod-failure backoff wait.
pub const BACKOFF: RGBColor = RGBColor(0xFF, 0xBF, 0x00);
/// Suspended Job.
pub const SUSPENDED: RGBColor = RGBColor(0x7F, 0x7F, 0x7F);
/// Deadline line.
pub const DEADLINE: RGBColor = RGBColor(0x8B, 0x00, 0x00);
/// Node failures, recoveries and drains on the timeline.
pub const NODE_MARK: RGBColor = RGBColor(0x4B, 0x00, 0x82);
/// Text and axes.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Grid lines and separators.
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
/// Secondary text.
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// The parallelism reference line of concurrency charts.
pub const REFERENCE: RGBColor = RGBColor(0x00, 0x00, 0x00);

/// Chart width in pixels.
pub const WIDTH: u32 = 1200;
/// Title font size.
pub const TITLE_SIZE: f64 = 20.0;
/// Body font size.
pub const TEXT_SIZE: f64 = 14.0;
/// Small font size (lane labels, notes).
pub const SMALL_SIZE: f64 = 12.0;

/// `#rrggbb` of a colour (HTML, terminal legend).
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// `c` mixed with white: `f` = 1 gives `c`, 0 white.
pub fn tint(c: RGBColor, f: f64) -> RGBColor {
    let f = f.clamp(0.0, 1.0);
    let m = |v: u8| (255.0 - (255.0 - v as f64) * f).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}
