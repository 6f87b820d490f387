//! Division as Snowflake does it: `7 / 2` is 3.5, not 3. DataFusion divides integers as integers, so a
//! ratio an analyst writes the Snowflake way (`COUNT_IF(status = 'failed') / COUNT(*)`) would silently come
//! out 0 on the embedded engine and right on Snowflake: the worst kind of wrong number. This analyzer rule
//! runs ahead of type coercion and makes every division of two integers a division of doubles; decimals and
//! floats already divide exactly and are left alone.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{BinaryExpr, Cast, Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;
use std::sync::Arc;

#[derive(Debug, Default)]
pub(crate) struct ExactDivision;

/// The analyzer's rules with this one first.
pub(crate) fn ahead_of(
    rules: &[Arc<dyn AnalyzerRule + Send + Sync>],
) -> Vec<Arc<dyn AnalyzerRule + Send + Sync>> {
    std::iter::once(Arc::new(ExactDivision) as Arc<dyn AnalyzerRule + Send + Sync>)
        .chain(rules.iter().cloned())
        .collect()
}

impl AnalyzerRule for ExactDivision {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        // Children come before their parents: once a division changed a column's type, every node above
        // must derive its schema again.
        let mut changed = false;
        plan.transform_up_with_subqueries(|node| {
            let schema = merge_schema(&node.inputs());
            // Columns keep the names the analyst's SQL gave them (`7 / 2`), not the cast's.
            let names = NamePreserver::new(&node);
            let rewritten = node.map_expressions(|e| {
                let name = names.save(&e);
                Ok(e.transform_up(|e| exact(e, &schema))?.update_data(|e| name.restore(e)))
            })?;
            changed |= rewritten.transformed;
            if changed {
                return rewritten.map_data(|p| p.recompute_schema()).map(|t| Transformed::yes(t.data));
            }
            Ok(rewritten)
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "inda_exact_division"
    }
}

fn exact(expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let Expr::BinaryExpr(BinaryExpr { left, op: Operator::Divide, right }) = &expr else {
        return Ok(Transformed::no(expr));
    };
    let integer = |e: &Expr| e.get_type(schema).map(|t| t.is_integer()).unwrap_or(false);
    if !(integer(left) && integer(right)) {
        return Ok(Transformed::no(expr));
    }
    let double = |e: &Expr| Box::new(Expr::Cast(Cast::new(Box::new(e.clone()), DataType::Float64)));
    Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr {
        left: double(left),
        op: Operator::Divide,
        right: double(right),
    })))
}
