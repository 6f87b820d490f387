//! The semantic model: tables, joins, metrics, dimensions, value synonyms, time grains and verified
//! examples, loaded from YAML and validated so that every name the engine puts into SQL comes from here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sqlparser::ast::{Expr, visit_expressions};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

use crate::intent::Grain;
use crate::lang::Lang;
use crate::lexicon::Lexicon;

const BUILTIN_YAML: &str = include_str!("../../../semantic/model.yaml");

/// A semantic model that failed to load; the message names the offending entry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("semantic model: {message}")]
pub struct ModelError {
    pub message: String,
}

impl ModelError {
    fn new(message: impl Into<String>) -> Self {
        ModelError { message: message.into() }
    }
}

impl From<ModelError> for inda_core::Error {
    fn from(e: ModelError) -> Self {
        inda_core::Error::internal(e.to_string())
    }
}

/// An English and a Spanish form of the same thing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual<T> {
    #[serde(default)]
    pub en: T,
    #[serde(default)]
    pub es: T,
}

impl<T> Bilingual<T> {
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::En => &self.en,
            Lang::Es => &self.es,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    Count,
    Sum,
    Avg,
    Ratio,
}

/// How a measure is shown: plain number, money, or a fraction shown as a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeasureFormat {
    Number,
    Currency,
    Percent,
}

impl MeasureFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureFormat::Number => "number",
            MeasureFormat::Currency => "currency",
            MeasureFormat::Percent => "percent",
        }
    }
}

/// The currency a money metric is in (semantics.md, Money).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MoneyCurrency {
    /// Amounts in each row's own currency, converted into the tenant's reporting currency through the
    /// model's exchange rates ([`Rates`]).
    Converted,
    /// Already in the tenant's reporting currency (campaign budgets).
    Reporting,
    /// In US dollars (messaging cost, as the providers bill it).
    Usd,
}

/// Where exchange rates live: a table with one rate per currency and month into the reporting currency.
/// A converted metric's rows join it on their currency and the month of their time column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rates {
    pub table: String,
    /// Currency code column, in the rates table and in every table with converted metrics.
    pub currency_column: String,
    /// First day of the month the rate applies to.
    pub month_column: String,
    pub rate_column: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    pub name: String,
    #[serde(default = "default_schema")]
    pub schema: String,
    /// Short alias used when the query joins.
    pub alias: String,
    /// What "how many <values of this table>" counts when a question names only a filter ("how many leads").
    #[serde(default)]
    pub default_metric: Option<String>,
    /// What "list the campaigns" shows of each row, first column first (also the order).
    #[serde(default)]
    pub list_columns: Vec<String>,
    pub columns: Vec<ColumnDef>,
}

fn default_schema() -> String {
    "marts".to_string()
}

impl TableDef {
    pub fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinDef {
    pub from: String,
    pub to: String,
    /// Key column present in both tables.
    pub on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    pub name: String,
    pub label: Bilingual<String>,
    /// Spanish article of the label (los/las/el/la), for summaries that read naturally.
    #[serde(default)]
    pub article_es: Option<String>,
    #[serde(default)]
    pub synonyms: Bilingual<Vec<String>>,
    pub table: String,
    pub expr: String,
    #[serde(default)]
    pub filter: Vec<String>,
    pub time_column: String,
    pub kind: MetricKind,
    pub format: MeasureFormat,
    /// A head noun ("messages") that yields to a more specific metric of its table in the same question.
    #[serde(default)]
    pub generic: bool,
    /// Words that turn the generic head noun of this metric's table into this metric ("messages that came
    /// in" → messages received, "mensajes abiertos" → read messages), and mean nothing elsewhere
    /// ("tickets abiertos" are just tickets, "plata que entró" is just revenue).
    #[serde(default)]
    pub refines: Bilingual<Vec<String>>,
    /// For money metrics: which currency the numbers are in.
    #[serde(default)]
    pub currency: Option<MoneyCurrency>,
    /// Unit of a non-money measure ("min"), shown after its values.
    #[serde(default)]
    pub unit: Option<Bilingual<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DimType {
    #[default]
    Text,
    Boolean,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionDef {
    pub name: String,
    /// Dimensions of one family share value synonyms (message, activity and campaign `channel`).
    #[serde(default)]
    pub family: Option<String>,
    pub table: String,
    pub column: String,
    /// A readable column grouped and shown with the key (contacts: `full_name` beside `contact_id`).
    #[serde(default)]
    pub label_column: Option<String>,
    #[serde(default, rename = "type")]
    pub value_type: DimType,
    pub label: Bilingual<String>,
    #[serde(default)]
    pub synonyms: Bilingual<Vec<String>>,
    /// Canonical values, when the set is closed.
    #[serde(default)]
    pub values: Vec<String>,
    /// The tenant's own values name themselves ("Black Friday 2025"): the app reads them from the data and
    /// adds them with [`SemanticModel::with_data_values`].
    #[serde(default)]
    pub data_values: bool,
}

impl DimensionDef {
    pub fn family(&self) -> &str {
        self.family.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueDef {
    pub value: String,
    #[serde(default)]
    pub en: Vec<String>,
    #[serde(default)]
    pub es: Vec<String>,
    /// Spanish display name when it differs from the first English synonym ("México").
    #[serde(default)]
    pub label_es: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrainDef {
    pub name: Grain,
    #[serde(default)]
    pub adjectives: Bilingual<Vec<String>>,
    #[serde(default)]
    pub nouns: Bilingual<Vec<String>>,
    /// Output column name of the bucket, per language (ASCII).
    pub label: Bilingual<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub lang: Lang,
    pub question: String,
    pub sql: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    #[serde(default)]
    version: u32,
    tables: Vec<TableDef>,
    #[serde(default)]
    joins: Vec<JoinDef>,
    metrics: Vec<MetricDef>,
    #[serde(default)]
    dimensions: Vec<DimensionDef>,
    #[serde(default)]
    values: BTreeMap<String, Vec<ValueDef>>,
    #[serde(default)]
    grains: Vec<GrainDef>,
    #[serde(default)]
    rates: Option<Rates>,
    #[serde(default)]
    examples: Vec<Example>,
}

/// A partner's or tenant's additions: whole metrics or dimensions (added, or replacing the same name),
/// extra synonyms for existing ones, extra value synonyms, extra examples.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideFile {
    #[serde(default)]
    metrics: Vec<MetricDef>,
    #[serde(default)]
    dimensions: Vec<DimensionDef>,
    #[serde(default)]
    synonyms: BTreeMap<String, Bilingual<Vec<String>>>,
    #[serde(default)]
    values: BTreeMap<String, Vec<ValueDef>>,
    #[serde(default)]
    examples: Vec<Example>,
}

/// The validated model plus the lexicon compiled from it.
#[derive(Debug, Clone)]
pub struct SemanticModel {
    file: ModelFile,
    pub(crate) lexicon: Lexicon,
}

impl SemanticModel {
    /// The model shipped with the product (`semantic/model.yaml`).
    pub fn builtin() -> Result<SemanticModel, ModelError> {
        static BUILTIN: OnceLock<Result<SemanticModel, ModelError>> = OnceLock::new();
        BUILTIN.get_or_init(|| SemanticModel::from_yaml_str(BUILTIN_YAML)).clone()
    }

    pub fn from_yaml_str(s: &str) -> Result<SemanticModel, ModelError> {
        let file: ModelFile =
            serde_yaml::from_str(s).map_err(|e| ModelError::new(format!("invalid YAML: {e}")))?;
        Self::from_file(file)
    }

    fn from_file(file: ModelFile) -> Result<SemanticModel, ModelError> {
        validate(&file)?;
        let mut model = SemanticModel { file, lexicon: Lexicon::default() };
        model.lexicon = Lexicon::build(&model)?;
        Ok(model)
    }

    /// This model with a partner's or tenant's override merged over it, validated as a whole.
    pub fn with_override(&self, yaml: &str) -> Result<SemanticModel, ModelError> {
        let over: OverrideFile =
            serde_yaml::from_str(yaml).map_err(|e| ModelError::new(format!("invalid override YAML: {e}")))?;
        let mut file = self.file.clone();
        for metric in over.metrics {
            match file.metrics.iter_mut().find(|m| m.name == metric.name) {
                Some(slot) => *slot = metric,
                None => file.metrics.push(metric),
            }
        }
        for dim in over.dimensions {
            match file.dimensions.iter_mut().find(|d| d.name == dim.name) {
                Some(slot) => *slot = dim,
                None => file.dimensions.push(dim),
            }
        }
        for (name, extra) in over.synonyms {
            let target = if let Some(m) = file.metrics.iter_mut().find(|m| m.name == name) {
                &mut m.synonyms
            } else if let Some(d) = file.dimensions.iter_mut().find(|d| d.name == name) {
                &mut d.synonyms
            } else {
                return Err(ModelError::new(format!(
                    "override adds synonyms to unknown metric or dimension '{name}'"
                )));
            };
            target.en.extend(extra.en);
            target.es.extend(extra.es);
        }
        for (family, defs) in over.values {
            let list = file.values.entry(family).or_default();
            for def in defs {
                match list.iter_mut().find(|v| v.value == def.value) {
                    Some(slot) => {
                        slot.en.extend(def.en);
                        slot.es.extend(def.es);
                    }
                    None => list.push(def),
                }
            }
        }
        file.examples.extend(over.examples);
        Self::from_file(file)
    }

    /// This model with a tenant's own values of a `data_values` dimension ("Black Friday 2025" for
    /// campaigns), each its own synonym. Values of fewer than two words, or that are already a phrase of the
    /// model ("WhatsApp"), are left out: a name must never take over a word that means something else.
    pub fn with_data_values(&self, dimension: &str, values: &[String]) -> Result<SemanticModel, ModelError> {
        let dim = self
            .dimension(dimension)
            .filter(|d| d.data_values)
            .ok_or_else(|| ModelError::new(format!("'{dimension}' is not a dimension with data values")))?;
        let family = dim.family().to_string();
        let mut file = self.file.clone();
        let list = file.values.entry(family).or_default();
        for v in values {
            let words = crate::normalize::phrase(v);
            let taken = words
                .first()
                .is_some_and(|_| self.lexicon.longest(&words, 0).is_some_and(|m| m.len == words.len()));
            if words.len() < 2 || taken || list.iter().any(|x| &x.value == v) {
                continue;
            }
            list.push(ValueDef { value: v.clone(), en: vec![v.clone()], es: vec![], label_es: None });
        }
        Self::from_file(file)
    }

    /// Example questions to offer in the given language (the verified examples first).
    pub fn suggestions(&self, lang: Lang) -> Vec<String> {
        self.file.examples.iter().filter(|e| e.lang == lang).map(|e| e.question.clone()).collect()
    }

    pub fn tables(&self) -> &[TableDef] {
        &self.file.tables
    }
    pub fn metrics(&self) -> &[MetricDef] {
        &self.file.metrics
    }
    pub fn dimensions(&self) -> &[DimensionDef] {
        &self.file.dimensions
    }
    pub fn examples(&self) -> &[Example] {
        &self.file.examples
    }
    pub(crate) fn value_synonyms(&self) -> &BTreeMap<String, Vec<ValueDef>> {
        &self.file.values
    }
    pub(crate) fn grains(&self) -> &[GrainDef] {
        &self.file.grains
    }
    /// The exchange rates converted metrics join, if the model has any.
    pub fn rates(&self) -> Option<&Rates> {
        self.file.rates.as_ref()
    }

    pub fn table(&self, name: &str) -> Option<&TableDef> {
        self.file.tables.iter().find(|t| t.name == name)
    }
    pub fn metric(&self, name: &str) -> Option<&MetricDef> {
        self.file.metrics.iter().find(|m| m.name == name)
    }
    pub fn dimension(&self, name: &str) -> Option<&DimensionDef> {
        self.file.dimensions.iter().find(|d| d.name == name)
    }
    pub(crate) fn grain(&self, grain: Grain) -> Option<&GrainDef> {
        self.file.grains.iter().find(|g| g.name == grain)
    }
    /// The join that takes `from` to `to`, if the model declares one.
    pub fn join(&self, from: &str, to: &str) -> Option<&JoinDef> {
        self.file.joins.iter().find(|j| j.from == from && j.to == to)
    }
    /// Whether rows of `base` can be grouped or filtered by a column of `table`.
    pub fn reachable(&self, base: &str, table: &str) -> bool {
        base == table || self.join(base, table).is_some()
    }
    /// The display form of a canonical value (first synonym in the language, else in English).
    pub(crate) fn value_label(&self, family: &str, value: &str, lang: Lang) -> String {
        let def = self.file.values.get(family).and_then(|list| list.iter().find(|v| v.value == value));
        let spanish = def.and_then(|d| d.label_es.clone()).filter(|_| lang == Lang::Es);
        spanish.or_else(|| def.and_then(|d| d.en.first().cloned())).unwrap_or_else(|| value.to_string())
    }
}

/// Parses one SQL expression of the model (metric expression, filter conjunct).
pub(crate) fn parse_model_expr(sql: &str) -> Result<Expr, String> {
    Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| format!("cannot parse '{sql}': {e}"))
}

/// Column names an expression reads; qualified names are refused (the engine qualifies when it joins).
fn expr_columns(expr: &Expr) -> Result<Vec<String>, String> {
    let mut cols = Vec::new();
    let mut err = None;
    let _ = visit_expressions(expr, |e| {
        match e {
            Expr::Identifier(id) => cols.push(id.value.clone()),
            Expr::CompoundIdentifier(parts) => {
                err = Some(format!("use unqualified column names, not '{}'", e));
                let _ = parts;
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    match err {
        Some(e) => Err(e),
        None => Ok(cols),
    }
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

fn check_unique<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> Result<(), ModelError> {
    let mut seen = HashSet::new();
    for n in names {
        if !seen.insert(n) {
            return Err(ModelError::new(format!("duplicate {what} '{n}'")));
        }
    }
    Ok(())
}

/// The rates table must exist with its columns, and every converted metric's table must have a currency.
fn validate_rates<'a>(
    file: &ModelFile,
    tables: &HashMap<&str, &'a TableDef>,
) -> Result<Option<&'a TableDef>, ModelError> {
    let converted = file.metrics.iter().filter(|m| m.currency == Some(MoneyCurrency::Converted));
    let Some(r) = &file.rates else {
        return match converted.map(|m| m.name.as_str()).next() {
            Some(name) => {
                Err(ModelError::new(format!("metric '{name}' is converted but the model has no rates")))
            }
            None => Ok(None),
        };
    };
    let t = *tables
        .get(r.table.as_str())
        .ok_or_else(|| ModelError::new(format!("rates: unknown table '{}'", r.table)))?;
    for col in [&r.currency_column, &r.month_column, &r.rate_column] {
        if !t.has_column(col) {
            return Err(ModelError::new(format!("rates: table '{}' has no column '{col}'", r.table)));
        }
    }
    for m in converted {
        if !tables.get(m.table.as_str()).is_some_and(|mt| mt.has_column(&r.currency_column)) {
            return Err(ModelError::new(format!(
                "metric '{}' is converted but table '{}' has no column '{}'",
                m.name, m.table, r.currency_column
            )));
        }
    }
    Ok(Some(t))
}

fn validate(file: &ModelFile) -> Result<(), ModelError> {
    if file.tables.is_empty() {
        return Err(ModelError::new("no tables"));
    }
    check_unique("table", file.tables.iter().map(|t| t.name.as_str()))?;
    check_unique("table alias", file.tables.iter().map(|t| t.alias.as_str()))?;
    check_unique("metric", file.metrics.iter().map(|m| m.name.as_str()))?;
    check_unique("dimension", file.dimensions.iter().map(|d| d.name.as_str()))?;
    let tables: HashMap<&str, &TableDef> = file.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let rates_table = validate_rates(file, &tables)?;
    for t in &file.tables {
        for ident in [&t.name, &t.schema, &t.alias] {
            if !is_identifier(ident) {
                return Err(ModelError::new(format!(
                    "table '{}': '{}' is not a plain identifier",
                    t.name, ident
                )));
            }
        }
        check_unique(&format!("column of table '{}'", t.name), t.columns.iter().map(|c| c.name.as_str()))?;
        if let Some(c) = t.list_columns.iter().find(|c| !t.has_column(c)) {
            return Err(ModelError::new(format!("table '{}': unknown list column '{c}'", t.name)));
        }
        if let Some(c) = t.columns.iter().find(|c| !is_identifier(&c.name)) {
            return Err(ModelError::new(format!(
                "table '{}': column '{}' is not a plain identifier",
                t.name, c.name
            )));
        }
    }
    let mut join_pairs = HashSet::new();
    for j in &file.joins {
        for side in [&j.from, &j.to] {
            let t = tables.get(side.as_str()).ok_or_else(|| {
                ModelError::new(format!("join {} → {}: unknown table '{side}'", j.from, j.to))
            })?;
            if !t.has_column(&j.on) {
                return Err(ModelError::new(format!(
                    "join {} → {}: table '{side}' has no column '{}'",
                    j.from, j.to, j.on
                )));
            }
        }
        if !join_pairs.insert((j.from.as_str(), j.to.as_str())) {
            return Err(ModelError::new(format!("duplicate join {} → {}", j.from, j.to)));
        }
    }
    for m in &file.metrics {
        if !is_identifier(&m.name) {
            return Err(ModelError::new(format!("metric '{}': name must be snake_case", m.name)));
        }
        let t = tables
            .get(m.table.as_str())
            .ok_or_else(|| ModelError::new(format!("metric '{}': unknown table '{}'", m.name, m.table)))?;
        if !t.has_column(&m.time_column) {
            return Err(ModelError::new(format!(
                "metric '{}': unknown time column '{}' in table '{}'",
                m.name, m.time_column, m.table
            )));
        }
        for sql in std::iter::once(&m.expr).chain(m.filter.iter()) {
            let expr =
                parse_model_expr(sql).map_err(|e| ModelError::new(format!("metric '{}': {e}", m.name)))?;
            for col in
                expr_columns(&expr).map_err(|e| ModelError::new(format!("metric '{}': {e}", m.name)))?
            {
                let rate = rates_table.filter(|_| m.currency == Some(MoneyCurrency::Converted));
                if !t.has_column(&col) && !rate.is_some_and(|r| r.has_column(&col)) {
                    return Err(ModelError::new(format!(
                        "metric '{}': unknown column '{col}' in table '{}'",
                        m.name, m.table
                    )));
                }
            }
        }
        if m.label.en.trim().is_empty() || m.label.es.trim().is_empty() {
            return Err(ModelError::new(format!(
                "metric '{}': needs an English and a Spanish label",
                m.name
            )));
        }
    }
    for t in &file.tables {
        if let Some(dm) = &t.default_metric {
            match file.metrics.iter().find(|m| &m.name == dm) {
                Some(m) if m.table == t.name => {}
                Some(_) => {
                    return Err(ModelError::new(format!(
                        "table '{}': default metric '{dm}' is on another table",
                        t.name
                    )));
                }
                None => {
                    return Err(ModelError::new(format!(
                        "table '{}': unknown default metric '{dm}'",
                        t.name
                    )));
                }
            }
        }
    }
    let mut families = HashSet::new();
    for d in &file.dimensions {
        let t = tables
            .get(d.table.as_str())
            .ok_or_else(|| ModelError::new(format!("dimension '{}': unknown table '{}'", d.name, d.table)))?;
        for col in std::iter::once(&d.column).chain(d.label_column.iter()) {
            if !t.has_column(col) {
                return Err(ModelError::new(format!(
                    "dimension '{}': unknown column '{col}' in table '{}'",
                    d.name, d.table
                )));
            }
        }
        families.insert(d.family().to_string());
    }
    for family in file.values.keys() {
        if !families.contains(family) {
            return Err(ModelError::new(format!("value synonyms for unknown dimension family '{family}'")));
        }
    }
    for (family, list) in &file.values {
        check_unique(&format!("value of '{family}'"), list.iter().map(|v| v.value.as_str()))?;
    }
    let mut grains = HashSet::new();
    for g in &file.grains {
        if !grains.insert(g.name) {
            return Err(ModelError::new(format!("duplicate grain '{}'", g.name.as_str())));
        }
        if !is_identifier(&g.label.en) || !is_identifier(&g.label.es) {
            return Err(ModelError::new(format!(
                "grain '{}': labels must be plain identifiers",
                g.name.as_str()
            )));
        }
    }
    for e in &file.examples {
        Parser::parse_sql(&GenericDialect {}, &e.sql)
            .map_err(|err| ModelError::new(format!("example '{}': invalid SQL: {err}", e.question)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_loads() {
        let m = SemanticModel::builtin().expect("builtin model");
        assert!(m.metric("revenue").is_some());
        assert!(m.reachable("fct_messages", "dim_contacts"));
        assert!(!m.reachable("dim_contacts", "dim_campaigns"));
        assert!(!m.suggestions(Lang::Es).is_empty());
    }
}
