//! Exports of a saved analysis or a dashboard to a file, rendered from cached results (an analysis without
//! one is run first, except offline). Every export is audited with its format, rows and file name.

use crate::{App, ExportTarget, SavedAnswer};
use inda_core::{Error, ResultSet, Session};
use inda_store::{AuditAction, AuditOutcome};
use inda_warehouse::Cancel;
use serde::Serialize;
use serde_json::json;
use std::path::{Path, PathBuf};

/// What to export, and where.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The saved analysis to export (`--analysis`); give exactly one of this and `dashboard`.
    pub analysis: Option<String>,
    /// The dashboard to export, every tile in order (`--dashboard`).
    pub dashboard: Option<String>,
    /// `csv`, `xlsx`, `png`, `svg` or `pdf`.
    pub format: String,
    /// The file to write; an existing one is replaced atomically.
    pub out: PathBuf,
}

/// What `inda export` prints.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ExportSummary {
    /// The file written, as the request named it.
    pub path: String,
    /// Data rows written (for images: rows the charts were drawn from), over all items.
    pub rows: u64,
    /// Size of the file, in bytes.
    pub bytes: u64,
}

impl App {
    /// The results to export, in order: one analysis, or the tiles of a dashboard.
    pub(crate) async fn export_items(
        &self,
        session: &Session,
        target: &ExportTarget,
        cancel: &Cancel,
    ) -> Result<Vec<SavedAnswer>, Error> {
        match target {
            ExportTarget::Analysis(id) => Ok(vec![self.show_analysis(session, id, cancel).await?]),
            ExportTarget::Dashboard(id) => {
                let layout = self.dashboard_layout(session, id)?;
                let mut items = Vec::with_capacity(layout.tiles.len());
                for tile in &layout.tiles {
                    items.push(self.show_analysis(session, &tile.tile.analysis_id, cancel).await?);
                }
                Ok(items)
            }
        }
    }

    /// [`App::export_to`] for `inda export`: the format and the target as given on the command line.
    pub async fn export(
        &self,
        session: &Session,
        req: &ExportRequest,
        cancel: &Cancel,
    ) -> Result<ExportSummary, Error> {
        let format: inda_export::ExportFormat = req.format.parse()?;
        let target = ExportTarget::from_ids(req.analysis.clone(), req.dashboard.clone())?;
        self.export_to(session, &target, format, &req.out, cancel).await
    }

    /// Writes the export to `out` atomically (the renderer writes a temp file and renames it) and audits it.
    pub async fn export_to(
        &self,
        session: &Session,
        target: &ExportTarget,
        format: inda_export::ExportFormat,
        out: &Path,
        cancel: &Cancel,
    ) -> Result<ExportSummary, Error> {
        // Ownership and the cache are checked first, so another's id is not-found before anything is written.
        let answers = self.export_items(session, target, cancel).await?;
        let title = match target.dashboard() {
            Some(id) => Some(self.dashboard_layout(session, id)?.dashboard.name),
            None => None,
        };
        let sets: Vec<ResultSet> = answers.iter().map(SavedAnswer::result_set).collect();
        let mut titles = Vec::with_capacity(answers.len());
        for a in &answers {
            titles.push(self.scoped_title(session, &a.analysis_id, &a.name).await?);
        }
        let items: Vec<inda_export::ExportItem> = answers
            .iter()
            .zip(&sets)
            .zip(&titles)
            .map(|((a, rs), title)| inda_export::ExportItem {
                title,
                result: rs,
                chart: &a.answer.chart,
                sql: &a.answer.sql,
                as_of: &a.as_of,
                caveats: &a.answer.caveats,
            })
            .collect();
        // Spanish questions export in Spanish (headers, "en curso", number formats).
        let spanish = answers.first().is_some_and(|a| a.answer.lang.as_deref() == Some("es"));
        let lang = if spanish { inda_export::Lang::Es } else { inda_export::Lang::En };
        let opts = inda_export::ExportOptions { lang, ..Default::default() };
        let report = inda_export::export_titled(title.as_deref(), &items, format, out, &opts)?;
        // The file name only: the full path may say more about the machine than the audit log needs.
        let file = out.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
        self.audit(
            session,
            AuditAction::Export,
            AuditOutcome::Ok,
            json!({"format": format.as_str(), "rows": report.rows, "file": file,
                   "analysis_id": target.analysis(), "dashboard_id": target.dashboard()}),
        )?;
        Ok(ExportSummary {
            path: report.path.display().to_string(),
            rows: report.rows as u64,
            bytes: report.bytes,
        })
    }

    /// An exported item's title, naming the companies it covers when it reads more than one (an admin's):
    /// `Revenue by channel — Acme Corp, Globex`. An analyst's exports are their own company's and keep the
    /// analysis's name.
    async fn scoped_title(&self, session: &Session, analysis_id: &str, name: &str) -> Result<String, Error> {
        let scope = self.get_analysis(session, analysis_id)?.scope;
        if scope.single().is_some() {
            return Ok(name.to_string());
        }
        let names: Vec<String> =
            self.companies(session, &scope).await?.into_iter().map(|c| c.tenant_name).collect();
        Ok(format!("{name} — {}", names.join(", ")))
    }
}
