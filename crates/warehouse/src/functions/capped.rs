//! String functions whose output grows with an argument, capped before they allocate: `lpad('x',
//! 2147483647, 'yz')` would otherwise build gigabytes in one call, outside the query's memory pool
//! (DataFusion accounts for operators' buffers, not for the values an expression returns).
//!
//! Each wrapper reads the size every row asks for and fails the call with a message naming the function
//! and the size when one value would pass [`MAX_VALUE_CHARS`], or when the values of one call (one batch of
//! rows) would together pass [`MAX_CALL_CHARS`]; otherwise DataFusion's own function runs unchanged.
//!
//! Not capped here: `regexp_replace`, whose number of matches cannot be known without running the regular
//! expression (its growth stays bounded by the input times the replacement, both held by the query), and
//! the aggregates (`string_agg`, `listagg`, `array_agg`), whose state DataFusion charges to the memory pool.

use datafusion::arrow::array::{Array, AsArray, Int64Array, LargeStringArray, StringArray, StringViewArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::FieldRef;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
};

/// The longest string one call may return, in characters: far above any label, padding or bar an
/// analysis draws, far below what could hurt the process.
pub(crate) const MAX_VALUE_CHARS: u64 = 1 << 20;

/// The characters one call may return over all the rows of a batch (up to 4 bytes each). A batch holds
/// thousands of rows, so this allows short values on every row and long ones on a few.
pub(crate) const MAX_CALL_CHARS: u64 = 32 << 20;

/// How a function's output size follows from its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Growth {
    /// `lpad(s, length [, fill])`, `rpad(…)`: exactly `length` characters.
    Pad,
    /// `repeat(s, n)`: `n` times `s`.
    Repeat,
    /// `replace(s, from, to)`: `s` with every `from` turned into `to`.
    Replace,
    /// `concat(a, b, …)` (and `a || b`): every argument's text, one after the other.
    Concat,
}

/// DataFusion's function behind a size check.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Capped {
    inner: ScalarUDF,
    growth: Growth,
}

impl Capped {
    pub(super) fn new(inner: ScalarUDF, growth: Growth) -> Self {
        Capped { inner, growth }
    }

    /// The characters row `row` would return, when its arguments are known (NULL returns nothing).
    fn chars(&self, args: &[Reader<'_>], row: usize) -> Option<u64> {
        match (self.growth, args) {
            (Growth::Pad, [_, Reader::Ints(length), ..]) => length.get(row).map(|n| n.max(0).unsigned_abs()),
            (Growth::Repeat, [Reader::Texts(s), Reader::Ints(n)]) => {
                let (s, n) = (s.get(row)?, n.get(row)?);
                Some(char_count(s).saturating_mul(n.max(0).unsigned_abs()))
            }
            (Growth::Replace, [Reader::Texts(s), Reader::Texts(from), Reader::Texts(to)]) => {
                let (s, from, to) = (s.get(row)?, from.get(row)?, to.get(row)?);
                // Matches never split a character, so the count of characters changes by the same amount
                // at each one. An empty `from` matches between every two characters and at both ends.
                let matches = s.matches(from).count() as u64;
                let removed = matches.saturating_mul(char_count(from));
                Some(
                    char_count(s)
                        .saturating_sub(removed)
                        .saturating_add(matches.saturating_mul(char_count(to))),
                )
            }
            (Growth::Concat, args) => Some(
                args.iter()
                    .map(|a| match a {
                        Reader::Texts(t) => t.get(row).map_or(0, char_count),
                        // A number or a date prints in a few dozen characters at most.
                        Reader::Ints(_) | Reader::Other => 40,
                    })
                    .sum(),
            ),
            _ => None,
        }
    }

    fn check(&self, args: &ScalarFunctionArgs) -> Result<()> {
        let readers = args.args.iter().map(Reader::of).collect::<Result<Vec<_>>>()?;
        let constant = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if constant { 1 } else { args.number_rows };
        let name = self.inner.name();
        let mut total: u64 = 0;
        for row in 0..rows {
            let Some(chars) = self.chars(&readers, row) else { continue };
            if chars > MAX_VALUE_CHARS {
                return match self.growth {
                    Growth::Pad => exec_err!(
                        "{name}: the length {chars} is over the limit of {} characters",
                        thousands(MAX_VALUE_CHARS)
                    ),
                    Growth::Repeat | Growth::Replace | Growth::Concat => exec_err!(
                        "{name}: a result of {} characters is over the limit of {} characters",
                        thousands(chars),
                        thousands(MAX_VALUE_CHARS)
                    ),
                };
            }
            total = total.saturating_add(chars);
            if total > MAX_CALL_CHARS {
                return exec_err!(
                    "{name}: the results for one batch of rows would pass {} characters",
                    thousands(MAX_CALL_CHARS)
                );
            }
        }
        Ok(())
    }
}

impl ScalarUDFImpl for Capped {
    delegate_to_inner!();
    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }
    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        self.inner.return_field_from_args(args)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        self.check(&args)?;
        self.inner.invoke_with_args(args)
    }
    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }
}

/// One argument of a call, read row by row whether it is a column or a constant (a constant is never
/// expanded to a column: a long one repeated over a batch is the very allocation this module prevents).
enum Reader<'a> {
    Texts(Texts<'a>),
    Ints(Ints),
    Other,
}

impl<'a> Reader<'a> {
    fn of(value: &'a ColumnarValue) -> Result<Self> {
        Ok(match value.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Reader::Texts(Texts::of(value)),
            t if t.is_integer() => Reader::Ints(Ints::of(value)?),
            _ => Reader::Other,
        })
    }
}

enum Texts<'a> {
    Constant(Option<&'a str>),
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Texts<'a> {
    fn of(value: &'a ColumnarValue) -> Self {
        match value {
            ColumnarValue::Scalar(
                ScalarValue::Utf8(s) | ScalarValue::LargeUtf8(s) | ScalarValue::Utf8View(s),
            ) => Texts::Constant(s.as_deref()),
            ColumnarValue::Array(a) => match a.data_type() {
                DataType::Utf8 => Texts::Utf8(a.as_string::<i32>()),
                DataType::LargeUtf8 => Texts::Large(a.as_string::<i64>()),
                _ => Texts::View(a.as_string_view()),
            },
            ColumnarValue::Scalar(_) => Texts::Constant(None),
        }
    }

    fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Texts::Constant(s) => *s,
            Texts::Utf8(a) => a.is_valid(row).then(|| a.value(row)),
            Texts::Large(a) => a.is_valid(row).then(|| a.value(row)),
            Texts::View(a) => a.is_valid(row).then(|| a.value(row)),
        }
    }
}

enum Ints {
    Constant(Option<i64>),
    Column(Int64Array),
}

impl Ints {
    fn of(value: &ColumnarValue) -> Result<Self> {
        Ok(match value {
            ColumnarValue::Scalar(s) => match s.cast_to(&DataType::Int64)? {
                ScalarValue::Int64(n) => Ints::Constant(n),
                _ => Ints::Constant(None),
            },
            ColumnarValue::Array(a) => {
                Ints::Column(cast(a, &DataType::Int64)?.as_primitive::<Int64Type>().clone())
            }
        })
    }

    fn get(&self, row: usize) -> Option<i64> {
        match self {
            Ints::Constant(n) => *n,
            Ints::Column(a) => a.is_valid(row).then(|| a.value(row)),
        }
    }
}

fn char_count(s: &str) -> u64 {
    s.chars().count() as u64
}

/// `1048576` → `1,048,576`, as the limit reads in messages.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn limits_read_with_thousands_separators() {
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(2_147_483_647), "2,147,483,647");
    }
}
