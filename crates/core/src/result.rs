//! Typed query results, the same whichever warehouse produced them.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize, Serializer};

/// A result column: its name and a warehouse-neutral SQL type name (`VARCHAR`, `BIGINT`, `DOUBLE`,
/// `DECIMAL(p,s)`, `DATE`, `TIMESTAMP`, `BOOLEAN`, `JSON`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
// Fields that serde leaves out when empty are optional in TypeScript.
#[ts(optional_fields)]
pub struct Column {
    /// The column name as the query returned it; charts and captions refer to columns by it.
    pub name: String,
    /// The warehouse-neutral SQL type name (`BIGINT`, `DECIMAL(12,2)`, …), JSON `type`; see
    /// [`Column::is_numeric`] and [`Column::is_temporal`].
    #[serde(rename = "type")]
    pub data_type: String,
    /// ISO 4217 code of a money column (the tenant's reporting currency, or `USD` for messaging cost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Display name in the question's language ("Mensajes enviados").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Display names of the column's values in the question's language (`whatsapp` → "WhatsApp", `MX` →
    /// "México"); the rows keep the stored values.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    #[ts(as = "Option<std::collections::BTreeMap<String, String>>")]
    pub values: std::collections::BTreeMap<String, String>,
    /// For the time column of a series, the period each value starts (`month`: `2026-03-01` is March 2026),
    /// so that it is shown as the period, not as its first day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grain: Option<crate::Grain>,
}

impl Column {
    /// A column with no currency, label or value names.
    pub fn new(name: impl Into<String>, data_type: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            currency: None,
            label: None,
            values: Default::default(),
            grain: None,
        }
    }
    /// Whether the column holds numbers (integers, floats or decimals).
    pub fn is_numeric(&self) -> bool {
        let t = self.data_type.to_ascii_uppercase();
        ["INT", "BIGINT", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMBER", "HUGEINT"]
            .iter()
            .any(|p| t.starts_with(p) || t.contains("INT"))
    }
    /// Whether the column holds dates or timestamps.
    pub fn is_temporal(&self) -> bool {
        let t = self.data_type.to_ascii_uppercase();
        t.starts_with("DATE") || t.starts_with("TIMESTAMP")
    }
}

/// One cell. Decimals keep their exact digits (`units` scaled by `10^scale`).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL: empty text, JSON null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer of any width that fits in 64 bits (wider ones arrive as [`Value::Float`]).
    Int(i64),
    /// A floating-point number; NaN and infinities become JSON null.
    Float(f64),
    /// An exact decimal: `units / 10^scale`.
    Decimal {
        /// The number with its point removed (`1234.50` is 123450 at scale 2).
        units: i128,
        /// Digits after the point.
        scale: u8,
    },
    /// A string.
    Text(String),
    /// A calendar day.
    Date(NaiveDate),
    /// Date and time without time zone (the embedded engine gives zoned timestamps in UTC).
    Timestamp(NaiveDateTime),
    /// A structured cell Snowflake returns as JSON (`VARIANT`, `OBJECT`, `ARRAY`), passed through.
    Json(serde_json::Value),
}

impl Value {
    /// Roughly what the value weighs in memory and on the wire, for the cap on result bytes.
    pub fn size_bytes(&self) -> usize {
        match self {
            Value::Text(s) => s.len() + 16,
            Value::Json(v) => v.to_string().len() + 16,
            _ => 16,
        }
    }

    /// The value as a float, for charts, sorting and summaries.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Decimal { units, scale } => Some(*units as f64 / 10f64.powi(i32::from(*scale))),
            _ => None,
        }
    }

    /// The decimal as exact text, e.g. `1234.50`.
    fn decimal_text(units: i128, scale: u8) -> String {
        if scale == 0 {
            return units.to_string();
        }
        let neg = units < 0;
        let digits = units.unsigned_abs().to_string();
        let scale = usize::from(scale);
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{}{}.{}", if neg { "-" } else { "" }, int, frac)
    }

    /// Plain text for tables and CSV (ISO 8601 for dates and timestamps, empty for NULL).
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Decimal { units, scale } => Self::decimal_text(*units, *scale),
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Timestamp(t) => t.format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
            Value::Json(j) => j.to_string(),
        }
    }

    /// The JSON form of the CLI contract: numbers as numbers, dates as ISO 8601 strings, NULL as null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map(J::Number).unwrap_or(J::Null),
            Value::Decimal { units, scale } => {
                let text = Self::decimal_text(*units, *scale);
                // Parsing the exact text keeps every digit serde_json can carry.
                serde_json::from_str::<serde_json::Number>(&text).map(J::Number).unwrap_or(J::String(text))
            }
            Value::Text(s) => J::String(s.clone()),
            Value::Date(_) | Value::Timestamp(_) => J::String(self.to_text()),
            Value::Json(j) => j.clone(),
        }
    }
}

fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 { format!("{f:.1}") } else { f.to_string() }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// What the reader must know to read an answer's numbers right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CaveatCode {
    /// A period of the answer is not over yet (this month so far).
    PartialPeriod,
    /// The row cap cut the result short.
    Truncated,
    /// Some amounts have no exchange rate for their currency and month.
    MissingFxRate,
    /// Over several companies, the SQL joins tables without matching `tenant_id`: rows of different
    /// companies sharing an id may be paired.
    CrossCompanyJoin,
}

/// One caveat of an answer: its code, a sentence in the question's language, and, for a partial period,
/// the column and value of the row it marks (the UI labels that row "to date").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct Caveat {
    /// What kind of caveat; the UI and scripts branch on it.
    pub code: CaveatCode,
    /// The caveat as a sentence in the question's language, to show as is.
    pub message: String,
    /// The column of the marked row's cell (the time bucket) for a partial period; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The marked cell as text (an ISO 8601 date for a time bucket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Columns and rows of one query, typed.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ResultSet {
    /// The columns, in the query's order.
    pub columns: Vec<Column>,
    /// The rows, each with one value per column in the order of `columns`.
    pub rows: Vec<Vec<Value>>,
    /// True when the row cap cut the result short.
    pub truncated: bool,
}

impl ResultSet {
    /// The position of the column named `name` (exact, case-sensitive), `None` when the result has none.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_their_digits() {
        assert_eq!(Value::Decimal { units: 123450, scale: 2 }.to_text(), "1234.50");
        assert_eq!(Value::Decimal { units: -5, scale: 2 }.to_text(), "-0.05");
        assert_eq!(Value::Decimal { units: 7, scale: 0 }.to_text(), "7");
        assert_eq!(Value::Decimal { units: 123450, scale: 2 }.to_json(), serde_json::json!(1234.5));
    }

    #[test]
    fn timestamps_are_iso() {
        let t = NaiveDate::from_ymd_opt(2026, 3, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
        assert_eq!(t.map(|t| Value::Timestamp(t).to_text()).as_deref(), Some("2026-03-01T00:00:00"));
    }
}
