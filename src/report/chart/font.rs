//! The one font of every chart: DejaVu Sans, bundled (Bitstream Vera licence, see
//! `assets/fonts/DejaVuSans-LICENSE.txt`), so no system font or fontconfig is needed.

use std::sync::Once;

/// The family name charts ask for; SVG viewers fall back to their own sans-serif font.
pub const FAMILY: &str = "sans-serif";

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the bundled font with plotters (ab_glyph). The only place that touches plotters'
/// font API; call it before drawing any text. Idempotent.
pub fn ensure_registered() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [plotters::style::FontStyle::Normal, plotters::style::FontStyle::Bold] {
            plotters::style::register_font(FAMILY, style, FONT).unwrap_or_else(|_| panic!("the bundled DejaVu Sans font is valid"));
        }
    });
}
