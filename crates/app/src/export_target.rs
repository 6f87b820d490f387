//! What the UI exports and the file it gets: the target (an analysis, a dashboard, or an answer not saved), the
//! format and language, and the file's name and media type, in one place for `inda serve`'s download and the
//! desktop shell's save dialog.
//!
//! Files are named like their content and dated: `Revenue by channel – 2026-12-02.pdf`
//! ([`inda_export::export_file_name`], on the local date of the export).

use crate::export::{Rendering, question_lang};
use crate::{Answer, App};
use chrono::{NaiveDate, NaiveDateTime};
use inda_core::{Caveat, ChartSpec, Column, Error, Lang, ResultSet, Session, Value};
use inda_export::{ExportFormat, Subject};
use inda_warehouse::Cancel;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What to export: one saved analysis, `{"analysis": id}`, or a whole dashboard, `{"dashboard": id}`.
///
/// Read from a map holding exactly one of `analysis` and `dashboard` (the other absent or null; other keys
/// ignored): `?analysis=ID&to=csv`, or the desktop command's `{analysis: null, dashboard: ID, to}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportTarget {
    /// One saved analysis, by id.
    Analysis(String),
    /// A dashboard, by id: every tile's result, in order.
    Dashboard(String),
}

impl ExportTarget {
    /// The target given as two optional ids, as `inda export --analysis|--dashboard` takes them.
    pub fn from_ids(analysis: Option<String>, dashboard: Option<String>) -> Result<ExportTarget, Error> {
        match (analysis, dashboard) {
            (Some(id), None) => Ok(ExportTarget::Analysis(id)),
            (None, Some(id)) => Ok(ExportTarget::Dashboard(id)),
            _ => Err(Error::usage("give exactly one of --analysis and --dashboard")),
        }
    }

    /// The analysis id, when the target is one analysis.
    pub fn analysis(&self) -> Option<&str> {
        match self {
            ExportTarget::Analysis(id) => Some(id),
            ExportTarget::Dashboard(_) => None,
        }
    }

    /// The dashboard id, when the target is a dashboard.
    pub fn dashboard(&self) -> Option<&str> {
        match self {
            ExportTarget::Dashboard(id) => Some(id),
            ExportTarget::Analysis(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for ExportTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ids;
        impl<'de> Visitor<'de> for Ids {
            type Value = ExportTarget;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("one of `analysis` and `dashboard`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ExportTarget, A::Error> {
                let (mut analysis, mut dashboard) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "analysis" => analysis = map.next_value::<Option<String>>()?,
                        "dashboard" => dashboard = map.next_value::<Option<String>>()?,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                ExportTarget::from_ids(analysis, dashboard).map_err(|e| de::Error::custom(e.message))
            }
        }
        d.deserialize_map(Ids)
    }
}

/// An export as the UI asks for it: `GET /api/export?analysis=ID&to=csv&lang=es`, the desktop's `export`
/// command (`{analysis, dashboard, to, lang}`).
#[derive(Debug, Clone, Deserialize)]
pub struct ExportQuery {
    /// What to export: the `analysis` or `dashboard` key (flattened).
    #[serde(flatten)]
    pub target: ExportTarget,
    /// The file format: `csv`, `xlsx`, `png`, `svg` or `pdf`, in any case.
    pub to: ExportFormat,
    /// The UI's language (`en`, `es`): labels, dates, numbers and the untitled name. Absent or null: the
    /// first item's question's language.
    #[serde(default)]
    pub lang: Option<Lang>,
}

/// An answer not saved, exported as the UI shows it: `POST /api/export` with `{answer, to, lang?}`, the
/// desktop's `export_answer` command. Its rows, columns, chart, caveats and SQL are rendered as given (it is
/// the user's own answer: nothing is queried).
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct ExportAnswerRequest {
    /// The answer as the UI has it (an [`Answer`], or a saved one's; other fields are ignored).
    #[ts(as = "Answer")]
    pub answer: UnsavedAnswer,
    /// The file format.
    pub to: ExportFormat,
    /// The UI's language; absent or null: the answer's question's.
    #[serde(default)]
    pub lang: Option<Lang>,
}

/// The parts of an [`Answer`] an export of it reads; the rows stay JSON until typed by their columns.
#[derive(Debug, Clone, Deserialize)]
pub struct UnsavedAnswer {
    #[serde(default)]
    question: Option<String>,
    #[serde(default)]
    sql: String,
    columns: Vec<Column>,
    rows: Vec<Vec<serde_json::Value>>,
    #[serde(default)]
    truncated: bool,
    #[serde(default)]
    caveats: Vec<Caveat>,
    chart: ChartSpec,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

/// Most rows an answer sent for export may have (the UI's answers are capped well below).
pub const MAX_ANSWER_ROWS: usize = 10_000;
/// Most columns an answer sent for export may have.
pub const MAX_ANSWER_COLUMNS: usize = 500;

/// An export rendered for a download: the file's bytes, name and media type.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// The whole file.
    pub bytes: Vec<u8>,
    /// Named after its content and the day: see [`inda_export::export_file_name`].
    pub file_name: String,
    /// See [`ExportFormat::mime`].
    pub mime: &'static str,
    /// Data rows written (for images: rows the charts were drawn from).
    pub rows: u64,
}

/// Today on this machine's clock: the date a file name carries.
fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

impl App {
    /// The name a download or a save dialog suggests for `target`: its title (the analysis's or dashboard's
    /// name) and today's date, `Revenue by channel – 2026-12-02.pdf`; "Analysis"/"Análisis" or
    /// "Dashboard"/"Tablero" (in `lang`, English when absent) when it has none. `not_found` when the target is
    /// not the caller's.
    pub fn export_file_name(
        &self,
        session: &Session,
        target: &ExportTarget,
        format: ExportFormat,
        lang: Option<Lang>,
    ) -> Result<String, Error> {
        let (title, subject) = match target {
            ExportTarget::Analysis(id) => (self.get_analysis(session, id)?.name, Subject::Analysis),
            ExportTarget::Dashboard(id) => {
                (self.dashboard_layout(session, id)?.dashboard.name, Subject::Dashboard)
            }
        };
        Ok(inda_export::export_file_name(Some(&title), subject, lang.unwrap_or_default(), today(), format))
    }

    /// [`App::export_to`] into a private temp dir, read back for a download (the exporter writes files
    /// atomically; the temp dir is gone when this returns).
    pub async fn export_file(
        &self,
        session: &Session,
        query: &ExportQuery,
        cancel: &Cancel,
    ) -> Result<ExportFile, Error> {
        let file_name = self.export_file_name(session, &query.target, query.to, query.lang)?;
        download(query.to, file_name, |out| async move {
            self.export_to(session, &query.target, query.to, query.lang, &out, cancel).await
        })
        .await
    }

    /// The name of an export of an answer not saved: its title, else its chart's, else its question's start.
    pub fn export_answer_file_name(&self, req: &ExportAnswerRequest) -> String {
        let lang = req.lang.unwrap_or_else(|| Lang::or_default(req.answer.lang.as_deref()));
        inda_export::export_file_name(req.answer.title().as_deref(), Subject::Analysis, lang, today(), req.to)
    }

    /// Writes an answer not saved to `out` as it is (nothing is queried: the rows are the caller's own
    /// answer), audited with `{"unsaved": true}`. More than [`MAX_ANSWER_ROWS`] rows or
    /// [`MAX_ANSWER_COLUMNS`] columns, or a row whose cells do not match the columns, is a usage error.
    pub fn export_answer_to(
        &self,
        session: &Session,
        req: &ExportAnswerRequest,
        out: &std::path::Path,
    ) -> Result<crate::ExportSummary, Error> {
        let a = &req.answer;
        let result = a.result_set()?;
        let answer = Answer {
            question: a.question.clone(),
            sql: a.sql.clone(),
            columns: vec![],
            rows: vec![],
            row_count: result.rows.len(),
            truncated: a.truncated,
            caveats: a.caveats.clone(),
            chart: a.chart.clone(),
            summary: None,
            engine: String::new(),
            provider: None,
            elapsed_ms: 0.0,
            conversation_id: None,
            lang: a.lang.clone(),
            title: a.title.clone(),
            drilled: None,
        };
        let lang = req.lang.unwrap_or_else(|| question_lang(Some(&answer)));
        let title = a.title().unwrap_or_else(|| lang.pick("Analysis", "Análisis").to_string());
        let as_of = inda_store::timestamp(chrono::Utc::now());
        let rendering = Rendering {
            doc_title: None,
            items: vec![(title, result, &answer, as_of)],
            lang,
            filters: vec![],
        };
        self.render_and_audit(session, &rendering, req.to, out, json!({"unsaved": true}))
    }

    /// [`App::export_answer_to`] for a download.
    pub async fn export_answer_file(
        &self,
        session: &Session,
        req: &ExportAnswerRequest,
    ) -> Result<ExportFile, Error> {
        // Checked before anything is rendered: a body past the bounds is refused whoever sent it.
        req.answer.result_set()?;
        download(req.to, self.export_answer_file_name(req), |out| async move {
            self.export_answer_to(session, req, &out)
        })
        .await
    }
}

/// Runs `write` against a file in a private temp dir and reads it back as a download named `file_name`.
async fn download<F, Fut>(format: ExportFormat, file_name: String, write: F) -> Result<ExportFile, Error>
where
    F: FnOnce(std::path::PathBuf) -> Fut,
    Fut: Future<Output = Result<crate::ExportSummary, Error>>,
{
    let tmp = tempfile::tempdir().map_err(|e| Error::internal(format!("cannot create a temp dir: {e}")))?;
    let out = tmp.path().join(format!("export.{}", format.extension()));
    let summary = write(out.clone()).await?;
    let bytes = std::fs::read(&out).map_err(|e| Error::internal(format!("cannot read the export: {e}")))?;
    Ok(ExportFile { bytes, file_name, mime: format.mime(), rows: summary.rows })
}

impl UnsavedAnswer {
    /// A heading for the file: the answer's title, its chart's, or the start of its question.
    fn title(&self) -> Option<String> {
        let nonempty =
            |s: &Option<String>| s.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        nonempty(&self.title)
            .or_else(|| nonempty(&self.chart.title))
            .or_else(|| nonempty(&self.question).map(|q| q.chars().take(80).collect()))
    }

    /// The rows typed by their columns, as the warehouse returned them (a date column's ISO strings are
    /// dates again), within the bounds.
    fn result_set(&self) -> Result<ResultSet, Error> {
        if self.rows.len() > MAX_ANSWER_ROWS {
            return Err(Error::usage(format!(
                "an answer to export holds at most {MAX_ANSWER_ROWS} rows (this one has {}); save it and export the analysis",
                self.rows.len()
            )));
        }
        if self.columns.len() > MAX_ANSWER_COLUMNS {
            return Err(Error::usage(format!(
                "an answer to export holds at most {MAX_ANSWER_COLUMNS} columns"
            )));
        }
        let width = self.columns.len();
        let mut rows = Vec::with_capacity(self.rows.len());
        for (n, row) in self.rows.iter().enumerate() {
            if row.len() != width {
                return Err(Error::usage(format!(
                    "row {} of the answer has {} cells for {width} columns",
                    n + 1,
                    row.len()
                )));
            }
            rows.push(row.iter().zip(&self.columns).map(|(v, c)| typed(v, c)).collect());
        }
        Ok(ResultSet { columns: self.columns.clone(), rows, truncated: self.truncated })
    }
}

/// A cell of the answer's JSON (the contract's form: numbers, ISO strings, booleans, null) as the value its
/// column's type says: `2026-03-01` in a DATE column is a date, `1234.5` in a DECIMAL(12,2) one the exact
/// decimal `1234.50`. What does not read as its type stays as it came (text, a float, JSON).
fn typed(v: &serde_json::Value, col: &Column) -> Value {
    use serde_json::Value as J;
    let t = col.data_type.to_ascii_uppercase();
    match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => {
            if let Some(scale) = decimal_scale(&t)
                && let Some(d) = decimal(&n.to_string(), scale)
            {
                return d;
            }
            match n.as_i64() {
                Some(i) if t.contains("INT") => Value::Int(i),
                _ => n.as_f64().map_or(Value::Null, Value::Float),
            }
        }
        J::String(s) if t.starts_with("DATE") && !t.starts_with("DATETIME") => {
            NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
                .map(Value::Date)
                .unwrap_or_else(|_| Value::Text(s.clone()))
        }
        J::String(s) if t.starts_with("TIMESTAMP") || t.starts_with("DATETIME") => {
            timestamp(s).map(Value::Timestamp).unwrap_or_else(|| Value::Text(s.clone()))
        }
        J::String(s) => match decimal_scale(&t).and_then(|scale| decimal(s, scale)) {
            Some(d) => d,
            None => Value::Text(s.clone()),
        },
        J::Array(_) | J::Object(_) => Value::Json(v.clone()),
    }
}

/// The scale of a `DECIMAL(p,s)` / `NUMERIC(p,s)` / `NUMBER(p,s)` type.
fn decimal_scale(t: &str) -> Option<u8> {
    let rest = t
        .strip_prefix("DECIMAL(")
        .or_else(|| t.strip_prefix("NUMERIC("))
        .or_else(|| t.strip_prefix("NUMBER("))?;
    rest.trim_end_matches(')').split(',').nth(1)?.trim().parse().ok().filter(|s: &u8| *s <= 38)
}

/// `1234.5` at scale 2 → the exact decimal `1234.50`; more digits than the scale are cut, an exponent or
/// anything else is `None`.
fn decimal(text: &str, scale: u8) -> Option<Value> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits: String = frac.chars().chain(std::iter::repeat('0')).take(usize::from(scale)).collect();
    let units: i128 = format!("{int}{digits}").parse().ok()?;
    Some(Value::Decimal { units: if neg { -units } else { units }, scale })
}

/// An ISO timestamp, with or without a zone (one with a zone is read in UTC, as the warehouse gives them).
fn timestamp(s: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.naive_utc()))
        .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| d.and_time(chrono::NaiveTime::MIN)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_reads_from_a_query_or_an_ipc_call_and_names_the_file() {
        let q: ExportQuery =
            serde_json::from_value(serde_json::json!({"analysis": "a/1 é", "to": "CSV"})).unwrap();
        assert_eq!(q.target, ExportTarget::Analysis("a/1 é".into()));
        assert_eq!(q.to, ExportFormat::Csv);
        assert_eq!(q.lang, None);
        let q: ExportQuery =
            serde_json::from_value(serde_json::json!({"analysis": "a", "to": "pdf", "lang": "es"})).unwrap();
        assert_eq!(q.lang, Some(Lang::Es));
        let q: ExportQuery =
            serde_json::from_value(serde_json::json!({"analysis": "a", "to": "pdf", "lang": null})).unwrap();
        assert_eq!(q.lang, None);
        let q: ExportQuery = serde_json::from_value(
            serde_json::json!({"analysis": null, "dashboard": "d1", "to": "pdf", "requestId": "r1"}),
        )
        .unwrap();
        assert_eq!(q.target, ExportTarget::Dashboard("d1".into()));
        assert_eq!(serde_json::to_value(&q.target).unwrap(), serde_json::json!({"dashboard": "d1"}));
        for bad in [
            serde_json::json!({"to": "csv"}),
            serde_json::json!({"analysis": "a", "dashboard": "d", "to": "csv"}),
            serde_json::json!({"analysis": "a", "to": "docx"}),
            serde_json::json!({"analysis": "a", "to": "csv", "lang": "fr"}),
        ] {
            assert!(serde_json::from_value::<ExportQuery>(bad.clone()).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod answer_tests {
    use super::*;

    #[test]
    fn an_answers_json_cells_are_typed_by_their_columns() {
        let col = |t: &str| Column::new("c", t);
        assert_eq!(
            typed(&json!("2026-03-01"), &col("DATE")),
            Value::Date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap())
        );
        let midnight = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(typed(&json!("2026-03-01T00:00:00"), &col("TIMESTAMP")), Value::Timestamp(midnight));
        assert_eq!(
            typed(&json!("2026-03-01T05:00:00+05:00"), &col("TIMESTAMP WITH TIME ZONE")),
            Value::Timestamp(midnight)
        );
        assert_eq!(typed(&json!(1234.5), &col("DECIMAL(12,2)")), Value::Decimal { units: 123450, scale: 2 });
        assert_eq!(typed(&json!(-0.05), &col("DECIMAL(12,2)")), Value::Decimal { units: -5, scale: 2 });
        assert_eq!(typed(&json!(7), &col("BIGINT")), Value::Int(7));
        assert_eq!(typed(&json!(7), &col("DOUBLE")), Value::Float(7.0));
        assert_eq!(typed(&json!("n/a"), &col("DATE")), Value::Text("n/a".into()));
        assert_eq!(typed(&json!("whatsapp"), &col("VARCHAR")), Value::Text("whatsapp".into()));
        assert_eq!(typed(&json!(null), &col("DATE")), Value::Null);
        assert_eq!(typed(&json!(true), &col("BOOLEAN")), Value::Bool(true));
        assert_eq!(typed(&json!({"a": 1}), &col("VARIANT")), Value::Json(json!({"a": 1})));
    }

    fn request(rows: usize, lang: Option<&str>) -> ExportAnswerRequest {
        let rows: Vec<serde_json::Value> = (0..rows).map(|i| serde_json::json!(["sms", i])).collect();
        serde_json::from_value(serde_json::json!({
            "answer": {"question": "mensajes por canal", "sql": "SELECT 1", "engine": "embedded",
                       "columns": [{"name": "channel", "type": "VARCHAR"}, {"name": "n", "type": "BIGINT"}],
                       "rows": rows, "row_count": 1, "truncated": false, "caveats": [],
                       "chart": {"kind": "bar", "x": "channel", "y": ["n"], "title": "Mensajes por canal"},
                       "elapsed_ms": 1.0, "lang": "es", "extra": "ignored"},
            "to": "csv",
            "lang": lang,
        }))
        .unwrap()
    }

    #[test]
    fn unsaved_answers_are_bounded_and_named_after_their_title() {
        let req = request(2, None);
        assert_eq!(req.answer.title().as_deref(), Some("Mensajes por canal"));
        assert_eq!(req.answer.result_set().unwrap().rows[1], vec![Value::Text("sms".into()), Value::Int(1)]);
        let err = request(MAX_ANSWER_ROWS + 1, None).answer.result_set().unwrap_err();
        assert_eq!(err.code, inda_core::ErrorCode::Usage);
        assert!(err.message.contains("at most 10000 rows"), "{}", err.message);
        let mut bad = request(1, Some("en"));
        bad.answer.rows[0].pop();
        assert_eq!(bad.answer.result_set().unwrap_err().code, inda_core::ErrorCode::Usage);
        assert_eq!(bad.lang, Some(Lang::En));
    }
}
