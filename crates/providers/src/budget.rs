//! The monthly spending limit: once a tenant's month-to-date cost reaches its budget, the app stops calling
//! paid providers and answers with the offline engine.

use chrono::{Datelike, NaiveDate};

/// Whether a tenant may still call paid providers this month ([`check_budget`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BudgetDecision {
    /// No budget is configured.
    Unlimited,
    /// Under budget: calls are allowed.
    Within {
        /// What is left of this month's budget, in USD (always more than 0).
        remaining_usd: f64,
    },
    /// The budget is used up, or is 0 or not a valid amount: no paid provider is called.
    Spent,
}

impl BudgetDecision {
    /// Whether a provider may be called: anything but [`BudgetDecision::Spent`].
    pub fn allows(self) -> bool {
        !matches!(self, BudgetDecision::Spent)
    }
}

/// Whether a provider may be used, given the month's spending so far and the monthly budget (USD).
/// A budget of 0 forbids paid providers; a negative or non-finite one is a configuration slip and forbids too.
pub fn check_budget(month_to_date_usd: f64, monthly_budget_usd: Option<f64>) -> BudgetDecision {
    match monthly_budget_usd {
        None => BudgetDecision::Unlimited,
        Some(budget) if !budget.is_finite() || budget <= 0.0 => BudgetDecision::Spent,
        Some(budget) => {
            let remaining = budget - month_to_date_usd.max(0.0);
            if remaining > 0.0 {
                BudgetDecision::Within { remaining_usd: remaining }
            } else {
                BudgetDecision::Spent
            }
        }
    }
}

/// The first day of `today`'s month: where month-to-date spending starts counting.
pub fn month_start(today: NaiveDate) -> NaiveDate {
    today.with_day(1).unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_decisions() {
        assert_eq!(check_budget(100.0, None), BudgetDecision::Unlimited);
        assert_eq!(check_budget(4.0, Some(10.0)), BudgetDecision::Within { remaining_usd: 6.0 });
        assert!(!check_budget(10.0, Some(10.0)).allows());
        assert!(!check_budget(0.0, Some(0.0)).allows());
        assert!(!check_budget(0.0, Some(f64::NAN)).allows());
        assert_eq!(
            month_start(NaiveDate::from_ymd_opt(2026, 5, 17).expect("d")),
            NaiveDate::from_ymd_opt(2026, 5, 1).expect("d")
        );
    }
}
