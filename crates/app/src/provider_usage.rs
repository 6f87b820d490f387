//! What the question engines took since this process opened its data dir: calls, tokens and cost per
//! provider, for `inda serve`'s `/metrics`. The audit log keeps every call with its tenant, model and
//! question; this is only their sum, kept in memory, so an operator can watch spend without reading any
//! tenant's log. Labels stay bounded: the providers `[ask]` can name, and `other` for anything else.

use crate::App;
use inda_providers::{Attempt, AttemptOutcome, ProviderKind};
use std::sync::atomic::{AtomicU64, Ordering};

/// The providers a tally is kept for, in the order [`ProviderUsage::tallies`] lists them; one more slot
/// after them counts any other name (a test's fake, a provider added without a slot here).
const KINDS: [ProviderKind; 3] = [ProviderKind::Anthropic, ProviderKind::Cortex, ProviderKind::OpenAi];
const OTHER: usize = KINDS.len();

/// Running sums per provider; updated with relaxed atomics, since each sum stands alone.
#[derive(Default)]
pub(crate) struct ProviderUsage {
    slots: [Slot; KINDS.len() + 1],
}

#[derive(Default)]
struct Slot {
    answered: AtomicU64,
    failed: AtomicU64,
    input_tokens: AtomicU64,
    output_tokens: AtomicU64,
    /// Millionths of a US dollar: an integer adds up exactly and atomically, where a float would need a lock.
    cost_micro_usd: AtomicU64,
}

/// One provider's calls, tokens and cost since the data dir was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderTally {
    /// `anthropic`, `cortex`, `openai`, or `other`.
    pub provider: &'static str,
    /// Calls that answered (their SQL may still have been refused by the guard).
    pub answered: u64,
    /// Calls that failed (timeouts, refusals, unreadable output).
    pub failed: u64,
    /// Prompt tokens of the calls that answered (estimated where the provider did not say).
    pub input_tokens: u64,
    /// Tokens the models wrote.
    pub output_tokens: u64,
    /// Estimated cost, in millionths of a US dollar.
    pub cost_micro_usd: u64,
}

impl ProviderUsage {
    /// Adds one model call as the router reported it.
    pub(crate) fn record(&self, attempt: &Attempt) {
        let slot = &self.slots[slot_of(&attempt.provider)];
        match &attempt.outcome {
            AttemptOutcome::Answered { usage, cost_usd } => {
                slot.answered.fetch_add(1, Ordering::Relaxed);
                slot.input_tokens.fetch_add(usage.input_tokens, Ordering::Relaxed);
                slot.output_tokens.fetch_add(usage.output_tokens, Ordering::Relaxed);
                slot.cost_micro_usd.fetch_add(micro_usd(*cost_usd), Ordering::Relaxed);
            }
            AttemptOutcome::Failed(_) => {
                slot.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The providers called at least once; none before the first call, so no one reads a zero as "called,
    /// and free".
    pub(crate) fn tallies(&self) -> Vec<ProviderTally> {
        self.slots
            .iter()
            .enumerate()
            .map(|(i, s)| ProviderTally {
                provider: KINDS.get(i).map_or("other", |k| k.as_str()),
                answered: s.answered.load(Ordering::Relaxed),
                failed: s.failed.load(Ordering::Relaxed),
                input_tokens: s.input_tokens.load(Ordering::Relaxed),
                output_tokens: s.output_tokens.load(Ordering::Relaxed),
                cost_micro_usd: s.cost_micro_usd.load(Ordering::Relaxed),
            })
            .filter(|t| t.answered + t.failed > 0)
            .collect()
    }
}

impl App {
    /// The question engines' calls, tokens and cost since this data dir was opened, per provider, summed
    /// over every tenant; providers never called are left out.
    pub fn provider_usage(&self) -> Vec<ProviderTally> {
        self.provider_usage.tallies()
    }
}

fn slot_of(provider: &str) -> usize {
    KINDS.iter().position(|k| k.as_str() == provider).unwrap_or(OTHER)
}

/// A cost as whole millionths of a dollar; a negative or not-a-number estimate counts as nothing.
fn micro_usd(usd: f64) -> u64 {
    if usd.is_finite() && usd > 0.0 { (usd * 1_000_000.0).round() as u64 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_providers::{ErrorKind, ProviderError, Usage};
    use std::time::Duration;

    fn attempt(provider: &str, outcome: AttemptOutcome) -> Attempt {
        Attempt { provider: provider.into(), model: "m".into(), elapsed: Duration::from_millis(5), outcome }
    }

    #[test]
    fn calls_tokens_and_cost_add_up_per_provider() {
        let usage = ProviderUsage::default();
        assert!(usage.tallies().is_empty(), "nothing before the first call");
        let answered = |input, output, cost_usd| AttemptOutcome::Answered {
            usage: Usage { input_tokens: input, output_tokens: output },
            cost_usd,
        };
        usage.record(&attempt("openai", answered(1000, 50, 0.0015)));
        usage.record(&attempt("openai", answered(200, 10, 0.000_000_4)));
        usage.record(&attempt(
            "openai",
            AttemptOutcome::Failed(ProviderError::new("openai", ErrorKind::Timeout, "t")),
        ));
        usage.record(&attempt("someone's-fake", answered(1, 1, f64::NAN)));
        let t = usage.tallies();
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(
            t[0],
            ProviderTally {
                provider: "openai",
                answered: 2,
                failed: 1,
                input_tokens: 1200,
                output_tokens: 60,
                cost_micro_usd: 1500,
            }
        );
        assert_eq!((t[1].provider, t[1].answered, t[1].cost_micro_usd), ("other", 1, 0));
    }
}
