//! Exports to a file: a saved analysis or a dashboard, rendered from cached results (an analysis without one is
//! run first, except offline; a filtered dashboard's tiles are computed with its filters), or an answer not
//! saved, rendered as the UI has it (nothing is queried). Every export is audited with its format, rows and
//! file name. Files are in the UI's language when it says (`lang`), else in the first item's question's.

use crate::{App, ExportTarget, SavedAnswer};
use inda_core::{Error, Lang, ResultSet, Session};
use inda_export::{ExportFormat, ExportItem, ExportOptions};
use inda_store::{AuditAction, AuditOutcome, DashboardFilters};
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

/// What one export renders, whatever it came from.
pub(crate) struct Rendering<'a> {
    /// A dashboard's name (over every page and image).
    pub doc_title: Option<&'a str>,
    /// One per item: title, result, and the answer it came from (chart, SQL, caveats).
    pub items: Vec<(String, ResultSet, &'a crate::Answer, String)>,
    pub lang: Lang,
    /// Applied filters, worded in `lang`.
    pub filters: Vec<String>,
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
            // Its analysis tiles in order, narrowed by the dashboard's filters when it has some.
            ExportTarget::Dashboard(id) => self.dashboard_answers(session, id, cancel).await,
        }
    }

    /// [`App::export_to`] for `inda export`: the format and the target as given on the command line, in the
    /// first item's question's language.
    pub async fn export(
        &self,
        session: &Session,
        req: &ExportRequest,
        cancel: &Cancel,
    ) -> Result<ExportSummary, Error> {
        let format: ExportFormat = req.format.parse()?;
        let target = ExportTarget::from_ids(req.analysis.clone(), req.dashboard.clone())?;
        self.export_to(session, &target, format, None, &req.out, cancel).await
    }

    /// Writes the export to `out` atomically (the renderer writes a temp file and renames it) and audits it.
    /// `lang` is the UI's language; `None`: the first item's question's (English for SQL).
    pub async fn export_to(
        &self,
        session: &Session,
        target: &ExportTarget,
        format: ExportFormat,
        lang: Option<Lang>,
        out: &Path,
        cancel: &Cancel,
    ) -> Result<ExportSummary, Error> {
        // Ownership and the cache are checked first, so another's id is not-found before anything is written.
        let answers = self.export_items(session, target, cancel).await?;
        let (title, filters) = match target.dashboard() {
            Some(id) => {
                let view = self.dashboard_layout(session, id)?;
                (Some(view.dashboard.name), Some(view.filters))
            }
            None => (None, None),
        };
        let mut items = Vec::with_capacity(answers.len());
        for a in &answers {
            let title = self.scoped_title(session, &a.analysis_id, &a.name).await?;
            items.push((title, a.result_set(), &a.answer, a.as_of.clone()));
        }
        let lang = lang.unwrap_or_else(|| question_lang(answers.first().map(|a| &a.answer)));
        let filters = match filters {
            Some(f) => {
                let model = self.semantic_for(session).await?;
                filter_lines(&f, lang, |family, v| model.value_label(family, v, lang))
            }
            None => vec![],
        };
        let rendering = Rendering { doc_title: title.as_deref(), items, lang, filters };
        let details = json!({"analysis_id": target.analysis(), "dashboard_id": target.dashboard()});
        self.render_and_audit(session, &rendering, format, out, details)
    }

    /// Renders `r` to `out` and audits the export with `details` (plus format, rows, file, language).
    pub(crate) fn render_and_audit(
        &self,
        session: &Session,
        r: &Rendering,
        format: ExportFormat,
        out: &Path,
        mut details: serde_json::Value,
    ) -> Result<ExportSummary, Error> {
        let items: Vec<ExportItem> = r
            .items
            .iter()
            .map(|(title, rs, answer, as_of)| ExportItem {
                title,
                result: rs,
                chart: &answer.chart,
                sql: &answer.sql,
                as_of,
                caveats: &answer.caveats,
            })
            .collect();
        let opts = ExportOptions { lang: r.lang, filters: r.filters.clone(), ..Default::default() };
        let report = inda_export::export_titled(r.doc_title, &items, format, out, &opts)?;
        // The file name only: the full path may say more about the machine than the audit log needs.
        let file = out.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
        if let Some(map) = details.as_object_mut() {
            map.insert("format".into(), json!(format.as_str()));
            map.insert("rows".into(), json!(report.rows));
            map.insert("file".into(), json!(file));
            map.insert("lang".into(), json!(r.lang.as_str()));
        }
        self.audit(session, AuditAction::Export, AuditOutcome::Ok, details)?;
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

/// The language of an answer's question (`lang`), English when it has none (SQL typed by hand).
pub(crate) fn question_lang(answer: Option<&crate::Answer>) -> Lang {
    Lang::or_default(answer.and_then(|a| a.lang.as_deref()))
}

/// A dashboard's filters as the lines an export prints under its title, in `lang`: `Dates: Mar 1, 2026 –
/// Mar 31, 2026`, `Channel: whatsapp, sms`. Values as stored (they are what the rows were filtered by).
/// `name` gives a value's display name in `lang` (`whatsapp` → "WhatsApp") from its family (`channel`).
pub(crate) fn filter_lines(
    f: &DashboardFilters,
    lang: Lang,
    name: impl Fn(&str, &str) -> String,
) -> Vec<String> {
    let day = |d: &Option<String>| {
        d.as_deref().map(|d| match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(day) => inda_export::localized_date(day, lang),
            Err(_) => d.to_string(),
        })
    };
    let mut lines = Vec::new();
    let dates = lang.pick("Dates", "Fechas");
    match (day(&f.from), day(&f.to)) {
        (Some(from), Some(to)) => lines.push(format!("{dates}: {from} – {to}")),
        (Some(from), None) => lines.push(format!("{dates}: {} {from}", lang.pick("from", "desde"))),
        (None, Some(to)) => lines.push(format!("{dates}: {} {to}", lang.pick("until", "hasta"))),
        (None, None) => {}
    }
    let lists = [
        (lang.pick("Channel", "Canal"), "channel", &f.channel),
        (lang.pick("Country", "País"), "country", &f.country),
        (lang.pick("Segment", "Segmento"), "segment", &f.segment),
        (lang.pick("Campaign", "Campaña"), "campaign", &f.campaign),
    ];
    for (heading, family, values) in lists {
        if !values.is_empty() {
            let shown: Vec<String> = values.iter().map(|v| name(family, v)).collect();
            lines.push(format!("{heading}: {}", shown.join(", ")));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_as_lines_in_the_export_language() {
        let f = DashboardFilters {
            from: Some("2026-03-01".into()),
            to: Some("2026-03-31".into()),
            channel: vec!["whatsapp".into(), "sms".into()],
            country: vec!["CO".into()],
            ..DashboardFilters::default()
        };
        let model = inda_semantic::SemanticModel::builtin().expect("model");
        let lines = |lang| filter_lines(&f, lang, |family, v| model.value_label(family, v, lang));
        assert_eq!(
            lines(Lang::En),
            ["Dates: Mar 1, 2026 – Mar 31, 2026", "Channel: WhatsApp, SMS", "Country: Colombia"]
        );
        assert_eq!(
            lines(Lang::Es),
            ["Fechas: 1 mar 2026 – 31 mar 2026", "Canal: WhatsApp, SMS", "País: Colombia"]
        );
        let only_to = DashboardFilters { to: Some("2026-12-02".into()), ..DashboardFilters::default() };
        assert_eq!(filter_lines(&only_to, Lang::Es, |_, v| v.to_string()), ["Fechas: hasta 2 dic 2026"]);
        assert!(filter_lines(&DashboardFilters::default(), Lang::En, |_, v| v.to_string()).is_empty());
    }
}
