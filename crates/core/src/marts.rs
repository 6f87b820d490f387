//! The marts schema: the tables analysts and the AI query, their columns with the contract's types and
//! nullability, and the columns that identify a row within a tenant. Defined once, in the data file
//! `marts.txt` (as the data-model contract lists it); the guard's catalog, the embedded engine's Arrow
//! schemas, the demo generator and the sync derive from it.

use std::fmt;
use std::sync::LazyLock;

/// A column's type, as the data-model contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text of any length (`VARCHAR`).
    Varchar,
    /// `BOOLEAN`.
    Boolean,
    /// Without time zone (Snowflake's `TIMESTAMP_NTZ`), to the microsecond.
    Timestamp,
    /// A calendar day (`DATE`).
    Date,
    /// An exact number, `DECIMAL(precision,scale)`.
    Decimal {
        /// Significant digits in all, 1 to 38.
        precision: u8,
        /// Digits after the point, 0 to `precision` (never negative in the contract).
        scale: i8,
    },
}

impl ColumnType {
    /// The contract's spelling (`VARCHAR`, `DECIMAL(12,2)`, …), in any ASCII case and spacing.
    pub fn parse(text: &str) -> Option<ColumnType> {
        let text: String =
            text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        Some(match text.as_str() {
            "VARCHAR" => ColumnType::Varchar,
            "BOOLEAN" => ColumnType::Boolean,
            "TIMESTAMP" => ColumnType::Timestamp,
            "DATE" => ColumnType::Date,
            _ => {
                let args = text.strip_prefix("DECIMAL(")?.strip_suffix(')')?;
                let (precision, scale) = args.split_once(',')?;
                let (precision, scale): (u8, i8) = (precision.parse().ok()?, scale.parse().ok()?);
                if !(1..=38).contains(&precision) || scale < 0 || scale as u8 > precision {
                    return None;
                }
                ColumnType::Decimal { precision, scale }
            }
        })
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnType::Varchar => f.write_str("VARCHAR"),
            ColumnType::Boolean => f.write_str("BOOLEAN"),
            ColumnType::Timestamp => f.write_str("TIMESTAMP"),
            ColumnType::Date => f.write_str("DATE"),
            ColumnType::Decimal { precision, scale } => write!(f, "DECIMAL({precision},{scale})"),
        }
    }
}

/// One column of a marts table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name, a lower-case identifier as the contract spells it.
    pub name: &'static str,
    /// The contract's type.
    pub data_type: ColumnType,
    /// Whether the column may hold NULL (`null` in `marts.txt`); key columns never do.
    pub nullable: bool,
}

/// One marts table: its columns in the contract's order (`tenant_id` first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table name without the `marts.` schema, lower case (`fct_messages`).
    pub name: &'static str,
    /// Every column in the contract's order, [`TENANT_COLUMN`] first.
    pub columns: Vec<Column>,
    /// The columns that identify a row within its tenant, in column order (the order rows are written
    /// in): the id column, or currency and month for fx_rates.
    pub key: Vec<&'static str>,
    /// The column whose values the table's Parquet row groups keep apart (`cluster` in `marts.txt`).
    pub cluster: Option<&'static str>,
}

impl Table {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The column every marts table starts with.
pub const TENANT_COLUMN: &str = "tenant_id";

static TABLES: LazyLock<Vec<Table>> = LazyLock::new(|| {
    // The file is part of the build, and a unit test parses it: an error here is a bug in that file.
    parse(include_str!("marts.txt")).unwrap_or_else(|e| panic!("crates/core/src/marts.txt: {e}"))
});

/// The marts tables, in dependency order (fx_rates follows from the activities).
pub fn tables() -> &'static [Table] {
    &TABLES
}

/// The marts table named `name` (lower case, as the contract spells it).
pub fn table(name: &str) -> Option<&'static Table> {
    tables().iter().find(|t| t.name == name)
}

/// The names of the marts tables, in the order of [`tables`].
pub fn names() -> impl Iterator<Item = &'static str> {
    tables().iter().map(|t| t.name)
}

/// Reads `marts.txt`: `table NAME` lines, each followed by `NAME TYPE [null] [key]` column lines; `#`
/// starts a comment.
fn parse(text: &'static str) -> Result<Vec<Table>, String> {
    let mut tables: Vec<Table> = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let at = |message: String| format!("line {}: {message}", number + 1);
        let mut words = line.split('#').next().unwrap_or("").split_whitespace();
        let Some(first) = words.next() else { continue };
        if first == "table" {
            let name = words.next().ok_or_else(|| at("`table` without a name".into()))?;
            if let Some(extra) = words.next() {
                return Err(at(format!("unexpected `{extra}` after the table name")));
            }
            check_name(name).map_err(at)?;
            if tables.iter().any(|t| t.name == name) {
                return Err(at(format!("table {name} is listed twice")));
            }
            tables.push(Table { name, columns: Vec::new(), key: Vec::new(), cluster: None });
            continue;
        }
        let table = tables.last_mut().ok_or_else(|| at(format!("column {first} before any `table` line")))?;
        check_name(first).map_err(at)?;
        if table.column(first).is_some() {
            return Err(at(format!("column {first} is listed twice in {}", table.name)));
        }
        let type_text = words.next().ok_or_else(|| at(format!("column {first} has no type")))?;
        let data_type = ColumnType::parse(type_text)
            .ok_or_else(|| at(format!("`{type_text}` is not a contract type")))?;
        let mut nullable = false;
        for flag in words {
            match flag {
                "null" => nullable = true,
                "key" => table.key.push(first),
                "cluster" if table.cluster.is_some() => {
                    return Err(at(format!("a second cluster column in {}", table.name)));
                }
                "cluster" => table.cluster = Some(first),
                other => return Err(at(format!("unknown flag `{other}` (null, key, cluster)"))),
            }
        }
        table.columns.push(Column { name: first, data_type, nullable });
    }
    for t in &tables {
        let tenant = Column { name: TENANT_COLUMN, data_type: ColumnType::Varchar, nullable: false };
        if t.columns.first() != Some(&tenant) {
            return Err(format!("table {} does not start with `{TENANT_COLUMN} VARCHAR` (not null)", t.name));
        }
        if t.key.is_empty() {
            return Err(format!("table {} has no key column", t.name));
        }
        if let Some(k) = t.key.iter().find(|k| t.column(k).is_some_and(|c| c.nullable)) {
            return Err(format!("key column {k} of {} is nullable", t.name));
        }
    }
    if tables.is_empty() {
        return Err("no tables".into());
    }
    Ok(tables)
}

fn check_name(name: &str) -> Result<(), String> {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain { Ok(()) } else { Err(format!("`{name}` is not a lower-case identifier")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_holds_the_five_marts_tables_in_dependency_order() {
        assert_eq!(
            names().collect::<Vec<_>>(),
            ["dim_contacts", "dim_campaigns", "fct_messages", "fct_activities", "fx_rates"]
        );
        let fx = table("fx_rates").expect("fx_rates");
        assert_eq!(fx.key, ["currency", "month"]);
        assert_eq!(table("fct_activities").and_then(|t| t.cluster), Some("activity_type"));
        assert_eq!(fx.cluster, None);
        assert_eq!(fx.column("month").map(|c| c.data_type), Some(ColumnType::Date));
        assert_eq!(
            table("fct_activities").and_then(|t| t.column("amount")).cloned(),
            Some(Column {
                name: "amount",
                data_type: ColumnType::Decimal { precision: 12, scale: 2 },
                nullable: true
            })
        );
        assert!(table("staging_anything").is_none());
        assert!(tables().iter().all(|t| t.columns[0].name == TENANT_COLUMN));
    }

    #[test]
    fn types_read_and_print_as_the_contract_spells_them() {
        for text in ["VARCHAR", "BOOLEAN", "TIMESTAMP", "DATE", "DECIMAL(12,2)", "DECIMAL(18,8)"] {
            assert_eq!(ColumnType::parse(text).map(|t| t.to_string()).as_deref(), Some(text));
        }
        assert_eq!(
            ColumnType::parse("decimal(10, 4)"),
            Some(ColumnType::Decimal { precision: 10, scale: 4 })
        );
        for bad in ["TEXT", "DECIMAL(2,3)", "DECIMAL(0,0)", "DECIMAL(12)", "TIMESTAMP_NTZ"] {
            assert_eq!(ColumnType::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn malformed_files_are_refused_with_their_line() {
        let cases = [
            ("    tenant_id VARCHAR\n", "line 1: column tenant_id before any `table` line"),
            ("table t\n    tenant_id VARCHAR\n    id TEXT key\n", "line 3: `TEXT` is not a contract type"),
            (
                "table t\n    tenant_id VARCHAR\n    id VARCHAR kee\n",
                "line 3: unknown flag `kee` (null, key, cluster)",
            ),
            (
                "table t\n    tenant_id VARCHAR cluster\n    id VARCHAR key cluster\n",
                "line 3: a second cluster column in t",
            ),
            ("table t\n    id VARCHAR key\n", "table t does not start with `tenant_id VARCHAR` (not null)"),
            ("table t\n    tenant_id VARCHAR\n    id VARCHAR\n", "table t has no key column"),
            ("table t\n    tenant_id VARCHAR\n    id VARCHAR null key\n", "key column id of t is nullable"),
            ("table T\n", "line 1: `T` is not a lower-case identifier"),
            ("# nothing\n", "no tables"),
        ];
        for (text, error) in cases {
            assert_eq!(parse(text), Err(error.to_string()), "{text}");
        }
    }
}
