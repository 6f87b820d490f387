//! Random queries over the catalog, built from a tape of random choices (so proptest shrinks a failing
//! query by shrinking its choices towards 0, which always means "the simplest option").
//!
//! Queries mix tables, aliases, joins, CTEs (named after tables too), unions, derived tables and
//! subqueries in SELECT and WHERE, with random case and quoting of names. Every SELECT yields the same
//! three columns (`contact_id`, `tenant_id`, `n`), so any relation can stand anywhere. With `sqlite` set,
//! only SQL that SQLite reads the way the guard does is produced.

use std::fmt::Write;

/// The tables sharing `contact_id`, so any of them can be joined to any other.
const TABLES: [&str; 3] = ["dim_contacts", "fct_messages", "fct_activities"];
const CTE_NAMES: [&str; 5] = ["dim_contacts", "fct_messages", "recent", "x", "fct_activities"];
const ALIASES: [&str; 6] = ["a", "b", "c", "dim_contacts", "fct_messages", "t"];
/// Relations a query must never reach; used to poison generated queries.
pub const FORBIDDEN: [&str; 6] = [
    "admin.tenants",
    "information_schema.tables",
    "raw.indigital_users",
    "staging.stg_contacts",
    "read_parquet('all.parquet')",
    "TABLE(RESULT_SCAN(LAST_QUERY_ID()))",
];

pub struct QueryGen<'t> {
    tape: &'t [u32],
    pos: usize,
    sqlite: bool,
    /// Replace the n-th base-table reference by a forbidden relation.
    poison: Option<usize>,
    base_refs: usize,
    /// Joins still allowed; SQLite runs the queries, and nested joins multiply rows past what a test can hold.
    joins_left: usize,
    pub poisoned: bool,
}

impl<'t> QueryGen<'t> {
    pub fn new(tape: &'t [u32], sqlite: bool) -> Self {
        let joins_left = if sqlite { 1 } else { usize::MAX };
        QueryGen { tape, pos: 0, sqlite, poison: None, base_refs: 0, joins_left, poisoned: false }
    }

    pub fn poisoned_at(tape: &'t [u32], index: usize) -> Self {
        QueryGen { poison: Some(index), ..QueryGen::new(tape, false) }
    }

    pub fn query(&mut self) -> String {
        self.query_in(&[], &[], 0)
    }

    /// How many base-table references the generated query holds.
    pub fn base_table_count(&self) -> usize {
        self.base_refs
    }

    fn pick(&mut self, n: usize) -> usize {
        let choice = self.tape.get(self.pos).copied().unwrap_or(0) as usize;
        self.pos += 1;
        choice % n
    }

    /// True one time in `n`; a shrunk (zero) choice says no.
    fn maybe(&mut self, n: usize) -> bool {
        self.pick(n) == n - 1
    }

    fn spell(&mut self, name: &str) -> String {
        match self.pick(5) {
            0 => name.to_string(),
            1 => name.to_ascii_uppercase(),
            2 => {
                let mut chars = name.chars();
                chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            }
            3 => format!("\"{name}\""),
            _ => format!("\"{}\"", name.to_ascii_uppercase()),
        }
    }

    /// `scope`: CTE names visible here. `pending`: CTE names of enclosing WITH clauses not defined yet.
    fn query_in(&mut self, scope: &[String], pending: &[String], depth: usize) -> String {
        let mut scope = scope.to_vec();
        let mut sql = String::new();
        if depth < 2 && self.maybe(3) {
            let count = 1 + self.pick(2);
            let mut names: Vec<String> = Vec::new();
            for i in 0..count {
                let mut name = CTE_NAMES[self.pick(CTE_NAMES.len())].to_string();
                if names.contains(&name) {
                    name = format!("{name}_{i}");
                }
                names.push(name);
            }
            sql.push_str("WITH ");
            for (i, name) in names.iter().enumerate() {
                let mut still_pending = pending.to_vec();
                still_pending.extend(names[i..].iter().cloned());
                let body = self.select(&scope, &still_pending, depth + 1);
                if i > 0 {
                    sql.push_str(", ");
                }
                let spelled = self.spell(name);
                let _ = write!(sql, "{spelled} AS ({body})");
                scope.push(name.clone());
            }
            sql.push(' ');
        }
        sql.push_str(&self.select(&scope, pending, depth));
        if self.maybe(4) {
            sql.push_str(if self.maybe(2) { " UNION ALL " } else { " UNION " });
            sql.push_str(&self.select(&scope, pending, depth));
        }
        sql
    }

    fn select(&mut self, scope: &[String], pending: &[String], depth: usize) -> String {
        let a = ALIASES[self.pick(ALIASES.len())];
        let first = self.relation(scope, pending, depth);
        let mut from = format!("{first} AS {a}");
        if self.joins_left > 0 && self.maybe(3) {
            self.joins_left -= 1;
            let mut b = ALIASES[self.pick(ALIASES.len())];
            if b == a {
                b = "j";
            }
            let second = self.relation(scope, pending, depth);
            let _ = match self.pick(3) {
                0 => write!(from, " JOIN {second} AS {b} ON {b}.contact_id = {a}.contact_id"),
                1 => write!(from, " LEFT JOIN {second} AS {b} ON {b}.contact_id = {a}.contact_id"),
                _ => write!(from, " CROSS JOIN {second} AS {b}"),
            };
        }
        let n = match self.pick(4) {
            0 => "0".to_string(),
            1 => format!("COUNT(*) OVER (PARTITION BY {a}.contact_id)"),
            2 => {
                let inner = self.relation(scope, pending, depth + 1);
                format!("(SELECT COUNT(*) FROM {inner} AS s WHERE s.contact_id = {a}.contact_id)")
            }
            _ => format!("LENGTH({a}.contact_id)"),
        };
        let mut sql =
            format!("SELECT {a}.contact_id AS contact_id, {a}.tenant_id AS tenant_id, {n} AS n FROM {from}");
        if self.maybe(2) {
            let condition = match self.pick(5) {
                0 => format!("{a}.tenant_id = 'globex' OR 1 = 1"),
                1 => format!("1 = 1 OR {a}.tenant_id <> 'acme_corp'"),
                2 => {
                    let inner = self.relation(scope, pending, depth + 1);
                    format!("{a}.contact_id IN (SELECT contact_id FROM {inner} AS i)")
                }
                3 => {
                    let inner = self.relation(scope, pending, depth + 1);
                    format!("EXISTS (SELECT 1 FROM {inner} AS e WHERE e.contact_id = {a}.contact_id)")
                }
                _ => {
                    let inner = self.relation(scope, pending, depth + 1);
                    format!(
                        "{a}.contact_id NOT IN (SELECT contact_id FROM {inner} AS i WHERE i.contact_id IS NOT NULL)"
                    )
                }
            };
            let _ = write!(sql, " WHERE {condition}");
        }
        sql
    }

    fn relation(&mut self, scope: &[String], pending: &[String], depth: usize) -> String {
        let options = if depth < 2 { 3 } else { 2 };
        // SQLite reads a CTE body's reference to a name being defined as a (circular) recursive one.
        let visible: Vec<&String> = scope.iter().filter(|n| !(self.sqlite && pending.contains(n))).collect();
        match self.pick(options) {
            1 if !visible.is_empty() => {
                let name = visible[self.pick(visible.len())].clone();
                self.spell(&name)
            }
            2 => format!("({})", self.query_in(scope, pending, depth + 1)),
            _ => self.base_table(pending),
        }
    }

    fn base_table(&mut self, pending: &[String]) -> String {
        let index = self.base_refs;
        self.base_refs += 1;
        if self.poison == Some(index) {
            self.poisoned = true;
            return FORBIDDEN[self.pick(FORBIDDEN.len())].to_string();
        }
        let table = TABLES[self.pick(TABLES.len())];
        // SQLite may read a not-yet-defined CTE of the same name where the standard reads the table, so
        // the SQLite flavour qualifies those references.
        let must_qualify = self.sqlite && pending.iter().any(|p| p == table);
        let qualifications = if self.sqlite { 2 } else { 3 };
        let spelled = self.spell(table);
        match self.pick(qualifications) {
            0 if !must_qualify => spelled,
            2 => {
                let schema = self.spell("marts");
                format!("{}.{schema}.{spelled}", self.spell("warehouse"))
            }
            _ => format!("{}.{spelled}", self.spell("marts")),
        }
    }
}
