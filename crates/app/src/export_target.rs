//! What the UI exports and the file it gets: the target (an analysis or a dashboard), the format, and the
//! file's name and media type, in one place for `inda serve`'s download and the desktop shell's save dialog.

use crate::App;
use inda_core::{Error, Session};
use inda_export::ExportFormat;
use inda_warehouse::Cancel;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

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

/// The longest file-name stem taken from an id.
const STEM_MAX: usize = 64;

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

    /// The name a download or a save dialog suggests: the id (letters, digits, `-` and `_` only, at most 64 of
    /// them, since it becomes part of a file name and of a header) and the format's extension.
    pub fn file_name(&self, format: ExportFormat) -> String {
        let id = match self {
            ExportTarget::Analysis(id) | ExportTarget::Dashboard(id) => id,
        };
        let stem: String = id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(STEM_MAX)
            .collect();
        format!("{stem}.{}", format.extension())
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

/// An export as the UI asks for it: `GET /api/export?analysis=ID&to=csv`, the desktop's `export` command.
#[derive(Debug, Clone, Deserialize)]
pub struct ExportQuery {
    /// What to export: the `analysis` or `dashboard` key (flattened).
    #[serde(flatten)]
    pub target: ExportTarget,
    /// The file format: `csv`, `xlsx`, `png`, `svg` or `pdf`, in any case.
    pub to: ExportFormat,
}

/// An export rendered for a download: the file's bytes, name and media type.
#[derive(Debug, Clone)]
pub struct ExportFile {
    /// The whole file.
    pub bytes: Vec<u8>,
    /// See [`ExportTarget::file_name`].
    pub file_name: String,
    /// See [`ExportFormat::mime`].
    pub mime: &'static str,
    /// Data rows written (for images: rows the charts were drawn from).
    pub rows: u64,
}

impl App {
    /// [`App::export_to`] into a private temp dir, read back for a download (the exporter writes files
    /// atomically; the temp dir is gone when this returns).
    pub async fn export_file(
        &self,
        session: &Session,
        query: &ExportQuery,
        cancel: &Cancel,
    ) -> Result<ExportFile, Error> {
        let tmp =
            tempfile::tempdir().map_err(|e| Error::internal(format!("cannot create a temp dir: {e}")))?;
        let out = tmp.path().join(format!("export.{}", query.to.extension()));
        let summary = self.export_to(session, &query.target, query.to, &out, cancel).await?;
        let bytes =
            std::fs::read(&out).map_err(|e| Error::internal(format!("cannot read the export: {e}")))?;
        Ok(ExportFile {
            bytes,
            file_name: query.target.file_name(query.to),
            mime: query.to.mime(),
            rows: summary.rows,
        })
    }
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
        assert_eq!(q.target.file_name(q.to), "a1.csv");
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
        ] {
            assert!(serde_json::from_value::<ExportQuery>(bad.clone()).is_err(), "{bad}");
        }
    }
}
