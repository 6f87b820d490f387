//! From a plan's raw result to what the reader sees: the check of converted money (an answer with amounts
//! lacking a rate fails, naming them), the currency and label of each column, the caveats, the chart and
//! the summary. The same for a fresh question and for a saved one refreshed later.

use crate::App;
use inda_core::{Caveat, ChartSpec, Error, ResultSet, Session};
use inda_semantic::{Plan, SummaryContext};
use inda_warehouse::Cancel;

/// How a plan's result is shown.
pub(crate) struct Presented {
    pub chart: ChartSpec,
    pub summary: String,
    pub caveats: Vec<Caveat>,
}

impl App {
    /// Checks and labels `rs` in place (the check column goes away), then chooses its chart, caveats and
    /// summary. Fails with an `engine` error when some amounts have no exchange rate.
    pub(crate) async fn present(
        &self,
        session: &Session,
        plan: &Plan,
        rs: &mut ResultSet,
        cancel: &Cancel,
    ) -> Result<Presented, Error> {
        // The scope's model: its companies' rates, names and currencies.
        let model = self.semantic_for(session).await?;
        let missing = inda_semantic::take_missing_rate_rows(plan, rs);
        if missing > 0 {
            let found = match inda_semantic::missing_rates_sql(&model, plan) {
                Some(sql) => {
                    self.guard_and_run(session, &sql, cancel).await.map(|(_, r)| r).unwrap_or_default()
                }
                None => ResultSet::default(),
            };
            return Err(Error::engine(inda_semantic::missing_rates_message(plan.lang, missing, &found)));
        }
        let currency = self.reporting_currency(session).await?;
        inda_semantic::label_columns(&model, plan, rs, currency.as_deref());
        let today = chrono::Utc::now().date_naive();
        let caveats = inda_semantic::caveats(plan, rs, today);
        let chart = inda_semantic::choose_chart(rs, Some(plan));
        let cx = SummaryContext { plan: Some(plan), caveats: &caveats };
        let summary = inda_semantic::summarize(rs, &chart, plan.lang, cx);
        Ok(Presented { chart, summary, caveats })
    }
}
