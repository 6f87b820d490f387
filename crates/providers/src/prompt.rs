//! The prompt: the semantic model described for a language model, and the question in its conversation.
//!
//! What it holds is the shape of the data, never the data: table and column names, metric and dimension
//! definitions, verified example questions with their SQL, earlier questions of the conversation with the
//! SQL they ran, today's date and the analyst's language. The inputs have no place for result rows, tenant
//! names or keys, so none can reach a provider.
//!
//! For an analyst (a model of one company) it says nothing about tenants, and hides the `tenant_id` columns.
//! The guard wraps every table in a tenant-filtered derived table whatever the SQL says, so the prompt need
//! not be trusted with tenant scope; telling a model about tenants would only invite SQL that names other
//! tenants. For an admin's scope of several companies it does name them (ids, names and currencies the user
//! may see anyway) and shows `tenant_id`: ids repeat across companies, so SQL that does not join and group
//! on it gives wrong numbers. The guard still decides which companies the SQL can read.

use std::fmt::Write as _;

use chrono::NaiveDate;
use inda_semantic::{Lang, MetricDef, MoneyCurrency, SemanticModel};

use crate::answer::CHART_KINDS;
use crate::generation::{GenerationRequest, Turn};

/// Hidden from the model: the guard owns tenant scope (see the module documentation).
const HIDDEN_COLUMNS: [&str; 1] = ["tenant_id"];
/// Enough synonyms per language to map the analysts' words without drowning the definitions.
const MAX_SYNONYMS: usize = 8;

/// An earlier question of the conversation and the SQL that answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorQuestion {
    /// The question as the analyst asked it.
    pub question: String,
    /// The SQL the model wrote for it, before the guard: no tenant id reaches the prompt through it.
    pub sql: String,
}

/// Everything the prompt is built from besides the semantic model.
#[derive(Debug, Clone)]
pub struct PromptInput<'a> {
    /// The question to answer, as the analyst typed it.
    pub question: &'a str,
    /// The analyst's language: the explanation is asked for in it, and its examples come first.
    pub lang: Lang,
    /// Today's date (UTC), written into the prompt so that "last month" means the same to the model as to the
    /// offline engine.
    pub today: NaiveDate,
    /// Oldest first.
    pub history: &'a [PriorQuestion],
    /// How many verified questions to show as examples.
    pub max_examples: usize,
}

impl<'a> PromptInput<'a> {
    /// An input without history, showing up to 8 examples.
    pub fn new(question: &'a str, lang: Lang, today: NaiveDate) -> Self {
        PromptInput { question, lang, today, history: &[], max_examples: 8 }
    }
}

/// The request that asks a model to answer `input.question` over `model`.
///
/// The system text depends on the model and the date only, so it stays the same across a conversation;
/// the conversation so far travels with the question in the user's turn.
pub fn build_request(model: &SemanticModel, input: &PromptInput<'_>) -> GenerationRequest {
    GenerationRequest::new(system_prompt(model, input), vec![Turn::user(user_message(input))])
}

fn system_prompt(model: &SemanticModel, input: &PromptInput<'_>) -> String {
    let mut s = String::new();
    let language = match input.lang {
        Lang::En => "English",
        Lang::Es => "Spanish",
    };
    let _ = writeln!(
        s,
        "You turn an analyst's question about their messaging and sales data into one SQL query.\n\n\
         Rules:\n\
         - Write exactly one read-only SELECT (WITH is fine). Never write INSERT, UPDATE, DELETE, DDL or \
           several statements.\n\
         - Read only the tables listed below, always schema-qualified (marts.table_name).\n\
         - Use the portable SQL both warehouses run: quoted INTERVAL literals ('1 month'), DATE_TRUNC, \
           CASE, standard joins. Use CURRENT_DATE for today, not a date literal.\n\
         - Compute metrics exactly as defined below. Rates are fractions between 0 and 1.\n\
         - Money: amounts are in each row's currency. Revenue and average order value always join \
           marts.fx_rates as shown below and multiply by rate (into the company's reporting currency); never add \
           or average amounts of different currencies. \"By currency\" gives SUM(amount) grouped by \
           currency, unconverted. Messaging cost is in USD.\n\
         - Sort a breakdown by the metric, largest first; a time series by time, oldest first; \"top N\" \
           keeps N rows.\n\
         - Give output columns short snake_case names.\n\
         - Answer with a JSON object with three keys: \"sql\" (the query), \"chart\" (one of {}) and \
           \"explanation\" (one sentence, in {language}, saying what the query computes).\n\
         - Chart choice: kpi for a single value, line or area for a series over time, bar for a breakdown, \
           pie for shares of a few categories, scatter for two measures, table otherwise.\n\n\
         Today is {} ({}). The analyst writes in {language}.",
        CHART_KINDS.join(", "),
        input.today.format("%Y-%m-%d"),
        input.today.format("%A"),
    );

    s.push_str("\nTables:\n");
    for table in model.tables() {
        let several = model.spans_several_companies();
        let columns: Vec<String> = table
            .columns
            .iter()
            .filter(|c| several || !HIDDEN_COLUMNS.contains(&c.name.as_str()))
            .map(|c| format!("{} {}", c.name, c.data_type))
            .collect();
        let _ = writeln!(s, "- {}.{} ({})", table.schema, table.name, columns.join(", "));
    }

    let mut joins = Vec::new();
    for from in model.tables() {
        for to in model.tables() {
            if let Some(j) = model.join(&from.name, &to.name) {
                joins.push(format!("- {}.{} = {}.{}", from.name, j.on, to.name, j.on));
            }
        }
    }
    if !joins.is_empty() {
        s.push_str("\nJoins:\n");
        s.push_str(&joins.join("\n"));
        s.push('\n');
    }

    s.push_str("\nMetrics (name: definition; time column; words analysts use):\n");
    for metric in model.metrics() {
        let _ = writeln!(
            s,
            "- {}: {}; time column {}; {}",
            metric.name,
            metric_sql(model, metric),
            metric.time_column,
            words(&metric.label.en, &metric.label.es, &metric.synonyms.en, &metric.synonyms.es),
        );
    }

    s.push_str("\nDimensions (name: column; values; words analysts use):\n");
    // The company dimension is an admin scope's (its column is the tenant id): described below only then.
    for dim in model.dimensions().iter().filter(|d| !d.company) {
        let column = match &dim.label_column {
            Some(label) => format!("{}.{} (label {label})", dim.table, dim.column),
            None => format!("{}.{}", dim.table, dim.column),
        };
        let values =
            if dim.values.is_empty() { String::new() } else { format!("; values {}", dim.values.join(", ")) };
        let _ = writeln!(
            s,
            "- {}: {column}{values}; {}",
            dim.name,
            words(&dim.label.en, &dim.label.es, &dim.synonyms.en, &dim.synonyms.es),
        );
    }

    if model.spans_several_companies() {
        companies(&mut s, model);
    }

    // Examples in the analyst's language first: they show the phrasing as well as the SQL.
    let mut examples: Vec<_> = model.examples().iter().filter(|e| e.lang == input.lang).collect();
    examples.extend(model.examples().iter().filter(|e| e.lang != input.lang));
    if input.max_examples > 0 && !examples.is_empty() {
        s.push_str("\nVerified examples:\n");
        for e in examples.into_iter().take(input.max_examples) {
            let _ = writeln!(s, "Q: {}\nSQL: {}", e.question, e.sql);
        }
    }
    s
}

/// The companies of an admin's scope and the rules SQL over several of them must follow.
fn companies(s: &mut String, model: &SemanticModel) {
    s.push_str(
        "\nCompanies (the analyst sees several at once; tenant_id names the company in every table):\n",
    );
    for c in model.companies() {
        let currency = c.currency.as_deref().unwrap_or("unknown");
        let _ = writeln!(s, "- '{}': {} (reporting currency {currency})", c.id, c.name);
    }
    s.push_str(
        "Rules for several companies:\n\
         - Ids repeat across companies: every join also matches tenant_id (a.tenant_id = b.tenant_id), the join \
           with marts.fx_rates included.\n\
         - \"By company\" groups by tenant_id and shows the name: CASE tenant_id WHEN 'id' THEN 'Name' … END AS \
           company.\n\
         - Converted money is in each company's own reporting currency: when the companies' currencies differ, \
           group by the company's currency too (a CASE on tenant_id, AS currency) and never add amounts of \
           different currencies.\n",
    );
}

/// `COUNT(*) FROM marts.fct_messages WHERE direction = 'outbound'`; a converted money metric shows its join
/// with the exchange rates: `SUM(amount * rate) FROM marts.fct_activities JOIN marts.fx_rates ON …`.
fn metric_sql(model: &SemanticModel, metric: &MetricDef) -> String {
    let schema = model.table(&metric.table).map(|t| t.schema.as_str()).unwrap_or("marts");
    let mut sql = format!("{} FROM {schema}.{}", metric.expr, metric.table);
    if let (Some(MoneyCurrency::Converted), Some(r)) = (metric.currency, model.rates()) {
        let rates = model.table(&r.table).map(|t| t.schema.as_str()).unwrap_or("marts");
        sql.push_str(&format!(
            " JOIN {rates}.{rt} ON {rt}.{c} = {t}.{c} AND {rt}.{m} = CAST(DATE_TRUNC('month', {t}.{time}) AS DATE)",
            rt = r.table,
            c = r.currency_column,
            m = r.month_column,
            t = metric.table,
            time = metric.time_column,
        ));
    }
    if !metric.filter.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&metric.filter.join(" AND "));
    }
    sql
}

fn words(label_en: &str, label_es: &str, synonyms_en: &[String], synonyms_es: &[String]) -> String {
    let mut list = vec![label_en.to_string(), label_es.to_string()];
    list.extend(synonyms_en.iter().take(MAX_SYNONYMS).cloned());
    list.extend(synonyms_es.iter().take(MAX_SYNONYMS).cloned());
    list.retain(|w| !w.trim().is_empty());
    list.dedup();
    list.join(", ")
}

fn user_message(input: &PromptInput<'_>) -> String {
    let mut s = String::new();
    if !input.history.is_empty() {
        s.push_str("Earlier in this conversation (oldest first):\n");
        for (i, prior) in input.history.iter().enumerate() {
            let _ = writeln!(s, "{}. Q: {}\n   SQL: {}", i + 1, prior.question.trim(), prior.sql.trim());
        }
        s.push_str("\nThe new question may refer to them.\n\n");
    }
    let _ = write!(s, "Question: {}", input.question.trim());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> SemanticModel {
        SemanticModel::builtin().expect("builtin model")
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 4).expect("date")
    }

    #[test]
    fn describes_the_model_the_date_and_the_language() {
        let history = [PriorQuestion {
            question: "revenue by channel".into(),
            sql: "SELECT channel, SUM(amount) AS revenue FROM marts.fct_activities GROUP BY channel".into(),
        }];
        let input =
            PromptInput { history: &history, ..PromptInput::new("¿y el mes pasado?", Lang::Es, today()) };
        let req = build_request(&model(), &input);
        let s = &req.system;
        assert!(s.contains("marts.fct_messages ("), "{s}");
        assert!(s.contains("cost DECIMAL(10,4)"));
        assert!(s.contains(
            "- revenue: SUM(amount * rate) FROM marts.fct_activities JOIN marts.fx_rates ON fx_rates.currency = \
             fct_activities.currency AND fx_rates.month = CAST(DATE_TRUNC('month', fct_activities.occurred_at) AS \
             DATE) WHERE activity_type IN"
        ), "{s}");
        assert!(s.contains("never add or average amounts of different currencies"));
        assert!(s.contains("ingresos"));
        assert!(s.contains("values whatsapp, sms, email, push"));
        assert!(s.contains("fct_messages.contact_id = dim_contacts.contact_id"));
        assert!(s.contains("Today is 2026-05-04 (Monday)"));
        assert!(s.contains("The analyst writes in Spanish"));
        // Spanish examples come first for a Spanish question.
        let first_example = s.split("Verified examples:\n").nth(1).expect("examples");
        assert!(first_example.starts_with("Q: ¿Cuántos contactos tenemos en Colombia?"), "{first_example}");
        assert_eq!(req.turns.len(), 1);
        let user = &req.turns[0].content;
        assert!(user.contains("1. Q: revenue by channel"));
        assert!(user.contains("SQL: SELECT channel, SUM(amount)"));
        assert!(user.ends_with("Question: ¿y el mes pasado?"));
    }

    #[test]
    fn says_nothing_about_tenants() {
        for lang in [Lang::En, Lang::Es] {
            let req = build_request(&model(), &PromptInput::new("revenue by tenant", lang, today()));
            let lower = req.system.to_lowercase();
            // Not a column, not an instruction, not a name of the demo tenants or partners.
            for word in ["tenant", "acme_corp", "globex", "initech", "umbrella", "stark_ind", "other_partner"]
            {
                assert!(!lower.contains(word), "system prompt mentions {word}");
            }
        }
    }

    #[test]
    fn an_admin_scope_names_its_companies_and_their_rules() {
        let company = |id: &str, name: &str, currency: &str| inda_core::TenantEntry {
            tenant_id: id.into(),
            tenant_name: name.into(),
            partner_id: "indigital".into(),
            is_active: true,
            currency: Some(currency.into()),
        };
        let several = model()
            .with_companies(&[company("acme_corp", "Acme Corp", "COP"), company("globex", "Globex", "USD")]);
        let req = build_request(&several, &PromptInput::new("revenue by company", Lang::En, today()));
        assert!(req.system.contains("- 'acme_corp': Acme Corp (reporting currency COP)"), "{}", req.system);
        assert!(req.system.contains("every join also matches tenant_id"));
        assert!(req.system.contains("never add amounts of different currencies"));
        assert!(req.system.contains("tenant_id VARCHAR") || req.system.contains("tenant_id"));
        // One company (an analyst's scope, named or not) is still told nothing about tenants.
        let one = model().with_companies(&[company("acme_corp", "Acme Corp", "COP")]);
        let req = build_request(&one, &PromptInput::new("revenue by company", Lang::En, today()));
        assert!(!req.system.to_lowercase().contains("tenant"), "{}", req.system);
        assert!(!req.system.contains("acme_corp"));
    }

    #[test]
    fn holds_no_data_rows() {
        let req = build_request(&model(), &PromptInput::new("top contacts", Lang::En, today()));
        let all = format!("{}\n{}", req.system, req.turns[0].content);
        // Contacts' personal data and amounts only ever exist as rows; the prompt has only their columns.
        assert!(!all.contains('@'), "an email address reached the prompt");
        assert!(!all.contains("+57"), "a phone number reached the prompt");
        for line in all.lines() {
            assert!(!line.starts_with('|'), "a result table reached the prompt: {line}");
        }
    }
}
