//! Snowflake's conversion functions with Snowflake's format models: `TO_VARCHAR(d, 'YYYY-MM')`,
//! `TO_DATE(s, 'DD/MM/YYYY')`, `TO_TIMESTAMP(s, 'YYYY-MM-DD HH24:MI:SS')`. DataFusion's `to_char`,
//! `to_date` and `to_timestamp` read chrono formats (`%Y-%m`) instead, so each wrapper translates a
//! Snowflake format (with `datetime_formats.txt`) and hands the call to DataFusion's function.
//!
//! `TO_VARCHAR` without a format also follows Snowflake: a timestamp reads `2026-01-02 10:11:12.000`, not
//! Arrow's `2026-01-02T10:11:12`. Number formats (`'999,999.00'`) are refused with a message rather than
//! ignored: a silently different rendering would be worse than an error.

use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::config::ConfigOptions;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};
use std::any::Any;
use std::sync::{Arc, LazyLock};

/// `datetime_formats.txt`: (Snowflake element in upper case, chrono specifier), longest element first.
static ELEMENTS: LazyLock<Vec<(String, &'static str)>> = LazyLock::new(|| {
    let mut elements: Vec<(String, &'static str)> = include_str!("datetime_formats.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            Some((fields.next()?.to_ascii_uppercase(), fields.next()?))
        })
        .collect();
    elements.sort_by_key(|(element, _)| std::cmp::Reverse(element.len()));
    elements
});

/// A Snowflake date and time format as a chrono format: `'DD/MM/YYYY "at" HH24:MI'` → `%d/%m/%Y at %H:%M`.
pub(crate) fn chrono_format(snowflake: &str) -> String {
    let mut out = String::with_capacity(snowflake.len() * 2);
    let mut rest = snowflake;
    while let Some(c) = rest.chars().next() {
        if c == '"' {
            // Quoted text is literal; an unclosed quote runs to the end, as in Snowflake.
            let body = &rest[1..];
            let end = body.find('"').unwrap_or(body.len());
            out.push_str(&body[..end].replace('%', "%%"));
            rest = body.get(end + 1..).unwrap_or("");
            continue;
        }
        let element = ELEMENTS.iter().find(|(element, _)| {
            rest.get(..element.len()).is_some_and(|head| head.eq_ignore_ascii_case(element))
        });
        match element {
            Some((element, chrono)) => {
                out.push_str(chrono);
                rest = &rest[element.len()..];
            }
            None => {
                if c == '%' {
                    out.push('%');
                }
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// The format argument of a call, translated, when it is a constant string (Snowflake requires
/// constant formats too).
fn translated(name: &str, format: &ColumnarValue) -> Result<ColumnarValue> {
    match format {
        ColumnarValue::Scalar(s) if s.is_null() => Ok(ColumnarValue::Scalar(ScalarValue::Utf8(None))),
        ColumnarValue::Scalar(
            ScalarValue::Utf8(Some(f)) | ScalarValue::LargeUtf8(Some(f)) | ScalarValue::Utf8View(Some(f)),
        ) => Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(chrono_format(f))))),
        _ => exec_err!("{name}: the format must be a constant string, such as 'YYYY-MM-DD'"),
    }
}

fn is_datetime(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date32
            | DataType::Date64
            | DataType::Timestamp(..)
            | DataType::Time32(_)
            | DataType::Time64(_)
    )
}

/// `TO_VARCHAR(x [, format])`, also spelled `TO_CHAR`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct ToVarchar {
    signature: Signature,
    aliases: Vec<String>,
    /// DataFusion's `to_char`, which renders dates and times with a chrono format.
    to_char: ScalarUDF,
}

impl ToVarchar {
    pub(super) fn new(to_char: ScalarUDF) -> Self {
        ToVarchar {
            signature: Signature::one_of(
                vec![TypeSignature::Any(1), TypeSignature::Any(2)],
                Volatility::Immutable,
            ),
            aliases: vec!["to_char".to_string()],
            to_char,
        }
    }
}

/// What Snowflake shows for a date or time without a format (its default output formats).
fn default_format(t: &DataType) -> &'static str {
    match t {
        DataType::Date32 | DataType::Date64 => "%Y-%m-%d",
        DataType::Time32(_) | DataType::Time64(_) => "%H:%M:%S",
        DataType::Timestamp(_, Some(_)) => "%Y-%m-%d %H:%M:%S%.3f %z",
        _ => "%Y-%m-%d %H:%M:%S%.3f",
    }
}

impl ScalarUDFImpl for ToVarchar {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn name(&self) -> &str {
        "to_varchar"
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let value_type = args.args[0].data_type();
        if is_datetime(&value_type) {
            let format = match args.args.get(1) {
                Some(format) => translated(self.name(), format)?,
                None => {
                    ColumnarValue::Scalar(ScalarValue::Utf8(Some(default_format(&value_type).to_string())))
                }
            };
            let call = ScalarFunctionArgs {
                args: vec![args.args[0].clone(), format],
                arg_fields: vec![
                    args.arg_fields[0].clone(),
                    Arc::new(Field::new("format", DataType::Utf8, true)),
                ],
                number_rows: args.number_rows,
                return_field: args.return_field.clone(),
                config_options: args.config_options.clone(),
            };
            return self.to_char.invoke_with_args(call);
        }
        if let Some(format) = args.args.get(1)
            && !matches!(format, ColumnarValue::Scalar(s) if s.is_null())
        {
            return exec_err!(
                "{}: formats apply to dates and times on the embedded engine, not to {value_type} values",
                self.name()
            );
        }
        match &args.args[0] {
            ColumnarValue::Scalar(s) => Ok(ColumnarValue::Scalar(s.cast_to(&DataType::Utf8)?)),
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(cast(a, &DataType::Utf8)?)),
        }
    }
    fn documentation(&self) -> Option<&Documentation> {
        None
    }
}

/// `TO_DATE(x [, format])` (also `DATE`) and `TO_TIMESTAMP(x [, format])`: DataFusion's function with the
/// format translated; a value that already is a date or a timestamp is converted directly.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Parse {
    inner: ScalarUDF,
    aliases: Vec<String>,
}

impl Parse {
    pub(super) fn new(inner: ScalarUDF, aliases: &[&str]) -> Self {
        let mut all = inner.aliases().to_vec();
        all.extend(aliases.iter().map(|a| a.to_string()));
        Parse { inner, aliases: all }
    }
}

impl ScalarUDFImpl for Parse {
    delegate_to_inner!();
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
    fn with_updated_config(&self, config: &ConfigOptions) -> Option<ScalarUDF> {
        // `to_timestamp` reads the session's time zone; keep the translation around the updated function.
        let inner = self.inner.inner().with_updated_config(config)?;
        Some(ScalarUDF::new_from_impl(Parse { inner, aliases: self.aliases.clone() }))
    }
    fn invoke_with_args(&self, mut args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let target = args.return_type().clone();
        if let Some(value) = args.args.first()
            && is_datetime(&value.data_type())
        {
            return match value {
                ColumnarValue::Scalar(s) => Ok(ColumnarValue::Scalar(s.cast_to(&target)?)),
                ColumnarValue::Array(a) => Ok(ColumnarValue::Array(cast(a, &target)?)),
            };
        }
        let name = self.inner.name().to_string();
        for format in args.args.iter_mut().skip(1) {
            *format = translated(&name, format)?;
        }
        for field in args.arg_fields.iter_mut().skip(1) {
            *field = Arc::new(Field::new(field.name(), DataType::Utf8, true));
        }
        self.inner.invoke_with_args(args)
    }
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

#[cfg(test)]
mod tests {
    use super::chrono_format;

    #[test]
    fn snowflake_formats_become_chrono_formats() {
        assert_eq!(chrono_format("YYYY-MM-DD"), "%Y-%m-%d");
        assert_eq!(chrono_format("yyyy-mm-dd hh24:mi:ss.ff3"), "%Y-%m-%d %H:%M:%S.%3f");
        assert_eq!(chrono_format("DD/MM/YY"), "%d/%m/%y");
        assert_eq!(chrono_format("Mon DD, YYYY"), "%b %d, %Y");
        assert_eq!(chrono_format("MMMM"), "%B");
        assert_eq!(chrono_format("DY HH12 AM"), "%a %I %p");
        assert_eq!(chrono_format("YYYY\"T\"HH24 \"100%\""), "%YT%H 100%%");
        assert_eq!(chrono_format("100%"), "100%%");
    }
}
