//! What a question says, read from its words but not yet resolved: the [`Fragments`] that the reader
//! collects and that a new question's resolution or a follow-up's merge turn into an intent.

use crate::intent::{DaysOfWeek, Grain, TimeRange};

/// A dimension word to resolve once the metric's table is known.
#[derive(Debug, Clone, Default)]
pub(crate) struct DimRef {
    pub candidates: Vec<String>,
    /// Named on its own, with no "by" or "which" ("con su canal"): in a list, a column to show.
    pub alone: bool,
}

/// A value word ("WhatsApp", "Colombia") to resolve to a dimension of the metric's table.
#[derive(Debug, Clone)]
pub(crate) struct ValueRef {
    pub family: String,
    pub value: String,
    pub negated: bool,
    /// Only these dimensions ("source channel WhatsApp").
    pub only_dims: Vec<String>,
    /// "WhatsApp campaigns": the campaign's own attribute.
    pub of_campaign: bool,
    /// Position among the question's items: in "share of revenue from WhatsApp" a value after the metric
    /// is the part, one before it ("WhatsApp messages") narrows the whole.
    pub pos: usize,
    /// Only articles and prepositions stand between it and the item before ("clientes vip").
    pub joined: bool,
}

/// A period said of when some rows began ("campaigns that started in 2025", "contactos creados en 2025").
#[derive(Debug, Clone)]
pub(crate) struct Dated {
    /// The table of the rows that began.
    pub table: String,
    /// The period's words, for messages.
    pub text: String,
    pub range: TimeRange,
    /// Where the thing that began is named, when one item names it ("contactos creados").
    pub thing: Option<usize>,
    /// Every time the period is said, it is said of when something began: it is not also the measure's
    /// ("compras en los últimos 30 días de contactos creados en los últimos 30 días" says it twice).
    pub alone: bool,
}

/// What a question says, before it is resolved against a metric's table (or a previous intent).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fragments {
    pub metrics: Vec<String>,
    pub sort_metric: Option<String>,
    pub breakdowns: Vec<DimRef>,
    pub values: Vec<ValueRef>,
    pub times: Vec<TimeRange>,
    /// A comparison word came before the only time expression ("compared to last month").
    pub compare: bool,
    pub compare_before_time: bool,
    pub grain: Option<Grain>,
    pub trend: bool,
    /// "growth", "% change" (`Some(true)`: "fell", a fall): the change between two periods.
    pub change: Option<bool>,
    pub top_n: Option<u32>,
    /// "the second best": only the `top_n`-th row of the ranking.
    pub nth: bool,
    pub descending: Option<bool>,
    pub share: bool,
    pub also: bool,
    /// "todo junto", "combined": values of one column said together are one figure, not a row each.
    pub together: bool,
    /// "Converted to our reporting currency": said of money, which is converted unless asked by currency.
    pub converted: bool,
    /// "average daily revenue": the mean of each period's total (see [`crate::Intent::per_period`]).
    pub per_period: bool,
    /// "on weekends", "los lunes": only these days of the week.
    pub days: Option<DaysOfWeek>,
    /// "percentage of", "qué porcentaje de": one fraction of a whole.
    pub fraction: bool,
    /// "list", "show me", "cuáles": the rows themselves.
    pub list: bool,
    /// "how many", "cuántos": a count, whatever else is said.
    pub counting: bool,
    /// Every metric word with its position, before generic words yield to specific ones.
    pub named: Vec<(usize, String)>,
    /// Where a metric was named by a word whose side depends on who speaks ("received", "enviaron").
    pub two_sided: Vec<usize>,
    /// Where the fraction word is ("de las compras por WhatsApp, qué porcentaje…": values before it narrow
    /// the whole).
    pub fraction_at: Option<usize>,
    /// Where the first counting word is ("how many contacts bought": what comes right after is counted).
    pub counting_at: Option<usize>,
    /// "unique", "distintos": said of what is counted, understood only when it counts each thing once.
    pub distinct: Vec<String>,
    /// "newest", "más recientes" (`true`) or "oldest" (`false`): a list of rows by their time.
    pub newest: Option<bool>,
    /// Where a refining verb stands, with the measure it names ("contacts that came in through WhatsApp": a
    /// value right after it still qualifies the noun before it; "messages sent that were read": the part).
    pub clauses: Vec<(usize, String)>,
    /// An "each" word ("each one's share", "cada uno"): said of every row.
    pub each: bool,
    /// Items right after a relative pronoun or "with" ("contacts who bought", "contacts with purchases":
    /// where "bought" and "purchases" are).
    pub relative_at: Vec<usize>,
    /// Periods said of when some rows began ("campaigns that started in 2025").
    pub dated: Vec<Dated>,
    /// Where the first days-of-the-week words are ("on weekends").
    pub days_at: Option<usize>,
    /// "Solo meses cerrados": only the complete periods of this unit, the running one left out.
    pub complete_only: Option<Grain>,
    /// Ranked by a judgement ("best", "peor"), which names no measure of its own.
    pub judged: bool,
    /// Another date of the measured rows the periods are said of ("campaigns that ended last month":
    /// `ended_at`).
    pub date_column: Option<String>,
    /// "Mensajes enviados excluyendo los fallidos": measures whose rows are left out, with the words that
    /// said so ("excluyendo fallidos") and whether they deny what the rows did ("no se entregaron").
    pub excluded: Vec<(String, String, bool)>,
    /// An order was asked in words ("de mayor a menor", "in ascending order").
    pub ordered: bool,
    /// The table of rows named first and then "with their …" ("active campaigns with their budget").
    pub rows_listed: Option<String>,
    /// A word points back at things named before ("customers and their revenue", "cuánto gastaron ellos").
    pub theirs: bool,
}

impl Fragments {
    pub(crate) fn is_empty(&self) -> bool {
        self.metrics.is_empty()
            && self.breakdowns.is_empty()
            && self.values.is_empty()
            && self.times.is_empty()
            && self.grain.is_none()
            && self.top_n.is_none()
            && self.descending.is_none()
            && !self.trend
            && !self.share
            && !self.fraction
            && !self.list
            && self.days.is_none()
    }
}
