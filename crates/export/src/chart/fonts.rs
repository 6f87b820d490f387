//! The bundled DejaVu fonts, registered with plotters' pure-Rust (ab_glyph) text renderer so charts render the
//! same on every machine without fontconfig/freetype. Registered under "sans-serif", the family plotters uses
//! for its own default labels, so every text in a chart finds a font; SVG viewers map it to a local sans font.

use crate::ExportError;
use plotters::style::{FontStyle, register_font};
use std::sync::OnceLock;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// The family name every chart text uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the fonts once per process; later calls return the first outcome.
pub(crate) fn ensure_registered() -> Result<(), ExportError> {
    // The style of the font that failed to register.
    static DONE: OnceLock<Result<(), &'static str>> = OnceLock::new();
    let registered = *DONE.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, REGULAR).map_err(|_| "regular")?;
        register_font(FAMILY, FontStyle::Bold, BOLD).map_err(|_| "bold")?;
        Ok(())
    });
    registered.map_err(|style| ExportError::InvalidFont { style })
}
