//! What a model costs per token, so that every attempt can be audited with an estimated cost and a monthly
//! budget can be enforced. Prices change: the table ships with list prices and the config may replace any.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::generation::Usage;

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Price {
    /// USD per million prompt tokens.
    pub input_per_million: f64,
    /// USD per million tokens the model writes.
    pub output_per_million: f64,
}

impl Price {
    /// A price in USD per million input and output tokens.
    pub const fn new(input_per_million: f64, output_per_million: f64) -> Self {
        Price { input_per_million, output_per_million }
    }

    /// What `usage` costs at this price, in USD.
    pub fn cost(&self, usage: Usage) -> f64 {
        (usage.input_tokens as f64 * self.input_per_million
            + usage.output_tokens as f64 * self.output_per_million)
            / 1_000_000.0
    }
}

/// Prices by model name. A model matches its own entry or, failing that, the longest entry it starts with,
/// because providers report dated snapshots (`claude-sonnet-4-5-20250929`) of the names configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriceTable {
    prices: BTreeMap<String, Price>,
}

impl Default for PriceTable {
    /// List prices of the hosted models the app offers by default. Local models are absent, so they cost 0.
    /// Cortex bills in credits whose price depends on the contract: add its models in the config.
    fn default() -> Self {
        let list: [(&str, Price); 10] = [
            ("claude-sonnet-4-5", Price::new(3.0, 15.0)),
            ("claude-sonnet-4", Price::new(3.0, 15.0)),
            ("claude-haiku-4-5", Price::new(1.0, 5.0)),
            ("claude-opus-4-1", Price::new(15.0, 75.0)),
            ("claude-3-5-haiku", Price::new(0.8, 4.0)),
            ("gpt-4.1", Price::new(2.0, 8.0)),
            ("gpt-4.1-mini", Price::new(0.4, 1.6)),
            ("gpt-4o", Price::new(2.5, 10.0)),
            ("gpt-4o-mini", Price::new(0.15, 0.6)),
            ("o4-mini", Price::new(1.1, 4.4)),
        ];
        PriceTable { prices: list.into_iter().map(|(m, p)| (m.to_string(), p)).collect() }
    }
}

impl PriceTable {
    /// A table without prices, where every model is free: the base of the config's overrides.
    pub fn empty() -> Self {
        PriceTable { prices: BTreeMap::new() }
    }

    /// Sets (or replaces) a model's price.
    pub fn set(&mut self, model: impl Into<String>, price: Price) {
        self.prices.insert(model.into(), price);
    }

    /// This table with `overrides` laid over it.
    pub fn merged(mut self, overrides: &PriceTable) -> Self {
        for (model, price) in &overrides.prices {
            self.prices.insert(model.clone(), *price);
        }
        self
    }

    /// The price of `model`: its own entry, else the longest entry it starts with (a dated snapshot); `None`
    /// when no entry matches.
    pub fn price(&self, model: &str) -> Option<Price> {
        if let Some(p) = self.prices.get(model) {
            return Some(*p);
        }
        self.prices
            .iter()
            .filter(|(name, _)| model.starts_with(name.as_str()))
            .max_by_key(|(name, _)| name.len())
            .map(|(_, p)| *p)
    }

    /// The estimated cost in USD; 0 for a model without a price (a local model).
    pub fn cost(&self, model: &str, usage: Usage) -> f64 {
        match self.price(model) {
            Some(p) => p.cost(usage),
            None => {
                tracing::debug!(model, "no price for model; counting it as free");
                0.0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_snapshot_uses_the_longest_matching_entry() {
        let table = PriceTable::default();
        let usage = Usage { input_tokens: 1_000_000, output_tokens: 1_000_000 };
        assert_eq!(table.cost("claude-sonnet-4-5-20250929", usage), 18.0);
        // "gpt-4.1-mini" must not be priced as "gpt-4.1".
        assert!((table.cost("gpt-4.1-mini-2025-04-14", usage) - 2.0).abs() < 1e-9);
        assert_eq!(table.cost("llama3.1:8b", usage), 0.0);
    }

    #[test]
    fn overrides_replace_and_add() {
        let mut over = PriceTable::empty();
        over.set("claude-sonnet-4-5", Price::new(1.0, 1.0));
        over.set("mistral-large2", Price::new(2.0, 6.0));
        let table = PriceTable::default().merged(&over);
        let usage = Usage { input_tokens: 500_000, output_tokens: 500_000 };
        assert_eq!(table.cost("claude-sonnet-4-5", usage), 1.0);
        assert_eq!(table.cost("mistral-large2", usage), 4.0);
    }
}
