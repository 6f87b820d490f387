//! Snowflake's functions on the embedded engine, where renaming a call in [`crate::bridge`] cannot give it
//! Snowflake's meaning. Analysts' SQL is written for Snowflake; on a laptop the same SQL must run, and
//! give the same answer, on DataFusion.
//!
//! - Synonyms (`aliases.txt`): Snowflake's name for a DataFusion function with the same meaning
//!   (`STARTSWITH` for `starts_with`) is added to that function, so DISTINCT, FILTER and OVER keep working.
//! - Size caps ([`capped`]): `lpad`, `rpad`, `repeat`, `replace` and `concat` (which `a || b` becomes, see
//!   [`crate::bridge`]) check the size each row asks for before they allocate, so one call cannot take
//!   gigabytes.
//! - NULL in, NULL out ([`null_strict`]): `concat`, `greatest` and `least` return NULL when an argument is.
//! - Format models ([`formats`]): `to_varchar`/`to_char`, `to_date`/`date` and `to_timestamp` read
//!   Snowflake's `'YYYY-MM-DD'` formats.
//! - Speed only ([`truncate`], [`day`]): `date_trunc` to a week, month, quarter or year of a timestamp
//!   computes the same answer from day numbers, and the date of a computed timestamp is a division.
//!
//! [`register`] runs on each query's fresh session, before the query is planned.

/// The `ScalarUDFImpl` methods a wrapper passes on unchanged to the DataFusion function it wraps
/// (`self.inner`): its name, signature and types. Each wrapper adds what it changes.
macro_rules! delegate_to_inner {
    () => {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn name(&self) -> &str {
            self.inner.name()
        }
        fn signature(&self) -> &datafusion::logical_expr::Signature {
            self.inner.signature()
        }
        fn coerce_types(
            &self,
            arg_types: &[datafusion::arrow::datatypes::DataType],
        ) -> datafusion::error::Result<Vec<datafusion::arrow::datatypes::DataType>> {
            self.inner.coerce_types(arg_types)
        }
        fn return_type(
            &self,
            arg_types: &[datafusion::arrow::datatypes::DataType],
        ) -> datafusion::error::Result<datafusion::arrow::datatypes::DataType> {
            self.inner.return_type(arg_types)
        }
    };
}

mod capped;
mod day;
mod formats;
mod null_strict;
mod truncate;

use capped::{Capped, Growth};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::ScalarUDF;
use datafusion::prelude::SessionContext;
use day::CastToDay;
use formats::{Parse, ToVarchar};
use null_strict::NullStrict;
use std::sync::Arc;
use truncate::Truncate;

/// `aliases.txt`: (Snowflake name, DataFusion name).
fn aliases() -> impl Iterator<Item = (&'static str, &'static str)> {
    include_str!("aliases.txt").lines().filter_map(|line| {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        Some((fields.next()?, fields.next()?))
    })
}

/// Makes `ctx` speak Snowflake's functions. Each piece replaces one of DataFusion's built-in functions in
/// this session only; a built-in that is missing (a DataFusion upgrade that renamed it) is logged and
/// skipped, and the test that walks the guard's allow-list then names the function that no longer runs.
pub(crate) fn register(ctx: &SessionContext) {
    for (snowflake, datafusion) in aliases() {
        if let Ok(f) = ctx.udf(datafusion) {
            ctx.register_udf(f.as_ref().clone().with_aliases([snowflake]));
        } else if let Ok(f) = ctx.udaf(datafusion) {
            ctx.register_udaf(f.as_ref().clone().with_aliases([snowflake]));
        } else if let Ok(f) = ctx.udwf(datafusion) {
            ctx.register_udwf(f.as_ref().clone().with_aliases([snowflake]));
        } else {
            tracing::error!(
                snowflake,
                datafusion,
                "the embedded engine has no function for this Snowflake name"
            );
        }
    }
    let builtin = |name: &str| {
        let found = ctx.udf(name).map(|f| f.as_ref().clone());
        if found.is_err() {
            tracing::error!(name, "the embedded engine lacks a function that Snowflake SQL needs");
        }
        found.ok()
    };
    for (name, growth) in [
        ("lpad", Growth::Pad),
        ("rpad", Growth::Pad),
        ("repeat", Growth::Repeat),
        ("replace", Growth::Replace),
    ] {
        if let Some(f) = builtin(name) {
            ctx.register_udf(ScalarUDF::new_from_impl(Capped::new(f, growth)));
        }
    }
    if let Some(f) = builtin("concat") {
        let capped = ScalarUDF::new_from_impl(Capped::new(f, Growth::Concat));
        ctx.register_udf(ScalarUDF::new_from_impl(NullStrict::new(capped)));
    }
    for name in ["greatest", "least"] {
        if let Some(f) = builtin(name) {
            ctx.register_udf(ScalarUDF::new_from_impl(NullStrict::new(f)));
        }
    }
    if let Some(f) = builtin("to_char") {
        ctx.register_udf(ScalarUDF::new_from_impl(ToVarchar::new(f)));
    }
    if let Some(f) = builtin("to_date") {
        ctx.register_udf(ScalarUDF::new_from_impl(Parse::new(f, &["date"])));
    }
    if let Some(f) = builtin("to_timestamp") {
        ctx.register_udf(ScalarUDF::new_from_impl(Parse::new(f, &[])));
    }
    if let Some(f) = builtin("date_trunc") {
        ctx.register_udf(ScalarUDF::new_from_impl(Truncate::new(f)));
    }
    // Never fails: it only adds the rewrite to the session's list.
    let _ = ctx.state_ref().write().register_function_rewrite(Arc::new(CastToDay));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_this_module_builds_on_exists() {
        let ctx = SessionContext::new();
        for (snowflake, datafusion) in aliases() {
            let found =
                ctx.udf(datafusion).is_ok() || ctx.udaf(datafusion).is_ok() || ctx.udwf(datafusion).is_ok();
            assert!(found, "{snowflake} → {datafusion}: no such DataFusion function");
        }
        for name in [
            "lpad",
            "rpad",
            "repeat",
            "replace",
            "concat",
            "greatest",
            "least",
            "to_char",
            "to_date",
            "to_timestamp",
            "date_trunc",
        ] {
            assert!(ctx.udf(name).is_ok(), "{name}");
        }
        register(&ctx);
        assert!(ctx.udf("to_varchar").is_ok() && ctx.udf("date").is_ok() && ctx.udaf("any_value").is_ok());
    }
}
