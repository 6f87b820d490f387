//! The name an export's file gets (a download's `Content-Disposition`, the desktop save dialog's suggestion):
//! `<title> – <YYYY-MM-DD>.<ext>`, named like its content and dated, and safe to create on every OS.
//!
//! Safe means: no control or invisible formatting characters (a right-to-left override could make
//! `fdp.exe` read as `exe.pdf`), none of `<>:"/\|?*`, no leading dot (a hidden file on Unix), no trailing dot
//! or space, never a Windows device name (`CON`, `nul.txt`, `COM1`…, which Windows refuses whatever the
//! extension), at most [`MAX_STEM_CHARS`] characters before the extension, and never empty.

use crate::ExportFormat;
use crate::format::{Lang, labels};
use chrono::NaiveDate;

/// Longest name before the extension, in characters: well under every file system's 255 bytes, even in UTF-8
/// with accents, and short enough to read in a save dialog.
pub const MAX_STEM_CHARS: usize = 120;

/// What is exported: names an untitled file ("Analysis", "Tablero").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A saved analysis, or an answer not saved.
    Analysis,
    /// A dashboard.
    Dashboard,
}

/// Windows device names: refused as a file name with or without an extension, in any case.
const RESERVED: [&str; 28] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
    "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "COM¹", "COM²", "COM³", "LPT¹",
    "LPT²", "LPT³",
];

/// The file name of an export of `title` made on `date` (the local date of the export), in `lang` for the
/// untitled fallback: `Revenue by channel – 2026-12-02.pdf`. Pure: the same inputs give the same name.
pub fn export_file_name(
    title: Option<&str>,
    subject: Subject,
    lang: Lang,
    date: NaiveDate,
    format: ExportFormat,
) -> String {
    let suffix = format!(" – {}", date.format("%Y-%m-%d"));
    let budget = MAX_STEM_CHARS - suffix.chars().count();
    let mut stem = clean(title.unwrap_or(""));
    if stem.chars().count() > budget {
        stem = stem.chars().take(budget).collect();
        stem = stem.trim_end_matches([' ', '.']).to_string();
    }
    if stem.is_empty() {
        let l = labels(lang);
        stem = match subject {
            Subject::Analysis => l.untitled_analysis,
            Subject::Dashboard => l.untitled_dashboard,
        }
        .to_string();
    }
    let mut name = format!("{stem}{suffix}");
    if is_reserved(&name) {
        name.insert(0, '_');
    }
    format!("{name}.{}", format.extension())
}

/// The title with every unsafe character replaced by a space, runs of spaces collapsed, and no leading or
/// trailing dots or spaces.
fn clean(title: &str) -> String {
    let mapped: String = title
        .chars()
        .map(|c| if c.is_control() || is_invisible(c) || "<>:\"/\\|?*".contains(c) { ' ' } else { c })
        .collect();
    let joined = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    joined.trim_start_matches([' ', '.']).trim_end_matches([' ', '.']).to_string()
}

/// Zero-width and bidirectional formatting characters: they hide or reorder what a name shows.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{ad}')
}

/// Whether Windows takes the name for a device: its part before the first dot, trailing spaces ignored.
fn is_reserved(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or(name).trim_end();
    RESERVED.iter().any(|r| base.eq_ignore_ascii_case(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_title_and_the_date_and_safe_everywhere() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default();
        let long = "x".repeat(300);
        let long_accents = "é".repeat(300);
        let cut = format!("{} – 2026-12-02.csv", "x".repeat(107));
        let cut_accents = format!("{} – 2026-12-02.csv", "é".repeat(107));
        let cut_at_space = format!("{} – 2026-12-02.csv", "a".repeat(106));
        let ends_in_space = format!("{} b", "a".repeat(106));
        use ExportFormat::{Csv, Pdf, Xlsx};
        use Subject::{Analysis, Dashboard};
        #[rustfmt::skip]
        let cases: &[(Option<&str>, Subject, Lang, ExportFormat, &str)] = &[
            (Some("Revenue by channel"), Analysis, Lang::En, Pdf, "Revenue by channel – 2026-12-02.pdf"),
            (Some("Ingresos por país"), Analysis, Lang::Es, Xlsx, "Ingresos por país – 2026-12-02.xlsx"),
            (None, Analysis, Lang::En, Csv, "Analysis – 2026-12-02.csv"),
            (None, Analysis, Lang::Es, Csv, "Análisis – 2026-12-02.csv"),
            (Some("   "), Dashboard, Lang::En, Pdf, "Dashboard – 2026-12-02.pdf"),
            (Some(""), Dashboard, Lang::Es, Pdf, "Tablero – 2026-12-02.pdf"),
            (Some("a/b\\c:d*e?f\"g<h>i|j"), Analysis, Lang::En, Csv, "a b c d e f g h i j – 2026-12-02.csv"),
            (Some("line1\nline2\ttab\u{7}"), Analysis, Lang::En, Csv, "line1 line2 tab – 2026-12-02.csv"),
            (Some("evil\u{202e}fdp.exe"), Analysis, Lang::En, Csv, "evil fdp.exe – 2026-12-02.csv"),
            (Some("..hidden"), Analysis, Lang::En, Csv, "hidden – 2026-12-02.csv"),
            (Some("trailing. . "), Analysis, Lang::En, Csv, "trailing – 2026-12-02.csv"),
            (Some("???"), Analysis, Lang::En, Csv, "Analysis – 2026-12-02.csv"),
            (Some("..."), Dashboard, Lang::Es, Csv, "Tablero – 2026-12-02.csv"),
            (Some("CON"), Analysis, Lang::En, Csv, "CON – 2026-12-02.csv"),
            (Some("nul.txt"), Analysis, Lang::En, Csv, "_nul.txt – 2026-12-02.csv"),
            (Some("Com1 .report"), Analysis, Lang::En, Csv, "_Com1 .report – 2026-12-02.csv"),
            (Some("lpt9.x"), Analysis, Lang::En, Csv, "_lpt9.x – 2026-12-02.csv"),
            (Some("COM10.x"), Analysis, Lang::En, Csv, "COM10.x – 2026-12-02.csv"),
            (Some("Console.log"), Analysis, Lang::En, Csv, "Console.log – 2026-12-02.csv"),
            (Some(&long), Analysis, Lang::En, Csv, &cut),
            (Some(&long_accents), Analysis, Lang::En, Csv, &cut_accents),
            (Some(&ends_in_space), Analysis, Lang::En, Csv, &cut_at_space),
            (Some("Q3 – 50% “growth”"), Analysis, Lang::En, Pdf, "Q3 – 50% “growth” – 2026-12-02.pdf"),
        ];
        for (title, subject, lang, format, want) in cases {
            let got = export_file_name(*title, *subject, *lang, day, *format);
            assert_eq!(&got, want, "{title:?}");
            let stem = got.rsplit_once('.').map_or(got.as_str(), |(s, _)| s);
            assert!(stem.chars().count() <= MAX_STEM_CHARS, "{got}");
            assert!(!got.chars().any(|c| c.is_control() || "<>:\"/\\|?*".contains(c)), "{got}");
            assert!(!stem.ends_with([' ', '.']) && !got.starts_with('.'), "{got}");
            assert!(!is_reserved(&got), "{got}");
        }
    }
}
