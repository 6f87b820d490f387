//! The bundled DejaVu fonts, registered with plotters' pure-Rust (ab_glyph) text renderer so charts render the
//! same on every machine without fontconfig/freetype. Registered under "sans-serif", the family plotters uses
//! for its own default labels, so every text in a chart finds a font; SVG viewers map it to a local sans font.

use inda_core::Error;
use plotters::style::{FontStyle, register_font};
use std::sync::OnceLock;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// The family name every chart text uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the fonts once per process; later calls return the first outcome.
pub(crate) fn ensure_registered() -> Result<(), Error> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, REGULAR).map_err(|_| "bundled regular font is invalid")?;
        register_font(FAMILY, FontStyle::Bold, BOLD).map_err(|_| "bundled bold font is invalid")?;
        Ok(())
    })
    .clone()
    .map_err(Error::internal)
}
