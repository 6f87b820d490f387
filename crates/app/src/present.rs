//! From a plan's raw result to what the reader sees: the check of converted money (an answer with amounts
//! lacking a rate fails, naming them), the currency and label of each column, the caveats, the chart and
//! the summary. The same for a fresh question and for a saved one refreshed later. And the same check of
//! converted money for SQL that converts its own way (a language model's, a saved statement).

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

    /// For SQL this engine did not write (a person's, a model's answer): labels the period columns and the
    /// money columns of `rs` as `sql` makes them, and returns its caveats (an unfinished period, truncation).
    pub(crate) async fn present_statement(
        &self,
        session: &Session,
        sql: &str,
        rs: &mut ResultSet,
        lang: inda_semantic::Lang,
    ) -> Vec<Caveat> {
        // Labels are a help: a statement that ran is answered even when the model or currency cannot be read
        // now. They need the tables' money columns and the rates, not the scope's names: the shared model,
        // so that `inda sql` does not query the scope's names before its own statement.
        match (self.semantic(), self.reporting_currency(session).await) {
            (Ok(model), Ok(currency)) => inda_semantic::label_statement(&model, sql, rs, currency.as_deref()),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(code = e.code.as_str(), "a statement's result was left unlabelled")
            }
        }
        let today = chrono::Utc::now().date_naive();
        let mut caveats = inda_semantic::statement_caveats(rs, today, lang);
        caveats.extend(inda_semantic::truncated_caveat(rs, lang));
        caveats
    }

    /// For SQL this engine did not write (a model's answer, a saved statement): fails with an `engine` error
    /// naming the currency-months whose amounts `sql` converts without a rate (its join would have dropped
    /// them unseen). SQL whose rates join the check cannot follow is not checked; a check that fails to run
    /// is logged and the answer stands, unless it was cancelled meanwhile.
    pub(crate) async fn check_statement_rates(
        &self,
        session: &Session,
        lang: inda_semantic::Lang,
        sql: &str,
        cancel: &Cancel,
    ) -> Result<(), Error> {
        // The rates table and the amounts' columns: the shared model has them.
        let model = self.semantic()?;
        let Some(check) = inda_semantic::model_missing_rates_sql(&model, sql) else { return Ok(()) };
        match self.guard_and_run(session, &check, cancel).await {
            Ok((_, found)) => match inda_semantic::model_missing_rates_message(lang, &found) {
                Some(message) => Err(Error::engine(message)),
                None => Ok(()),
            },
            Err(e) if cancel.is_cancelled() => Err(e),
            Err(e) => {
                tracing::warn!(
                    code = e.code.as_str(),
                    "the exchange-rate check of a model's SQL did not run"
                );
                Ok(())
            }
        }
    }
}
