//! The tables a tenant may query: schema `marts` of the data model, nothing else. The marts catalog comes
//! from the one marts schema, `inda_core::marts`.

/// The `marts` tables and their columns. Names are stored lower-case (the canonical spelling the guard
/// emits); lookups ignore ASCII case, because Snowflake stores unquoted names upper-case and both
/// spellings must work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// Sorted by table name.
    tables: Vec<(String, Vec<String>)>,
}

/// The schema every catalog table lives in.
pub(crate) const SCHEMA: &str = "marts";

/// The column every tenant-scoped table carries; the guard filters on it.
pub(crate) const TENANT_COLUMN: &str = inda_core::marts::TENANT_COLUMN;

impl Catalog {
    /// The marts tables of the data model with their columns, as the one marts schema
    /// ([`inda_core::marts`]) defines them.
    pub fn marts() -> Catalog {
        Catalog::new(
            inda_core::marts::tables()
                .iter()
                .map(|t| (t.name.to_string(), t.columns.iter().map(|c| c.name.to_string()).collect()))
                .collect(),
        )
    }

    /// A catalog of `marts` tables: table name → columns. Names are lower-cased; a table listed twice keeps
    /// its first column list. A table without a `tenant_id` column cannot be scoped, so the guard refuses
    /// queries that read it.
    pub fn new(tables: Vec<(String, Vec<String>)>) -> Catalog {
        let mut tables: Vec<(String, Vec<String>)> = tables
            .into_iter()
            .map(|(table, columns)| {
                (table.to_ascii_lowercase(), columns.into_iter().map(|c| c.to_ascii_lowercase()).collect())
            })
            .collect();
        tables.sort_by(|a, b| a.0.cmp(&b.0));
        tables.dedup_by(|later, first| later.0 == first.0);
        Catalog { tables }
    }

    /// Table names, sorted.
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        self.tables.iter().map(|(name, _)| name.as_str())
    }

    /// The columns of `table` (any ASCII case), or `None` when the catalog does not hold it.
    pub fn columns(&self, table: &str) -> Option<&[String]> {
        self.entry(table).map(|(_, columns)| columns.as_slice())
    }

    /// The canonical (lower-case) name of `table`, matched ignoring ASCII case.
    pub(crate) fn canonical(&self, table: &str) -> Option<&str> {
        self.entry(table).map(|(name, _)| name.as_str())
    }

    fn entry(&self, table: &str) -> Option<&(String, Vec<String>)> {
        self.tables.iter().find(|(name, _)| name.eq_ignore_ascii_case(table))
    }

    /// Whether `table` can be tenant-filtered at all.
    pub(crate) fn is_tenant_scoped(&self, table: &str) -> bool {
        self.columns(table).is_some_and(|columns| columns.iter().any(|c| c == TENANT_COLUMN))
    }

    /// `dim_campaigns, dim_contacts, …`, for reasons that tell the reader what exists.
    pub(crate) fn listing(&self) -> String {
        self.tables().collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marts_holds_the_five_tables_of_the_data_model() {
        let catalog = Catalog::marts();
        assert_eq!(
            catalog.tables().collect::<Vec<_>>(),
            ["dim_campaigns", "dim_contacts", "fct_activities", "fct_messages", "fx_rates"]
        );
        assert_eq!(catalog.columns("dim_contacts").map(<[String]>::len), Some(13));
        assert_eq!(catalog.columns("fct_messages").map(<[String]>::len), Some(12));
        assert_eq!(
            catalog.columns("FX_RATES"),
            Some(&["tenant_id", "currency", "month", "rate"].map(String::from)[..])
        );
        assert!(catalog.tables().all(|t| catalog.is_tenant_scoped(t)));
    }

    #[test]
    fn lookups_ignore_case_and_names_are_stored_lower_case() {
        let catalog = Catalog::new(vec![("Orders".into(), vec!["Tenant_ID".into(), "amount".into()])]);
        assert_eq!(catalog.canonical("ORDERS"), Some("orders"));
        assert_eq!(catalog.columns("orders"), Some(&["tenant_id".to_string(), "amount".to_string()][..]));
        assert!(catalog.is_tenant_scoped("orders"));
        assert_eq!(catalog.canonical("customers"), None);
    }

    #[test]
    fn a_table_without_tenant_column_is_not_scoped() {
        let catalog = Catalog::new(vec![("lookup".into(), vec!["code".into()])]);
        assert!(!catalog.is_tenant_scoped("lookup"));
    }
}
