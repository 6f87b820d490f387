//! Numbers for people, per locale: English `1,234.5` and `93.4%`, Spanish `1.234,5` and `93,4 %`.

use crate::lang::Lang;

/// Formats a value as `number` (grouped, up to 2 decimals, more below 1), `currency` (2 decimals; up to 4
/// below 1, or an average cost per message of 0.0148 reads as 0.01) or `percent` (a fraction shown ×100 with
/// up to 1 decimal).
pub fn format_number(v: f64, lang: Lang, format: &str) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    match format {
        "percent" => {
            let p = v * 100.0;
            let text = grouped(p, 1, true, lang);
            match lang {
                Lang::En => format!("{text}%"),
                Lang::Es => format!("{text} %"),
            }
        }
        "currency" if v.abs() < 0.995 && v != 0.0 => {
            // Two to four decimals: as many as the amount has to four places.
            let four = format!("{:.4}", v.abs());
            let zeros = four.len() - four.trim_end_matches('0').len();
            grouped(v, 4 - zeros.min(2), false, lang)
        }
        "currency" => grouped(v, 2, false, lang),
        _ => {
            // Under 1, at least four decimals and three significant digits: an exchange rate of 0.000245
            // is not 0.0002.
            let decimals = if v.abs() < 1.0 && v != 0.0 {
                let magnitude = -v.abs().log10().floor();
                (magnitude as usize + 2).clamp(4, 12)
            } else {
                2
            };
            grouped(v, decimals, true, lang)
        }
    }
}

/// Rounds to `decimals`, optionally trims trailing zeros, and applies the locale's separators.
fn grouped(v: f64, decimals: usize, trim: bool, lang: Lang) -> String {
    let (thousands, point) = match lang {
        Lang::En => (',', '.'),
        Lang::Es => ('.', ','),
    };
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = if trim { frac.trim_end_matches('0') } else { frac };
    let mut out = String::new();
    let digits: Vec<char> = int.chars().collect();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(thousands);
        }
        out.push(*c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    let is_zero = out.chars().all(|c| c == '0' || c == thousands || c == point);
    if v < 0.0 && !is_zero { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_spanish_locales() {
        assert_eq!(format_number(1234.5, Lang::En, "number"), "1,234.5");
        assert_eq!(format_number(1234.5, Lang::Es, "number"), "1.234,5");
        assert_eq!(format_number(12345.0, Lang::En, "number"), "12,345");
        assert_eq!(format_number(12345.0, Lang::Es, "number"), "12.345");
        assert_eq!(format_number(1234567.891, Lang::En, "currency"), "1,234,567.89");
        assert_eq!(format_number(1234567.891, Lang::Es, "currency"), "1.234.567,89");
        assert_eq!(format_number(0.934, Lang::En, "percent"), "93.4%");
        assert_eq!(format_number(0.934, Lang::Es, "percent"), "93,4 %");
        assert_eq!(format_number(0.93, Lang::En, "percent"), "93%");
        assert_eq!(format_number(-1500.0, Lang::En, "number"), "-1,500");
        assert_eq!(format_number(-0.0001, Lang::En, "currency"), "-0.0001");
        assert_eq!(format_number(0.01480992, Lang::En, "currency"), "0.0148");
        assert_eq!(format_number(0.0228, Lang::Es, "currency"), "0,0228");
        assert_eq!(format_number(0.5, Lang::En, "currency"), "0.50");
        assert_eq!(format_number(0.00001, Lang::En, "currency"), "0.00");
        assert_eq!(format_number(0.996, Lang::En, "currency"), "1.00");
        assert_eq!(format_number(999.0, Lang::En, "number"), "999");
        assert_eq!(format_number(0.5, Lang::En, "number"), "0.5");
        assert_eq!(format_number(0.000245123, Lang::En, "number"), "0.000245");
        assert_eq!(format_number(0.0521, Lang::Es, "number"), "0,0521");
        assert_eq!(format_number(f64::NAN, Lang::En, "number"), "–");
    }
}
