//! The semantic model: tables, joins, metrics, dimensions, value synonyms, time grains and verified
//! examples, loaded from YAML and validated so that every name the engine puts into SQL comes from here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sqlparser::ast::{BinaryOperator, Expr, Value, visit_expressions};
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
    /// What is wrong and where ("metric 'revenue': unknown column 'amt' in table 'fct_activities'"), in
    /// English, for whoever edits the model.
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

/// How a metric aggregates its rows: whether its values add up to a whole (a pie, a share of a total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// A count of rows: adds up across categories.
    Count,
    /// A count of distinct values (contacts who bought): does not add up across categories, since one
    /// contact may buy on two channels.
    Distinct,
    /// A sum of a column: adds up across categories.
    Sum,
    /// An average: does not add up.
    Avg,
    /// A fraction of two aggregates (a rate): does not add up, and cannot share a query with measures of
    /// another population.
    Ratio,
}

/// How a measure is shown: plain number, money, or a fraction shown as a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeasureFormat {
    /// A plain number, with the locale's separators.
    Number,
    /// Money: the number, then the currency code.
    Currency,
    /// A fraction (0.93) shown as a percentage (93 %).
    Percent,
}

impl MeasureFormat {
    /// The word `format_number` takes and the JSON carries: `number`, `currency` or `percent`.
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
    /// The rates table, one of the model's tables.
    pub table: String,
    /// Currency code column, in the rates table and in every table with converted metrics.
    pub currency_column: String,
    /// First day of the month the rate applies to.
    pub month_column: String,
    /// The rate: an amount in the row's currency times the rate is the amount in the reporting currency.
    pub rate_column: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
    /// Whether rows may have no value (data-model.md): a ranking by it leaves those rows out.
    #[serde(default)]
    pub nullable: bool,
}

/// A table of the model: the only tables the engine's SQL reads, with the only columns it may name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    /// The table's name in its schema (`fct_messages`), a plain lower-case identifier.
    pub name: String,
    /// The schema it lives in; `marts` when not given.
    #[serde(default = "default_schema")]
    pub schema: String,
    /// Short alias used when the query joins.
    pub alias: String,
    /// What "how many \<values of this table\>" counts when a question names only a filter
    /// ("how many leads").
    #[serde(default)]
    pub default_metric: Option<String>,
    /// What "list the campaigns" shows of each row, first column first (also the order).
    #[serde(default)]
    pub list_columns: Vec<String>,
    /// Words naming list columns ("correo", "phone", "fecha de inicio"): in a list of this table's rows
    /// ("contactos VIP con correo y teléfono") they say which columns to show, and every list shows them;
    /// anywhere else they are not understood.
    #[serde(default)]
    pub column_words: BTreeMap<String, Bilingual<Vec<String>>>,
    /// Its columns: every column a metric, dimension, join or list names must be one of these.
    pub columns: Vec<ColumnDef>,
    /// Its rows said by when they began, for titles ("contacts created", "campaigns started"): by its
    /// default metric's time column.
    #[serde(default)]
    pub began_label: Option<Bilingual<String>>,
    /// Its other dates, for a period said of them ("campaigns that ended last month", "contacts updated last
    /// week"): read instead of the measure's time column when one of their words is said with a period.
    #[serde(default)]
    pub dates: Vec<DateDef>,
}

/// Another date of a table's rows (`dim_campaigns.ended_at`), with the words that say it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateDef {
    pub column: String,
    /// Single words that say the rows did this ("ended", "terminaron", "updated").
    pub words: Bilingual<Vec<String>>,
    /// What titles say of the period ("ended in the period").
    pub label: Bilingual<String>,
}

fn default_schema() -> String {
    "marts".to_string()
}

impl TableDef {
    /// Whether rows may have no value in that column.
    pub fn nullable(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c.name == name && c.nullable)
    }
    /// Whether the table has a column of exactly that name.
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

/// A metric: a named aggregate over one table, with the words that name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricDef {
    /// Its name (snake_case), unique in the model: what intents and overrides refer to.
    pub name: String,
    /// What it is called in each language; snake_cased, also its output column's name.
    pub label: Bilingual<String>,
    /// Spanish article of the label (los/las/el/la), for summaries that read naturally.
    #[serde(default)]
    pub article_es: Option<String>,
    /// Other words and phrases that name it, per language.
    #[serde(default)]
    pub synonyms: Bilingual<Vec<String>>,
    /// The table it aggregates.
    pub table: String,
    /// The aggregate, in SQL over unqualified columns of `table` (and of the rates table for converted
    /// money): `COUNT(*)`, `SUM(amount * rate)`.
    pub expr: String,
    /// Conditions in SQL that every row of the metric meets, all of them (`direction = 'outbound'`).
    #[serde(default)]
    pub filter: Vec<String>,
    /// The column that places a row in time, for time ranges and series.
    pub time_column: String,
    /// How it aggregates.
    pub kind: MetricKind,
    /// How its values are shown.
    pub format: MeasureFormat,
    /// A head noun ("messages") that yields to a more specific metric of its table in the same question.
    #[serde(default)]
    pub generic: bool,
    /// Words that turn the generic head noun of this metric's table into this metric ("messages that came
    /// in" → messages received, "mensajes abiertos" → read messages), and mean nothing elsewhere
    /// ("tickets abiertos" are just tickets, "plata que entró" is just revenue).
    #[serde(default)]
    pub refines: Bilingual<Vec<String>>,
    /// Words naming the unit its values are already in ("in minutes", "en dólares"): said with this metric
    /// they change nothing; with any other they are not understood (the engine converts no units).
    #[serde(default)]
    pub units: Bilingual<Vec<String>>,
    /// Metrics its `units` words turn into this one when said with them: "las ventas … sin contar los
    /// reembolsos" is gross revenue, not revenue net of refunds with words dropped.
    #[serde(default)]
    pub instead_of: Vec<String>,
    /// For money metrics: which currency the numbers are in.
    #[serde(default)]
    pub currency: Option<MoneyCurrency>,
    /// Unit of a non-money measure ("min"), shown after its values.
    #[serde(default)]
    pub unit: Option<Bilingual<String>>,
    /// The average of another metric per thing of a dimension, each thing once ("average messages per
    /// contact" is `messages_sent` per `contact`): an average word with that metric and a breakdown by
    /// that dimension asks for this one.
    #[serde(default)]
    pub average_per: Option<AveragePer>,
    /// Another metric its bare words may mean when said of that metric's rows ("cuánto nos costó la
    /// campaña": the campaign's budget, or its messages' cost): refused there, asking which, unless one of
    /// its own nouns is said.
    #[serde(default)]
    pub also_means: Option<AlsoMeans>,
    /// The money of the rows it counts, a sum of the same table ("cuántos reembolsos y por cuánto dinero":
    /// the refunded amount): what a bare money word beside it means.
    #[serde(default)]
    pub amount: Option<String>,
    /// A figure of one value of this dimension at a time (an exchange rate is one currency's): answered
    /// only with that dimension broken down or one of its values kept, never averaged across its values.
    #[serde(default)]
    pub one_value_of: Option<String>,
    /// It counts things by when they began ("new contacts"): beside measures of other data, a period said
    /// is its own too, where a count of all the things (contacts) takes none.
    #[serde(default)]
    pub arrivals: bool,
}

/// See [`MetricDef::also_means`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlsoMeans {
    /// The metric its words may mean instead, of another table.
    pub metric: String,
    /// Words (normalized, no accents) that make it this metric ("mensajes", "messages").
    pub unless: Vec<String>,
}

/// What a per-thing average averages: `of` (a metric) per `per` (a dimension whose values are things).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AveragePer {
    /// The metric averaged.
    pub of: String,
    /// The dimension of the things it is averaged over.
    pub per: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DimType {
    #[default]
    Text,
    Boolean,
    /// Whether a nullable column is set (`true`) or not (`false`): a message or an activity attributed to a
    /// campaign. Grouped by as `column IS NOT NULL`.
    Present,
}

impl DimType {
    /// Values `true` and `false`, never quoted.
    pub fn yes_no(self) -> bool {
        matches!(self, DimType::Boolean | DimType::Present)
    }
}

/// A dimension: a column to group or filter by, with the words that name it and its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionDef {
    /// Its name, unique in the model: what intents and overrides refer to.
    pub name: String,
    /// Dimensions of one family share value synonyms (message, activity and campaign `channel`).
    #[serde(default)]
    pub family: Option<String>,
    /// The table of the column; a metric of another table reaches it only through a declared join.
    pub table: String,
    /// The column grouped and filtered on.
    pub column: String,
    /// A readable column grouped and shown with the key (contacts: `full_name` beside `contact_id`).
    #[serde(default)]
    pub label_column: Option<String>,
    /// `text` (compared with quoted values), `boolean` (values `true`/`false`) or `present` (whether the column is
    /// set).
    #[serde(default, rename = "type")]
    pub value_type: DimType,
    /// What it is called in each language (axis titles, summaries).
    pub label: Bilingual<String>,
    /// Other words that name it, per language.
    #[serde(default)]
    pub synonyms: Bilingual<Vec<String>>,
    /// Canonical values, when the set is closed.
    #[serde(default)]
    pub values: Vec<String>,
    /// The tenant's own values name themselves ("Black Friday 2025"): the app reads them from the data and
    /// adds them with [`SemanticModel::with_data_values`].
    #[serde(default)]
    pub data_values: bool,
    /// Its data values are places (cities): proper names, so one word names one too ("Bogotá"; a campaign
    /// called "Bienvenida" needs two words at least), and the same place for every company.
    #[serde(default)]
    pub places: bool,
    /// Its data values are codes ("estado_de_envio" for a template), named only beside the dimension's noun
    /// ("the estado_de_envio template", "la plantilla bienvenida"), whatever their length: alone their
    /// words mean other things ("estado", "envío").
    #[serde(default)]
    pub codes: bool,
    /// A state with no date of its own (whether a contact opted out): said with a period, which would be
    /// read on the rows' own time (when the contact was created), it is refused ("unsubscribed last week").
    #[serde(default)]
    pub undated: bool,
    /// People, who do what the facts record (a contact): after "by", the plural qualified by a clause of its
    /// own ("purchases by contacts who opted out") says whose rows they are, not one row per person.
    #[serde(default)]
    pub people: bool,
    /// Shorter names analysts type for some data values ("cdmx" for Ciudad de México): each names its value
    /// when the tenant has that value and the nickname is no word of the model.
    #[serde(default)]
    pub nicknames: BTreeMap<String, Vec<String>>,
    /// The company (tenant) each row belongs to, on the model's tenant column: its values are the companies
    /// of the model's scope ([`SemanticModel::with_companies`]), and each row shows the company's name.
    #[serde(default)]
    pub company: bool,
    /// Words that name it only when the model's scope holds several companies; with one they keep their
    /// other meanings ("clientes" are the tenant's customers).
    #[serde(default)]
    pub synonyms_across_companies: Bilingual<Vec<String>>,
}

impl DimensionDef {
    /// Whose value synonyms it uses: its `family`, else its own name.
    pub fn family(&self) -> &str {
        self.family.as_deref().unwrap_or(&self.name)
    }

    /// The output column a breakdown by it adds: its column, or for the company its family (`company`,
    /// the company's name rather than the tenant column).
    pub fn output_column(&self) -> &str {
        if self.company { self.family() } else { &self.column }
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

/// A verified example: a question with SQL that answers it, offered as a suggestion and shown to language
/// models as an example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The question's language.
    pub lang: Lang,
    /// As an analyst would ask it.
    pub question: String,
    /// SQL over `marts` that answers it, without tenant filters (checked to parse when the model loads).
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
    /// The column naming each row's company (tenant), in every table.
    #[serde(default)]
    tenant_column: Option<String>,
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

/// One company of the scope a model answers for ([`SemanticModel::with_companies`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// The tenant id (a valid one: safe in SQL literals).
    pub id: String,
    /// The company's name as rows show it: no backslash or control character, never empty.
    pub name: String,
    /// Its reporting currency (three upper-case letters), when known.
    pub currency: Option<String>,
}

/// The validated model plus the lexicon compiled from it, and the companies it answers for.
#[derive(Debug, Clone)]
pub struct SemanticModel {
    file: ModelFile,
    /// The companies of the scope, sorted by id; empty until [`SemanticModel::with_companies`].
    companies: Vec<Company>,
    /// Compiled when first read ([`SemanticModel::lexicon`]): labelling the result of a statement (`inda
    /// sql`) reads only the tables, and compiling the words was a third of a fresh process's time.
    lexicon: OnceLock<Lexicon>,
    /// Each count of one dimension value's rows, as (metric, dimension, value): read from the metrics'
    /// SQL once, since labelling a result's values asks for every row.
    value_counts: Vec<(String, String, String)>,
}

impl SemanticModel {
    /// The model shipped with the product (`semantic/model.yaml`).
    pub fn builtin() -> Result<SemanticModel, ModelError> {
        static BUILTIN: OnceLock<Result<SemanticModel, ModelError>> = OnceLock::new();
        BUILTIN.get_or_init(|| SemanticModel::from_yaml_str(BUILTIN_YAML)).clone()
    }

    /// A model from YAML in the format of `semantic/model.yaml`, validated as a whole; the error names the
    /// offending entry.
    pub fn from_yaml_str(s: &str) -> Result<SemanticModel, ModelError> {
        let file: ModelFile =
            serde_yaml::from_str(s).map_err(|e| ModelError::new(format!("invalid YAML: {e}")))?;
        Self::from_file(file)
    }

    fn from_file(file: ModelFile) -> Result<SemanticModel, ModelError> {
        Self::build(file, Vec::new())
    }

    fn build(file: ModelFile, companies: Vec<Company>) -> Result<SemanticModel, ModelError> {
        validate(&file)?;
        Lexicon::check_grammar()?;
        let value_counts = file.metrics.iter().filter_map(|m| count_of_value(&file, m)).collect();
        Ok(SemanticModel { file, companies, lexicon: OnceLock::new(), value_counts })
    }

    /// The words of the model and of the grammar, compiled on first use.
    pub(crate) fn lexicon(&self) -> &Lexicon {
        self.lexicon.get_or_init(|| Lexicon::build(self))
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
        Self::build(file, self.companies.clone())
    }

    /// This model with a tenant's own values of a `data_values` dimension ("Black Friday 2025" for
    /// campaigns), each its own synonym. A value that is already a phrase of the model ("WhatsApp") is left
    /// out, and one of a single word is a name only beside the dimension's noun: a name must never take over
    /// a word that means something else.
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
            let taken = !dim.codes
                && words
                    .first()
                    .is_some_and(|_| self.lexicon().longest(&words, 0).is_some_and(|m| m.len == words.len()));
            let one_word = (words.len() == 1 && !dim.places) || dim.codes;
            // "La Plata" would take "plata" (money) from "la plata del mes pasado": a place named with a
            // measure's word is left to be said otherwise.
            let measure_word = dim.places
                && (0..words.len()).any(|i| {
                    self.lexicon().longest(&words[i..=i], 0).is_some_and(|m| {
                        m.senses.iter().any(|s| matches!(s, crate::lexicon::Sense::Metric(_)))
                    })
                });
            if words.is_empty() || taken || measure_word || list.iter().any(|x| &x.value == v) {
                continue;
            }
            let free = |n: &&String| {
                let words = crate::normalize::phrase(n);
                !words.is_empty() && self.lexicon().longest(&words, 0).is_none_or(|m| m.len < words.len())
            };
            // A one-word name ("Bienvenida") or a code is a name only beside its noun: "the Bienvenida
            // campaign", "la campaña Bienvenida", "the estado_pedido template".
            let (noun_en, noun_es) = (dim.label.get(Lang::En), dim.label.get(Lang::Es));
            let label_es = one_word.then(|| format!("{noun_es} {v}"));
            let mut en = match &label_es {
                Some(es) => vec![
                    format!("{v} {noun_en}"),
                    format!("{noun_en} {v}"),
                    es.clone(),
                    format!("{noun_es} de {v}"),
                ],
                None => vec![v.clone()],
            };
            en.extend(dim.nicknames.get(v).into_iter().flatten().filter(free).cloned());
            list.push(ValueDef { value: v.clone(), en, es: vec![], label_es });
        }
        Self::build(file, self.companies.clone())
    }

    /// This model for a session that reads `companies` (its scope's rows of `admin.tenants`): the company
    /// dimension shows and is filtered by their names ("revenue for Acme", "globex vs initech"), and the SQL
    /// is written for them. With several companies every join also matches the tenant column (ids are
    /// unique within a tenant only), the words that name the company only then ("clientes") do, and money of
    /// companies with different reporting currencies is split by currency, never added up. With one company
    /// (an analyst) the SQL stays exactly as without.
    ///
    /// A name becomes a word of the question only when it takes over no word of the model (a company called
    /// "Sales" is still shown by name, but not understood as a filter); a name's distinctive first word
    /// ("Acme" of "Acme Corp") and the tenant id ("stark ind") name it too. Entries with an invalid tenant id
    /// are left out.
    pub fn with_companies(&self, companies: &[inda_core::TenantEntry]) -> SemanticModel {
        let mut list: Vec<Company> = Vec::new();
        for e in companies {
            if !inda_core::is_tenant_id(&e.tenant_id) || list.iter().any(|c| c.id == e.tenant_id) {
                continue;
            }
            list.push(Company {
                id: e.tenant_id.clone(),
                name: display_name(&e.tenant_name, &e.tenant_id),
                currency: e.currency.as_deref().and_then(currency_code),
            });
        }
        list.sort_by(|a, b| a.id.cmp(&b.id));
        let families: Vec<String> =
            self.dimensions().iter().filter(|d| d.company).map(|d| d.family().to_string()).collect();
        let mut file = self.file.clone();
        for f in &families {
            file.values.remove(f);
        }
        // The words of the model for this scope without any company's name: what a name must not take over.
        let bare = Self::build(file.clone(), list.clone()).unwrap_or_else(|_| self.clone());
        let words = company_words(bare.lexicon(), &list);
        for f in &families {
            let defs = list
                .iter()
                .zip(&words)
                .map(|(c, w)| ValueDef { value: c.id.clone(), en: w.clone(), es: vec![], label_es: None })
                .collect();
            file.values.insert(f.clone(), defs);
        }
        Self::build(file, list.clone()).unwrap_or_else(|_| SemanticModel { companies: list, ..bare })
    }

    /// Whether the model answers for several companies ([`SemanticModel::with_companies`]): its SQL joins
    /// on the tenant column too, and the company words that are ambiguous within one company apply.
    pub fn spans_several_companies(&self) -> bool {
        self.companies.len() > 1
    }

    /// The reporting currency every company of the model's scope shares, when they share one and it is
    /// known; `None` before [`SemanticModel::with_companies`].
    pub fn reporting_currency(&self) -> Option<&str> {
        let first = self.companies.first()?.currency.as_deref()?;
        self.companies.iter().all(|c| c.currency.as_deref() == Some(first)).then_some(first)
    }

    /// The companies of the model's scope, sorted by id (empty before [`SemanticModel::with_companies`]).
    pub fn companies(&self) -> &[Company] {
        &self.companies
    }

    /// The tenant column, in every table, when the model names one.
    pub(crate) fn tenant_column(&self) -> Option<&str> {
        self.file.tenant_column.as_deref()
    }

    /// The tenant column when the model answers for several companies: what every join also matches.
    pub(crate) fn join_tenant_column(&self) -> Option<&str> {
        self.tenant_column().filter(|_| self.spans_several_companies())
    }

    /// Example questions to offer in the given language (the verified examples first).
    pub fn suggestions(&self, lang: Lang) -> Vec<String> {
        self.file.examples.iter().filter(|e| e.lang == lang).map(|e| e.question.clone()).collect()
    }

    /// The tables, in file order.
    pub fn tables(&self) -> &[TableDef] {
        &self.file.tables
    }
    /// The metrics, in file order (an override's new ones last).
    pub fn metrics(&self) -> &[MetricDef] {
        &self.file.metrics
    }
    /// The dimensions, in file order (an override's new ones last).
    pub fn dimensions(&self) -> &[DimensionDef] {
        &self.file.dimensions
    }
    /// The verified examples, both languages, in file order (an override's last).
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

    /// The table named `name`, if the model has one.
    pub fn table(&self, name: &str) -> Option<&TableDef> {
        self.file.tables.iter().find(|t| t.name == name)
    }
    /// The metric named `name`, if the model has one.
    pub fn metric(&self, name: &str) -> Option<&MetricDef> {
        self.file.metrics.iter().find(|m| m.name == name)
    }
    /// The dimension named `name`, if the model has one.
    pub fn dimension(&self, name: &str) -> Option<&DimensionDef> {
        self.file.dimensions.iter().find(|d| d.name == name)
    }
    /// A count of its table's rows that have one value of one of its dimensions (`purchases`:
    /// `activity_type = 'purchase'`), as that dimension's name and the value; `None` for any other metric.
    pub(crate) fn metric_as_value(&self, metric: &str) -> Option<(String, String)> {
        self.value_counts.iter().find(|(m, _, _)| m == metric).map(|(_, d, v)| (d.clone(), v.clone()))
    }
    /// "New contacts in CO": a value stored as a two-letter upper-case code ("CO", "MX") and written so is
    /// that value, by its first English name ("Colombia"); "co" or "us" in lower case stay words, and
    /// currency codes ("COP") keep their own reading.
    pub(crate) fn spell_codes(&self, text: &str) -> String {
        let name = |word: &str| {
            let code = word.len() == 2 && word.chars().all(|c| c.is_ascii_uppercase());
            let mut defs = self.file.values.values().flatten().filter(|_| code);
            defs.find(|d| d.value == word).and_then(|d| d.en.first().cloned())
        };
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_alphanumeric() {
                word.push(c);
                continue;
            }
            match name(&word) {
                Some(n) => out.push_str(&n),
                None => out.push_str(&word),
            }
            word.clear();
            out.push(c);
        }
        out.pop();
        out
    }
    /// A filter conjunct of a metric of `table` that is values of one of its dimensions (`status =
    /// 'failed'`), as that dimension's name and the values.
    pub(crate) fn filter_value(&self, table: &str, filter: &str) -> Option<(String, Vec<String>)> {
        filter_value(&self.file, table, filter)
    }
    pub(crate) fn grain(&self, grain: Grain) -> Option<&GrainDef> {
        self.file.grains.iter().find(|g| g.name == grain)
    }
    /// The join that takes `from` to `to`, if the model declares one.
    pub fn join(&self, from: &str, to: &str) -> Option<&JoinDef> {
        self.file.joins.iter().find(|j| j.from == from && j.to == to)
    }
    /// Whether every row of `base` has a row of `table` to join: the join's key is never null in `base`
    /// (every message has a contact; not every message has a campaign).
    pub fn joins_every_row(&self, base: &str, table: &str) -> bool {
        let key = self.join(base, table).map(|j| j.on.as_str());
        key.zip(self.table(base)).is_some_and(|(k, t)| t.has_column(k) && !t.nullable(k))
    }
    /// Whether `value` is a canonical value of the `family` the model lists ("new" of segment).
    pub(crate) fn has_value(&self, family: &str, value: &str) -> bool {
        self.file.values.get(family).is_some_and(|list| list.iter().any(|v| v.value == value))
    }
    /// What `dimension` is on the rows of `table` themselves: the dimension of the same column and kind there
    /// (a message's channel for a sale's channel), when `table` has one.
    pub(crate) fn counterpart(&self, dimension: &str, table: &str) -> Option<&DimensionDef> {
        let d = self.dimension(dimension)?;
        let alike = |x: &&DimensionDef| x.table == table && x.column == d.column && x.family() == d.family();
        self.dimensions().iter().find(alike)
    }
    /// The dimension that names each row of `table` (a campaign, a contact): the one of its first list column.
    pub(crate) fn row_dimension(&self, table: &str) -> Option<&DimensionDef> {
        let t = self.table(table)?;
        let name = t.list_columns.first()?;
        let names_rows = |d: &&DimensionDef| {
            d.table == t.name && (d.column == *name || d.label_column.as_ref() == Some(name))
        };
        self.dimensions().iter().find(names_rows)
    }
    /// Whether rows of `base` can be grouped or filtered by a column of `table`.
    pub fn reachable(&self, base: &str, table: &str) -> bool {
        base == table || self.join(base, table).is_some()
    }
    /// The display form of a canonical value (first synonym in the language, else in English): `whatsapp` →
    /// "WhatsApp", `CO` → "Colombia"; a value the model does not name is shown as stored.
    pub fn value_label(&self, family: &str, value: &str, lang: Lang) -> String {
        if self.file.dimensions.iter().any(|d| d.company && d.family() == family)
            && let Some(c) = self.companies.iter().find(|c| c.id == value)
        {
            return c.name.clone();
        }
        let def = self.file.values.get(family).and_then(|list| list.iter().find(|v| v.value == value));
        let spanish = def.and_then(|d| d.label_es.clone()).filter(|_| lang == Lang::Es);
        spanish
            .or_else(|| def.and_then(|d| d.en.first().cloned()))
            .or_else(|| self.metric_of_value(family, value).map(|m| m.label.get(lang).clone()))
            .unwrap_or_else(|| value.to_string())
    }
    /// Whether the model names a value for display (a value synonym, or the metric that counts its rows).
    pub(crate) fn names_value(&self, family: &str, value: &str) -> bool {
        self.file.values.get(family).is_some_and(|vs| vs.iter().any(|x| x.value == value))
            || self.metric_of_value(family, value).is_some()
    }
    /// The rows a value leaves out, for "excluding …": the count narrowed to it among other conditions
    /// when the model names no value ("excluding failed messages": outbound with `status = 'failed'`).
    pub(crate) fn excluded_label(&self, family: &str, value: &str, lang: Lang) -> String {
        let of_value = |m: &MetricDef, f: &String| {
            self.filter_value(&m.table, f).is_some_and(|(d, v)| {
                v == [value] && self.dimension(&d).is_some_and(|d| d.family() == family)
            })
        };
        let named = self.names_value(family, value);
        let count = self
            .file
            .metrics
            .iter()
            .find(|m| m.kind == MetricKind::Count && m.filter.iter().any(|f| of_value(m, f)));
        match count.filter(|_| !named) {
            Some(m) => m.label.get(lang).clone(),
            None => self.value_label(family, value, lang),
        }
    }
    /// The metric that counts the rows with a value ("purchases" for the activity type `purchase`).
    fn metric_of_value(&self, family: &str, value: &str) -> Option<&MetricDef> {
        let (m, _, _) = self
            .value_counts
            .iter()
            .find(|(_, d, v)| v == value && self.dimension(d).is_some_and(|d| d.family() == family))?;
        self.metric(m)
    }
}

/// A count of its table's rows with one value of one of its dimensions (`purchases`: `activity_type =
/// 'purchase'`), as (metric, dimension, value).
fn count_of_value(file: &ModelFile, m: &MetricDef) -> Option<(String, String, String)> {
    let [filter] = m.filter.as_slice() else { return None };
    if m.kind != MetricKind::Count || !m.expr.eq_ignore_ascii_case("COUNT(*)") {
        return None;
    }
    let (dim, values) = filter_value(file, &m.table, filter)?;
    let [value] = <[String; 1]>::try_from(values).ok()?;
    Some((m.name.clone(), dim, value))
}

/// A filter conjunct of `table`'s rows that is values of one of its dimensions (`status = 'failed'`,
/// `status IN ('delivered', 'read')`), as that dimension's name and the values.
fn filter_value(file: &ModelFile, table: &str, filter: &str) -> Option<(String, Vec<String>)> {
    let quoted = |e: &Expr| match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    };
    let (column, values) = match parse_model_expr(filter).ok()? {
        Expr::BinaryOp { left, op: BinaryOperator::Eq, right } => (*left, vec![quoted(&right)?]),
        Expr::InList { expr, list, negated: false } => {
            (*expr, list.iter().map(quoted).collect::<Option<Vec<_>>>()?)
        }
        _ => return None,
    };
    let Expr::Identifier(column) = column else { return None };
    let dim = file.dimensions.iter().find(|d| d.table == table && d.column == column.value)?;
    Some((dim.name.clone(), values))
}

/// Parses one SQL expression of the model (metric expression, filter conjunct).
pub(crate) fn parse_model_expr(sql: &str) -> Result<Expr, String> {
    Parser::new(&GenericDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| format!("cannot parse '{sql}': {e}"))
}

/// Column names an expression reads; qualified names are refused (the engine qualifies when it joins).
pub(crate) fn expr_columns(expr: &Expr) -> Result<Vec<String>, String> {
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

/// The tenant column is in every table, and it is the column of every company dimension.
fn validate_tenant_column(file: &ModelFile) -> Result<(), ModelError> {
    let tc = file.tenant_column.as_deref();
    if let Some(tc) = tc {
        if !is_identifier(tc) {
            return Err(ModelError::new(format!("tenant column '{tc}' is not a plain identifier")));
        }
        if let Some(t) = file.tables.iter().find(|t| !t.has_column(tc)) {
            return Err(ModelError::new(format!("table '{}' has no tenant column '{tc}'", t.name)));
        }
    }
    for d in file.dimensions.iter().filter(|d| d.company) {
        if tc != Some(d.column.as_str()) {
            return Err(ModelError::new(format!(
                "dimension '{}': a company dimension is on the model's tenant column",
                d.name
            )));
        }
    }
    Ok(())
}

/// A company's name as rows show it: without backslashes (engines disagree on what they escape, and the
/// guard refuses them) or control characters, at most 200 characters; the tenant id when nothing is left.
fn display_name(name: &str, tenant_id: &str) -> String {
    let clean: String = name.chars().filter(|c| *c != '\\' && !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() { tenant_id.to_string() } else { clean.to_string() }
}

/// An ISO 4217 code ("cop" → "COP"); anything else is no known currency.
fn currency_code(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic())).then(|| code.to_ascii_uppercase())
}

/// The words that name each company (in the order of `companies`): its name, its tenant id as words, and
/// its name's first word when that word is distinctive, each only when it takes over no word of the model
/// (`lexicon`) and names no other company.
fn company_words(lexicon: &Lexicon, companies: &[Company]) -> Vec<Vec<String>> {
    let forms = |c: &Company| -> Vec<Vec<String>> {
        let mut out = vec![crate::normalize::phrase(&c.name), crate::normalize::phrase(&c.id)];
        if let Some(first) = out[0].first().filter(|_| out[0].len() > 1) {
            out.push(vec![first.clone()]);
        }
        out
    };
    let all: Vec<Vec<Vec<String>>> = companies.iter().map(forms).collect();
    let free = |words: &[String]| match words {
        [] => false,
        // One word: not a word the model knows in any phrase, nor a number or a time word.
        [one] => one.len() >= 3 && one.chars().all(|c| c.is_ascii_alphabetic()) && !lexicon.knows(one),
        _ => lexicon.longest(words, 0).is_none_or(|m| m.len != words.len()),
    };
    let mut out = Vec::new();
    for (i, c) in companies.iter().enumerate() {
        let mut words: Vec<String> = Vec::new();
        let mut seen: Vec<Vec<String>> = Vec::new();
        for (k, form) in all[i].iter().enumerate() {
            let others = all.iter().enumerate().filter(|(j, _)| *j != i).flat_map(|(_, f)| f.iter());
            let shared = others.clone().any(|o| o == form)
                // A first word is distinctive only when no other company's name starts with it.
                || (k == 2 && others.clone().any(|o| o.first() == form.first()));
            if seen.contains(form) || shared || !free(form) {
                continue;
            }
            seen.push(form.clone());
            words.push(if k == 0 { c.name.clone() } else { form.join(" ") });
        }
        out.push(words);
    }
    out
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
    validate_tenant_column(file)?;
    for m in &file.metrics {
        if let Some(other) = m.instead_of.iter().find(|o| !file.metrics.iter().any(|x| &x.name == *o)) {
            return Err(ModelError::new(format!(
                "metric '{}': instead_of names an unknown metric '{other}'",
                m.name
            )));
        }
        let same_table_sum = |name: &String| {
            file.metrics.iter().any(|x| x.name == *name && x.table == m.table && x.kind == MetricKind::Sum)
        };
        if let Some(a) = m.amount.as_ref().filter(|a| !same_table_sum(a)) {
            return Err(ModelError::new(format!(
                "metric '{}': amount '{a}' is no sum of the same table",
                m.name
            )));
        }
        if let Some(a) = m.also_means.as_ref().filter(|a| !file.metrics.iter().any(|x| x.name == a.metric)) {
            return Err(ModelError::new(format!(
                "metric '{}': also_means names an unknown metric '{}'",
                m.name, a.metric
            )));
        }
        let on_table = |d: &String| file.dimensions.iter().any(|x| x.name == *d && x.table == m.table);
        if let Some(d) = m.one_value_of.as_ref().filter(|d| !on_table(d)) {
            return Err(ModelError::new(format!(
                "metric '{}': one_value_of names no dimension '{d}' of its table",
                m.name
            )));
        }
        let Some(ap) = &m.average_per else { continue };
        if !file.metrics.iter().any(|o| o.name == ap.of) || !file.dimensions.iter().any(|d| d.name == ap.per)
        {
            return Err(ModelError::new(format!(
                "metric '{}': average_per names an unknown metric '{}' or dimension '{}'",
                m.name, ap.of, ap.per
            )));
        }
    }
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
        if let Some(d) = t.dates.iter().find(|d| !t.has_column(&d.column)) {
            return Err(ModelError::new(format!("table '{}': unknown date column '{}'", t.name, d.column)));
        }
        if let Some(c) = t.column_words.keys().find(|c| !t.list_columns.contains(c)) {
            return Err(ModelError::new(format!(
                "table '{}': words for '{c}', which is not a list column",
                t.name
            )));
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
