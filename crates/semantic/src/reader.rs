//! Words → fragments: lexing the normalized words into items (time expressions, numbers, known phrases)
//! and reading the grammar around them in three passes (markers, values, the rest) before settling the
//! metrics. Words that nothing explains make the question not understood here.

use chrono::{Datelike, NaiveDate};

use crate::describe;
use crate::fragments::{Dated, DimRef, Fragments, ValueRef};
use crate::intent::{Grain, TimeRange};
use crate::lang::Lang;
use crate::lexicon::Sense;
use crate::model::{DateDef, DimType, MeasureFormat, MetricKind, SemanticModel};
use crate::parse::narrows;
use crate::plan::NotUnderstood;
use crate::time;

mod items;
mod measures;

pub(crate) use items::{Item, ItemKind, lex};
use measures::{
    apply_refines, average_metric, average_per_thing, choose_metrics, counted_beside_sums,
    in_reporting_currency, listable, listed_with_columns, per_thing, refine_named,
};

/// Reads the grammar around the items and collects fragments; unexplained words fail here.
pub(crate) fn read(
    model: &SemanticModel,
    items: &[Item],
    lang: Lang,
    today: NaiveDate,
) -> Result<Fragments, NotUnderstood> {
    let mut reader = Reader::new(model, items, lang, today);
    // After a relative pronoun in the gap ("contacts who bought") or as an item of its own ("que"), or after
    // "with" ("contacts with purchases").
    let pronoun = |k: usize| k > 0 && model.lexicon().relatives.contains(&items[k - 1].text);
    reader.f.each = items.iter().any(|it| model.lexicon().each_one.contains(&it.text));
    reader.f.judged = items.iter().any(|it| it.text.split(' ').any(|w| model.lexicon().judging.contains(w)));
    let clause = |k: &usize| items[*k].relative || items[*k].having || pronoun(*k);
    reader.f.relative_at = (0..items.len()).filter(clause).collect();
    reader.f.rows_listed = rows_with_their(model, items);
    reader.f.list |= reader.f.rows_listed.is_some();
    reader.f.theirs = items.iter().any(|it| it.theirs);
    reader.markers();
    reader.values();
    reader.rest();
    reader.finish()
}

/// "Active campaigns with their budget and channel", "contactos vip con su país": rows named first (values
/// that narrow them around them) and then what is theirs are those rows listed with it, not a sum by it. Any
/// word of another shape (how many, by, top, share, average, a series, a comparison) keeps that shape.
fn rows_with_their(model: &SemanticModel, items: &[Item]) -> Option<String> {
    let first = items.iter().position(|it| it.values().is_empty())?;
    let rows = &items[first];
    let shaped = |s: &Sense| {
        matches!(
            s,
            Sense::Counting
                | Sense::By
                | Sense::Which
                | Sense::WhichAtStart
                | Sense::Most
                | Sense::Least
                | Sense::Top
                | Sense::Bottom
                | Sense::Compare
                | Sense::Share
                | Sense::Fraction
                | Sense::Average { .. }
                | Sense::Trend
                | Sense::Change { .. }
                | Sense::GrainAdj(_)
        )
    };
    let listed = rows.is_plural()
        && (items[first + 1..].iter())
            .find(|it| it.values().is_empty() && !matches!(it.kind, ItemKind::Time(_)))
            .is_some_and(|it| it.possessive)
        && !items.iter().any(|it| it.has(shaped) || matches!(it.kind, ItemKind::Number(_)));
    // The table whose rows they are.
    listable(model, rows).filter(|_| listed)
}

/// What the passes of [`read`] share: which items are explained so far, and what they said.
struct Reader<'a> {
    model: &'a SemanticModel,
    items: &'a [Item],
    lang: Lang,
    /// The day the question is asked: the year of "this year" said of named periods.
    today: NaiveDate,
    /// Items already explained (by a marker, as a value or its qualifier, …): later passes skip them.
    used: Vec<bool>,
    f: Fragments,
    /// Metric words said as measures.
    strong: Vec<String>,
    /// Metric words that are also something else (a dimension, a value's qualifier): measured only when no
    /// strong metric is.
    weak: Vec<String>,
    /// A most/least/top/bottom word.
    superlative: bool,
    /// "which" picks a singular dimension or grain ("which channel …").
    singular_pick: bool,
    /// Metric words that are also dimensions ("campaign", "cliente"), left as weak metrics in pass 3.
    dual: Vec<(usize, &'a Item)>,
    /// People who did a two-sided verb ("mensajes que recibieron los contactos"): the measure's side is
    /// theirs, not the company's.
    doers: Vec<(usize, usize)>,
    /// Verbs of people's own clauses ("contactos que llegaron por Instagram"): no measure's refining words.
    people_verbs: Vec<usize>,
    /// Items read as breakdowns after "by" ("por campañas de WhatsApp").
    broken_down: Vec<usize>,
    /// Who did what is measured, after "by" ("purchases by customers in Mexico"): never a breakdown.
    agents: Vec<(usize, &'a Item)>,
    /// A singular dimension named on its own ("the channel with the lowest …").
    bare_singular: bool,
    /// A comparison word stands between two measures: they are compared, not periods.
    measures_compared: bool,
    /// Refining words, as the metrics they mean.
    refines: Vec<String>,
    /// Unit words, as (the metric whose unit they name, the words).
    units: Vec<(String, String)>,
    /// "The same days" words: understood only in a comparison, which compares the same days already.
    same_days: Vec<String>,
    /// An average word: whether some average phrase also named the amount ("valor medio"), and the last one.
    average: Option<(bool, String)>,
    /// List-column words ("correo", "teléfono"), as (their table, the item when it is also a value, the
    /// words): understood only in a list of that table's rows. A value ("correo": email) stays one elsewhere.
    columns: Vec<(String, Option<usize>, String)>,
    /// The words of the first time expression, to tell whether it named its year.
    first_time_text: Option<String>,
    /// The words nothing explains.
    unknown: Vec<String>,
    /// Whether the question ranks anywhere (a number, top/bottom, most/least).
    ranks: bool,
    /// Where the "by" words are ("by messages", "cada mensaje", "cada SMS").
    by_at: Vec<usize>,
}

/// A run of ranking words ("top 5", "5 best", "los 5 peores"): where it ends and what it says.
struct RankWords {
    /// The first item after the run.
    end: usize,
    number: Option<u32>,
    /// "bottom", "least", "peores": the smallest first.
    ascending: bool,
    /// "top" or "bottom", not only "most"/"least".
    has_top: bool,
    /// "second", "tercer": `number` is the one place kept.
    nth: bool,
}

impl<'a> Reader<'a> {
    fn new(model: &'a SemanticModel, items: &'a [Item], lang: Lang, today: NaiveDate) -> Self {
        let mut reader = Reader {
            model,
            items,
            lang,
            today,
            used: vec![false; items.len()],
            f: Fragments::default(),
            strong: Vec::new(),
            weak: Vec::new(),
            superlative: false,
            singular_pick: false,
            dual: Vec::new(),
            agents: Vec::new(),
            doers: Vec::new(),
            people_verbs: Vec::new(),
            broken_down: Vec::new(),
            bare_singular: false,
            measures_compared: false,
            refines: Vec::new(),
            units: Vec::new(),
            same_days: Vec::new(),
            average: None,
            columns: Vec::new(),
            first_time_text: None,
            unknown: Vec::new(),
            ranks: false,
            by_at: Vec::new(),
        };
        reader.ranks = (0..items.len()).any(|k| reader.is_rank(k));
        reader
    }

    fn is(&self, k: usize, s: Sense) -> bool {
        self.items.get(k).is_some_and(|it| it.has(|x| *x == s))
    }

    fn is_rank(&self, k: usize) -> bool {
        self.items.get(k).is_some_and(|it| {
            matches!(it.kind, ItemKind::Number(_))
                || it.has(|x| {
                    matches!(x, Sense::Top | Sense::Bottom | Sense::Most | Sense::Least | Sense::Ordinal(_))
                })
        })
    }

    /// Pass 1: markers that give the next word its role.
    fn markers(&mut self) {
        // Before rankings take "3 contactos" of "los 3 contactos más recientes".
        for k in 0..self.items.len() {
            if self.items[k].has(|s| matches!(s, Sense::Newest(_))) {
                self.newest_count(k);
            }
        }
        for (k, item) in self.items.iter().enumerate() {
            if self.used[k] {
                continue;
            }
            if item.has(|s| *s == Sense::By) {
                self.by(k);
            } else if item.has(|s| *s == Sense::NotOnly) {
                // "todos los enviados, no solo los entregados": what it names is not the measure.
                self.used[k] = true;
                if let Some(next) = self.used.get_mut(k + 1) {
                    *next = true;
                }
            } else if item.has(|s| *s == Sense::Which) || (k == 0 && item.has(|s| *s == Sense::WhichAtStart))
            {
                self.which(k);
            } else if self.is_rank(k) && (k == 0 || !self.is_rank(k - 1)) {
                self.rank_prefix(k);
            }
        }
    }

    /// "The 10 newest", "los últimos 5", "los 3 contactos más recientes": the number beside a newest word
    /// (or before the noun it follows) is how many rows to list; "the newest campaign" is one.
    fn newest_count(&mut self, k: usize) {
        let items = self.items;
        let number = |j: usize| match items.get(j).map(|it| &it.kind) {
            Some(ItemKind::Number(n)) => Some(*n),
            _ => None,
        };
        let noun = |j: usize| items.get(j).filter(|it| !it.metrics().is_empty() || it.is_dim());
        let before_noun = noun(k.wrapping_sub(1)).map(|_| k.wrapping_sub(2));
        let at = [Some(k.wrapping_sub(1)), Some(k + 1), before_noun]
            .into_iter()
            .flatten()
            .find(|j| number(*j).is_some() && !self.used[*j]);
        match at {
            Some(j) => {
                self.f.top_n = number(j);
                self.used[j] = true;
            }
            None if [k + 1, k.wrapping_sub(1)].into_iter().find_map(noun).is_some_and(|n| !n.is_plural()) => {
                self.f.top_n = Some(1);
            }
            None => {}
        }
    }

    /// "by"/"por" at `k`: the next word is a breakdown, a time grain, or the metric to rank by.
    fn by(&mut self, k: usize) {
        let items = self.items;
        // "purchases made by contacts in Mexico": who made them, not a breakdown.
        let agent = k.checked_sub(1).and_then(|p| items.get(p)).and_then(|p| p.text.rsplit(' ').next());
        if agent.is_some_and(|w| self.model.lexicon().agent_participles.contains(w)) {
            self.used[k] = true;
            return;
        }
        let Some(next) = items.get(k + 1) else {
            self.each_of_those(k);
            return;
        };
        if self.used[k + 1] {
            return;
        }
        self.by_at.push(k);
        // "purchases by contacts who opted out": people qualified by a clause of their own (a value that does
        // not join them) made the rows; the value filters them, and nothing is broken down.
        // So are "purchases by customers in Mexico" (plural people, then their value) and "messages sent by
        // the campaigns that started in 2025" (plural things, then when they began).
        let people = next.dims().iter().any(|d| self.model.dimension(d).is_some_and(|d| d.people));
        let valued = items.get(k + 2).is_some_and(|v| !v.values().is_empty());
        let began = items.get(k + 2).is_some_and(|v| v.dated && matches!(v.kind, ItemKind::Time(_)));
        // "Enviados por las campañas de WhatsApp" (an article, then named things and their value): sent by
        // them; "por campañas" alone is per campaign.
        let named =
            next.bare && next.dims().iter().any(|d| self.model.dimension(d).is_some_and(|d| d.data_values));
        if next.is_plural() && (((people || named) && valued) || (next.is_dim() && began)) {
            // "Messages received by contacts in Mexico": they received what the company sent.
            if people && k > 0 && self.two_sided(k - 1) {
                self.doers.push((k - 1, k + 1));
            }
            self.used[k] = true;
            self.used[k + 1] = true;
            self.agents.push((k + 1, next));
            return;
        }
        // "Revenue by contacts' source channel": the rows' noun right before a column of theirs only says
        // whose column it is; the column is the breakdown.
        if self.whose_column(k + 1) {
            self.f.breakdowns.push(DimRef { candidates: items[k + 2].dims(), alone: false });
            self.used[k..=k + 2].fill(true);
            self.broken_down.push(k + 2);
            return;
        }
        // "top 3 segments by contacts": after a ranked breakdown, a word that is both a metric and a
        // dimension is the ranking metric.
        let ranks_by_metric =
            !self.f.breakdowns.is_empty() && self.f.top_n.is_some() && !next.metrics().is_empty();
        if next.is_dim() && !ranks_by_metric {
            self.f.breakdowns.push(DimRef { candidates: next.dims(), alone: false });
            self.used[k + 1] = true;
            self.broken_down.push(k + 1);
            // The metric word ("campaigns") is a breakdown here, not a metric.
        } else if let Some(g) = next.grain() {
            self.f.grain = Some(g);
            self.used[k + 1] = true;
        } else if !next.metrics().is_empty() {
            let ms = next.metrics();
            self.f.sort_metric = ms.first().cloned();
            self.strong.extend(ms);
            self.used[k + 1] = true;
        } else {
            self.each_of_those(k);
        }
        self.used[k] = true;
    }

    /// Whether the dimension at `k` names rows ("contacts", "campaign") and the item right after it, with
    /// nothing but prepositions between, is another dimension of the same table ("contacts' source channel",
    /// "campaign channel"): then `k` only says whose.
    fn whose_column(&self, k: usize) -> bool {
        let (model, items) = (self.model, self.items);
        let (Some(rows), Some(column)) = (items.get(k), items.get(k + 1)) else { return false };
        let tables = |it: &Item| -> Vec<String> {
            it.dims().iter().filter_map(|d| model.dimension(d)).map(|d| d.table.clone()).collect()
        };
        let names_rows = (rows.dims().iter().filter_map(|d| model.dimension(d)))
            .any(|d| d.people || d.data_values || d.label_column.is_some());
        let theirs = tables(column);
        // "Customers" is also a stage ("purchases by customers' country" keeps it): only a plain noun of rows.
        names_rows
            && rows.values().is_empty()
            && column.is_dim()
            && column.joined
            && !self.used[k + 1]
            && !theirs.is_empty()
            && theirs.iter().all(|t| tables(rows).contains(t))
    }

    /// "For the WhatsApp campaigns that started in November, how many purchases did each one bring in": an
    /// "each" word with no thing after it is each of the things named before it, a breakdown by them (it
    /// had answered the total).
    fn each_of_those(&mut self, k: usize) {
        let items = self.items;
        // A list ("cuáles son las campañas … y cuánto presupuesto tiene cada una") shows each already.
        if !self.model.lexicon().each_one.contains(&items[k].text)
            || !self.f.breakdowns.is_empty()
            || self.f.list
        {
            return;
        }
        let Some(j) = (0..k).rev().find(|j| items[*j].is_dim() && items[*j].is_plural()) else {
            return;
        };
        // Left for the values' pass too: "WhatsApp campaigns" still says whose channel it is.
        self.f.breakdowns.push(DimRef { candidates: items[j].dims(), alone: false });
    }

    /// "which"/"cuál" at `k`: the next word is what to pick (a dimension or a grain), or the rows to list.
    fn which(&mut self, k: usize) {
        self.used[k] = true;
        let items = self.items;
        let Some(next) = items.get(k + 1) else { return };
        // "cuál es el total de contactos": a word that is also a metric is what to count, unless the
        // question ranks ("which customers bought the most").
        let measured = !next.metrics().is_empty() && !self.ranks;
        // "which (email) campaigns are paused", "cuáles contactos son VIP": the rows themselves.
        let named = items[k + 1..].iter().find(|it| it.values().is_empty());
        if !self.ranks && named.is_some_and(|it| it.is_plural() && listable(self.model, it).is_some()) {
            self.f.list = true;
        }
        // "which active campaign sent the fewest": a value before the rows' own noun qualifies them, and the
        // noun is what is picked.
        if let Some(noun) = self.qualified_noun(k + 1).filter(|_| self.ranks) {
            self.pick(noun);
        } else if next.is_dim() && !self.used[k + 1] && !measured {
            self.pick(k + 1);
        } else if let Some(g) = next.grain().filter(|_| !self.used[k + 1]) {
            self.f.grain = Some(g);
            self.singular_pick |= !next.is_plural();
            self.used[k + 1] = true;
        }
    }

    /// The dimension at `noun` is what "which" picks: a breakdown, one row when it is singular.
    fn pick(&mut self, noun: usize) {
        let d = &self.items[noun];
        self.f.breakdowns.push(DimRef { candidates: d.dims(), alone: false });
        self.singular_pick |= !d.is_plural();
        self.used[noun] = true;
        self.broken_down.push(noun);
    }

    /// The noun right after a value at `k` that only qualifies it ("WhatsApp campaigns", "campañas
    /// activas" said the other way round): its position, when it names rows and is still free.
    fn qualified_noun(&self, k: usize) -> Option<usize> {
        let value = self.items.get(k)?;
        let noun = self.items.get(k + 1)?;
        (!value.values().is_empty() && !value.is_dim() && noun.is_dim() && noun.values().is_empty())
            .then_some(k + 1)
            .filter(|&n| !self.used[k] && !self.used[n])
    }

    /// A ranking prefix: "top 5", "5 best", "los 5 peores", "best", then a dimension.
    fn rank_prefix(&mut self, k: usize) {
        let RankWords { end: j, number, ascending, has_top, nth } = self.rank_words(k);
        // "top 5 WhatsApp campaigns": the value qualifies the ranked rows and stays a filter. After a
        // breakdown, "the most VIP contacts" is what is counted.
        let counted = |n: &usize| {
            number.is_none()
                && !has_top
                && !self.items[*n].metrics().is_empty()
                && !self.f.breakdowns.is_empty()
        };
        if let Some(noun) = self.qualified_noun(j).filter(|n| !nth && !counted(n)) {
            // The value between the words and the noun is left to the values' pass.
            self.rank(k..j, noun, number, nth, ascending);
            return;
        }
        // "with the most customers" after a breakdown: the word is what is counted, not a breakdown.
        let only_superlative = number.is_none() && !has_top;
        let dim_next =
            self.items.get(j).filter(|it| it.is_dim() || it.grain().is_some()).filter(|it| {
                !(only_superlative && !it.metrics().is_empty() && !self.f.breakdowns.is_empty())
            });
        // "la segunda semana de noviembre" is a week of the month, not a ranking of weeks.
        let dim_next = dim_next.filter(|d| !nth || d.is_dim());
        match dim_next {
            Some(_) if !self.used[j] => self.rank(k..j, j, number, nth, ascending),
            _ if number.is_some()
                && !nth
                && (has_top || self.is(k, Sense::Top) || self.is(k, Sense::Bottom)) =>
            {
                // "top 3" on its own: a follow-up that keeps the top rows of the previous breakdown.
                self.f.top_n = number;
                self.f.descending = Some(!ascending);
                for u in self.used.iter_mut().take(j).skip(k) {
                    *u = true;
                }
            }
            _ => {}
        }
    }

    /// The ranking words at `words` rank the rows named at `noun` (a dimension or a grain): "top 5 WhatsApp
    /// campaigns", "los 3 peores meses". A singular noun with no number is one row ("the best channel").
    fn rank(
        &mut self,
        words: std::ops::Range<usize>,
        noun: usize,
        number: Option<u32>,
        nth: bool,
        ascending: bool,
    ) {
        let d = &self.items[noun];
        if let Some(g) = d.grain().filter(|_| !d.is_dim()) {
            self.f.grain = Some(g);
        } else {
            self.f.breakdowns.push(DimRef { candidates: d.dims(), alone: false });
            self.broken_down.push(noun);
        }
        self.f.top_n = number.or(if d.is_plural() { None } else { Some(1) });
        self.f.nth = nth;
        self.f.descending = Some(!ascending);
        self.superlative = true;
        for u in &mut self.used[words] {
            *u = true;
        }
        self.used[noun] = true;
    }

    /// The run of ranking words that starts at `k`.
    fn rank_words(&self, k: usize) -> RankWords {
        let items = self.items;
        let mut j = k;
        let mut number = None;
        let mut ascending = false;
        let mut has_top = false;
        let mut nth = false;
        while j < items.len() && self.is_rank(j) {
            match items[j].kind {
                ItemKind::Number(v) => number = Some(v),
                _ => {
                    if let Some(n) = items[j]
                        .senses_of(|s| if let Sense::Ordinal(n) = s { Some(*n) } else { None })
                        .first()
                    {
                        (number, nth) = (Some(*n), true);
                    }
                    if items[j].has(|s| matches!(s, Sense::Bottom | Sense::Least)) {
                        ascending = true;
                    }
                    if items[j].has(|s| matches!(s, Sense::Top | Sense::Bottom)) {
                        has_top = true;
                    }
                }
            }
            j += 1;
        }
        RankWords { end: j, number, ascending, has_top, nth }
    }

    /// A unit word of a metric said with one it stands `instead_of` makes the question that metric ("ventas
    /// sin contar los reembolsos": gross revenue).
    fn units_instead(&mut self) {
        // "Ventas brutas y netas", "gross and net revenue": a unit listed with a measure of the same rows is
        // its own measure (net revenue beside gross), neither a word without one nor said instead of it.
        let model = self.model;
        let table = |m: &String| model.metric(m).map(|d| d.table.clone());
        let measures = |it: &Item| it.metrics().iter().any(|m| self.f.metrics.contains(m));
        let mut own = Vec::new();
        for (unit_of, text) in &self.units {
            let Some(k) = self.items.iter().position(|it| it.text == *text) else { continue };
            let (before, after) = (k.checked_sub(1).and_then(|j| self.items.get(j)), self.items.get(k + 1));
            let listed = (self.items[k].listed && before.is_some_and(measures))
                || after.is_some_and(|n| n.listed && measures(n));
            let same_rows = self.f.metrics.iter().any(|m| table(m) == table(unit_of));
            if listed && same_rows {
                own.push(unit_of.clone());
            }
        }
        for unit_of in &own {
            if !self.f.metrics.contains(unit_of) {
                self.f.metrics.push(unit_of.clone());
            }
        }
        for (unit_of, _) in self.units.iter().filter(|(u, _)| !own.contains(u)) {
            let Some(def) = self.model.metric(unit_of) else { continue };
            for m in self.f.metrics.iter_mut().filter(|m| def.instead_of.contains(m)) {
                m.clone_from(unit_of);
            }
        }
    }

    /// "Cuánto más vendimos en Colombia que en México", "how many more messages this month than last": a
    /// difference, which the engine does not compute, as the words that ask for it ("mas … que").
    fn difference(&self) -> Option<String> {
        let lexicon = self.model.lexicon();
        let at = self.items.iter().position(|it| {
            it.text.split(' ').any(|w| lexicon.comparatives.contains(w))
                && it.has(|s| matches!(s, Sense::Most | Sense::Least))
        })?;
        let compared = |it: &Item| !it.values().is_empty() || matches!(it.kind, ItemKind::Time(_));
        // "que" may be an item of its own ("qué" at the start of a question is "which").
        let rest = self.items.get(at + 1..).unwrap_or_default();
        let than = rest.iter().zip(rest.iter().skip(1)).find_map(|(it, next)| {
            let word = if lexicon.than.contains(&it.text) && compared(next) { Some(&it.text) } else { None };
            word.or(it.than.as_ref().filter(|_| compared(it)))
        });
        let than =
            than.or_else(|| self.items.last().and_then(|it| it.than.as_ref().filter(|_| compared(it))))?;
        Some(format!("{} … {than}", self.items[at].text))
    }

    /// "How many messages sent were read": a refining verb of a narrower count of the same rows is what is
    /// counted (the read messages, not all those sent); of a count it does not narrow ("messages received
    /// were read") it is not understood, never dropped.
    fn refine_counts(&mut self) {
        let model = self.model;
        let same_count = |a: &str, b: &str| {
            model
                .metric(a)
                .zip(model.metric(b))
                .is_some_and(|(a, b)| a.table == b.table && a.expr == b.expr && a.kind == MetricKind::Count)
        };
        for (at, r) in self.f.clauses.iter().filter(|(at, _)| !self.people_verbs.contains(at)) {
            for m in self.f.metrics.iter_mut().filter(|m| same_count(m, r)) {
                if narrows(model, m, r) {
                    m.clone_from(r);
                } else if !narrows(model, r, m) {
                    self.unknown.push(self.items[*at].text.clone());
                }
            }
        }
    }

    /// "Cuánto nos cuesta cada mensaje", "cost per message", "how much does each SMS cost": a sum per one of
    /// the very rows it adds up (a count of its table, or with "each", a value of them or the sum itself) is
    /// their average (the average cost per message), never the total. Only one row, singular: "top
    /// campaigns by messages" ranks.
    fn per_row(&mut self) {
        let model = self.model;
        let sums: Vec<_> = (self.f.metrics.iter().filter_map(|m| model.metric(m)))
            .filter(|d| d.kind == MetricKind::Sum)
            .collect();
        let count =
            self.f.sort_metric.as_ref().and_then(|m| model.metric(m)).filter(|d| d.kind == MetricKind::Count);
        let of_its_rows = |k: &usize| {
            let (word, Some(next)) = (&self.items[*k], self.items.get(k + 1)) else { return false };
            let each = model.lexicon().each_one.contains(&word.text);
            let said = match count {
                Some(c) => next.metrics().contains(&c.name) && sums.iter().any(|d| d.table == c.table),
                None => {
                    each && (!next.values().is_empty()
                        || next.metrics().iter().any(|m| self.f.metrics.contains(m)))
                }
            };
            said && !next.is_plural() && !next.is_dim() && !sums.is_empty()
        };
        let Some(word) = self.by_at.iter().find(|k| of_its_rows(k)).map(|k| self.items[*k].text.clone())
        else {
            return;
        };
        if let Some(c) = count {
            self.f.metrics.retain(|m| m != &c.name);
        }
        self.f.sort_metric = None;
        let said = self.average.take().map_or(word, |(_, text)| text);
        self.average = Some((true, said));
    }

    /// The metrics of a list of measures ("contacts, customers and conversion rate"): a run of metric words
    /// whose last is joined by a conjunction. Each is its own measure, a generic one too.
    fn listed_metrics(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut run: Vec<String> = Vec::new();
        for item in self.items {
            let metrics = item.metrics();
            // "Cuántos contactos, cuántos clientes y la tasa de conversión": each "how many" is one more.
            if metrics.is_empty() && !item.has(|s| *s == Sense::Counting) {
                run.clear();
                continue;
            }
            if metrics.is_empty() {
                continue;
            }
            if item.listed && !run.is_empty() {
                out.append(&mut run);
                out.extend(metrics.iter().cloned());
            }
            run.extend(metrics);
        }
        out
    }

    /// "Top 3 countries by revenue and how many customers": things counted ("how many" right before them)
    /// after another measure was said are a measure of their own, never a value narrowing the one before.
    fn counted_after_measures(&self, strong: &[String]) -> Vec<String> {
        let items = self.items;
        let first_strong = items.iter().position(|it| it.metrics().iter().any(|m| strong.contains(m)));
        let counted =
            |k: &usize| *k > 0 && items[*k - 1].has(|s| *s == Sense::Counting) && items[*k].is_dim();
        let Some(at) = first_strong.filter(|at| (at + 1..items.len()).any(|k| counted(&k))) else {
            return Vec::new();
        };
        // All of them in the order said: the measure said first stays first.
        let said =
            |k: &usize| (*k > at && counted(k)) || items[*k].metrics().iter().any(|m| strong.contains(m));
        (0..items.len()).filter(said).flat_map(|k| items[k].metrics()).collect()
    }

    /// Whether the item at `k` only names the rows the value right after it qualifies ("campañas" in
    /// "campañas pausadas"): a plain count of a table with a column of that value.
    fn noun_of_value(&self, k: usize) -> bool {
        let (Some(noun), Some(value)) = (self.items.get(k), self.items.get(k + 1)) else { return false };
        let families: Vec<String> = value.values().into_iter().map(|(f, _)| f).collect();
        let model = self.model;
        let rows_of = |table: &str| {
            model.dimensions().iter().any(|d| d.table == table && families.iter().any(|f| f == d.family()))
        };
        !self.used[k]
            && value.joined
            && noun.values().is_empty()
            && noun
                .metrics()
                .iter()
                .filter_map(|m| model.metric(m))
                .any(|d| d.filter.is_empty() && rows_of(&d.table))
    }

    /// "todos los canales menos sms": "menos" right before a value that is nothing else is "except", not
    /// "least" ("el canal con menos mensajes" ranks).
    fn except_before_value(&self, k: usize) -> bool {
        let Some(next) = self.items.get(k + 1) else { return false };
        self.model.lexicon().except_before_value.contains(&self.items[k].text)
            && !next.values().is_empty()
            && next.metrics().is_empty()
            && !next.is_dim()
            && next.grain().is_none()
    }

    /// "todos los canales menos sms", "all countries except Mexico": a dimension said alone right before an
    /// exclusion of its own values is what the exclusion leaves out of, not a breakdown.
    fn exclusion_scope(&mut self, not_at: usize) {
        let Some(before) = not_at.checked_sub(1) else { return };
        let (scope, next) = (&self.items[before], &self.items[not_at + 1]);
        let families: Vec<String> = next.values().into_iter().map(|(f, _)| f).collect();
        let own = scope
            .dims()
            .iter()
            .filter_map(|d| self.model.dimension(d))
            .any(|d| families.iter().any(|f| f == d.family()));
        if !self.used[before] && scope.metrics().is_empty() && scope.values().is_empty() && own {
            self.used[before] = true;
        }
    }

    /// "Mensajes enviados excluyendo los fallidos", "messages sent that did not fail": a not-word right before
    /// a measure (not the rows' own noun before a value) leaves that measure's rows out of the others.
    fn excluded_measure(&mut self, k: usize) -> bool {
        let (item, Some(next)) = (&self.items[k], self.items.get(k + 1)) else { return false };
        let measures = next.metrics();
        if self.used[k] || self.used[k + 1] || !item.has(|s| *s == Sense::Not) || self.noun_of_value(k + 1) {
            return false;
        }
        let Some(m) = measures.first() else { return false };
        self.used[k] = true;
        self.used[k + 1] = true;
        let denied = self.model.lexicon().denials.contains(&item.text);
        self.f.excluded.push((m.clone(), format!("{} {}", item.text, next.text), denied));
        true
    }

    /// Pass 2: values, with their negation and the words that qualify them.
    fn values(&mut self) {
        let items = self.items;
        let mut negating = false;
        let mut both_sides = false;
        let mut noun_at = None;
        for k in 0..items.len() {
            let item = &items[k];
            let next_is_value = items.get(k + 1).is_some_and(|x| !x.values().is_empty());
            if !self.used[k]
                && (item.has(|s| *s == Sense::Not) || self.except_before_value(k))
                && next_is_value
            {
                self.used[k] = true;
                negating = true;
                self.exclusion_scope(k);
                continue;
            }
            if self.excluded_measure(k) || (!self.used[k] && self.other_side(k)) {
                continue;
            }
            if item.has(|s| *s == Sense::BothSides) {
                self.used[k] = true;
                both_sides = next_is_value;
                if !next_is_value {
                    self.unknown.push(item.text.clone());
                }
                continue;
            }
            // "no incluyas las campañas pausadas": the rows' own noun between the word and its value.
            if !self.used[k] && item.has(|s| *s == Sense::Not) && self.noun_of_value(k + 1) {
                self.used[k] = true;
                self.used[k + 1] = true;
                negating = true;
                noun_at = Some(k + 1);
                continue;
            }
            let values = match item.values() {
                v if v.is_empty() => self.listed_value(k).into_iter().collect(),
                v => v,
            };
            if values.is_empty() || self.used[k] {
                negating &= noun_at == Some(k);
                continue;
            }
            self.used[k] = true;
            self.columns.extend(item.column_tables().into_iter().map(|t| (t, Some(k), item.text.clone())));
            let (only_dims, of_campaign) = self.qualifier(k, &values);
            for (family, value) in self.with_continuations(k, values) {
                let value = ValueRef {
                    family,
                    value,
                    negated: negating,
                    only_dims: only_dims.clone(),
                    of_campaign,
                    pos: k,
                    joined: item.joined,
                };
                if std::mem::take(&mut both_sides) {
                    self.f.values.push(ValueRef { negated: true, ..value.clone() });
                }
                self.f.values.push(value);
            }
            // A negation covers a list of values of its column ("excluding email and SMS", "ni de Colombia ni
            // de México"), not another value after it ("los contactos sin opt-in son de Colombia").
            let families: Vec<String> = item.values().into_iter().map(|(f, _)| f).collect();
            let listed = |x: &Item| x.values().iter().any(|(f, _)| families.contains(f));
            if !items.get(k + 1).is_some_and(|x| !x.values().is_empty() && listed(x)) {
                negating = false;
            }
        }
        self.share_qualifiers();
    }

    /// "Opted in vs not", "con opt-in o no": a negation with no value after it, said against the value
    /// before it, is that value's other side.
    fn other_side(&mut self, k: usize) -> bool {
        let items = self.items;
        if !items[k].has(|s| *s == Sense::Not) || items.get(k + 1).is_some_and(|x| !x.values().is_empty()) {
            return false;
        }
        let compared = k > 0 && items[k - 1].has(|s| *s == Sense::Compare);
        let at = match (items[k].alternative, compared) {
            (true, _) => k - 1,
            (false, true) if k > 1 => k - 2,
            _ => return false,
        };
        let Some(side) = self.f.values.iter().find(|v| v.pos == at && !v.negated).cloned() else {
            return false;
        };
        self.used[k] = true;
        self.f.values.push(ValueRef { negated: true, pos: k, ..side });
        true
    }

    /// "Email vs SMS campaigns", "las campañas de email y sms": values of one family said together (listed,
    /// or with only "vs" or their own noun between them) share the word that qualifies one of them;
    /// otherwise the campaigns' SMS and the messages' email would both have to hold.
    fn share_qualifiers(&mut self) {
        let items = self.items;
        let together = |a: &ValueRef, b: &ValueRef| {
            let (lo, hi) = (a.pos.min(b.pos), a.pos.max(b.pos));
            let between = &items[lo + 1..hi];
            a.family == b.family
                && a.negated == b.negated
                && hi - lo <= 3
                && (between.is_empty()
                    || between.iter().all(|it| it.is_dim() || it.has(|s| *s == Sense::Compare)))
                && (!between.is_empty() || items[hi].listed || items[hi].alternative)
        };
        let qualified = |v: &ValueRef| v.of_campaign || !v.only_dims.is_empty();
        let values = &mut self.f.values;
        for i in 0..values.len() {
            if qualified(&values[i]) {
                continue;
            }
            let Some(j) =
                (0..values.len()).find(|j| qualified(&values[*j]) && together(&values[i], &values[*j]))
            else {
                continue;
            };
            values[i].of_campaign = values[j].of_campaign;
            values[i].only_dims = values[j].only_dims.clone();
        }
    }

    /// "Las campañas de Navidad 2025", "the Navidad 2025 campaigns": the one name a tenant's data gives, said
    /// beside the plural of its own noun, is that name and the names that continue it ("Navidad 2025 -
    /// Recordatorio"). The singular ("la campaña Navidad 2025"), the name alone, or several names listed
    /// (whose plural is theirs) mean exactly what is named.
    fn with_continuations(&self, k: usize, values: Vec<(String, String)>) -> Vec<(String, String)> {
        let (model, items) = (self.model, self.items);
        let named =
            |it: &Item| it.values().into_iter().filter(|(f, _)| values.iter().any(|(g, _)| f == g)).count();
        let own_plural = |(family, _): &(String, String)| {
            [k.wrapping_sub(1), k + 1].into_iter().filter_map(|j| items.get(j)).any(|it| {
                it.is_plural()
                    && (it.dims().iter().filter_map(|d| model.dimension(d)))
                        .any(|d| d.data_values && d.family() == family)
            })
        };
        if values.len() != 1 || items.iter().map(named).sum::<usize>() != 1 || !own_plural(&values[0]) {
            return values;
        }
        let (family, name) = &values[0];
        let stem = format!("{name} ");
        let more = (model.value_synonyms().get(family).into_iter().flatten())
            .filter(|v| v.value.starts_with(&stem))
            .map(|v| (family.clone(), v.value.clone()));
        values.iter().cloned().chain(more).collect()
    }

    /// "Segmento regular o new": a word listed right after a value that is another value of its family by its
    /// canonical name ("new" is otherwise a word for new contacts), never dropped.
    fn listed_value(&self, k: usize) -> Option<(String, String)> {
        let item = &self.items[k];
        let before = self.items.get(k.checked_sub(1)?)?;
        let word = item.text.replace(' ', "_");
        let family =
            (before.values().into_iter().map(|(f, _)| f)).find(|f| self.model.has_value(f, &word))?;
        (item.listed || item.alternative).then_some((family, word))
    }

    /// The dimension word beside the values at `k` that qualifies them: the dimensions of their family it
    /// names ("source channel WhatsApp"), or whether it is a campaign ("WhatsApp campaigns").
    fn qualifier(&mut self, k: usize, values: &[(String, String)]) -> (Vec<String>, bool) {
        let (model, items) = (self.model, self.items);
        let family_of = |v: &(String, String)| v.0.clone();
        if let Some((verb, theirs)) = self.of_people_clause(k, values) {
            // The verb is theirs too ("llegaron"), not a measure's refining word; it still ends the clause of
            // the thing before it (the whole of a fraction).
            self.used[verb] = true;
            self.people_verbs.push(verb);
            let refined =
                items[verb].senses_of(|s| if let Sense::Refine(m) = s { Some(m.clone()) } else { None });
            self.f.clauses.extend(refined.into_iter().map(|m| (verb, m)));
            return (theirs, false);
        }
        for nb in [k + 1, k.wrapping_sub(1)] {
            let Some(other) = items.get(nb) else { continue };
            // A campaign word already read as a breakdown ("cada una de las campañas de WhatsApp") or as who
            // did it ("enviados por las campañas de WhatsApp") still says whose channel it is.
            let read = self.broken_down.contains(&nb) || self.agents.iter().any(|(a, _)| *a == nb);
            let campaign = read && other.dims().iter().any(|d| d == "campaign");
            if (self.used[nb] && !campaign) || !other.is_dim() || self.listed_after_by(nb) {
                continue;
            }
            let same_family: Vec<String> = other
                .dims()
                .into_iter()
                .filter(|d| {
                    model.dimension(d).is_some_and(|dd| values.iter().any(|v| family_of(v) == dd.family()))
                })
                .collect();
            if !same_family.is_empty() {
                self.used[nb] = true;
                return (same_family, false);
            }
            if other.dims().iter().any(|d| d == "campaign") {
                // Still a candidate metric ("how many WhatsApp campaigns"), never a breakdown.
                self.weak.extend(other.metrics());
                self.used[nb] = true;
                return (Vec::new(), true);
            }
        }
        (Vec::new(), false)
    }

    /// "Por país y etapa, solo leads": a dimension listed after "by" and other dimensions is a breakdown of its
    /// own, not the noun of the values after it.
    fn listed_after_by(&self, at: usize) -> bool {
        let items = self.items;
        let mut j = at;
        while j > 0 && items[j].listed && items[j - 1].is_dim() {
            j -= 1;
        }
        j != at && j > 0 && items[j - 1].has(|s| *s == Sense::By)
    }

    /// "Los contactos que llegaron por Instagram": after people and a refining verb of their own ("que"/"who"
    /// and "por" between them), the value is theirs (where they came from), not the channel of what is
    /// measured: where the verb is, and their dimensions of its family.
    fn of_people_clause(&self, k: usize, values: &[(String, String)]) -> Option<(usize, Vec<String>)> {
        let (model, items) = (self.model, self.items);
        let by = k.checked_sub(1).is_some_and(|b| items[b].has(|s| *s == Sense::By));
        let at = k.checked_sub(1 + usize::from(by))?;
        if !items[at].has(|s| matches!(s, Sense::Refine(_))) {
            return None;
        }
        let pronoun = |it: &Item| it.has(|s| matches!(s, Sense::Which | Sense::WhichAtStart));
        let noun = items[..at].iter().rev().find(|it| !pronoun(it))?;
        let people = noun.dims().iter().filter_map(|d| model.dimension(d)).find(|d| d.people)?;
        let theirs: Vec<String> = (model.dimensions().iter())
            .filter(|d| d.table == people.table && values.iter().any(|(family, _)| family == d.family()))
            .map(|d| d.name.clone())
            .collect();
        (!theirs.is_empty()).then_some((at, theirs))
    }

    /// Pass 3: everything else.
    fn rest(&mut self) {
        for (k, item) in self.items.iter().enumerate() {
            if self.used[k] {
                continue;
            }
            match &item.kind {
                ItemKind::Time(r) => {
                    self.dated_thing(k);
                    self.time(*r, &item.text)
                }
                ItemKind::Unknown if self.previous_one(&item.text) => {}
                ItemKind::Number(_) | ItemKind::Unknown => self.unknown.push(item.text.clone()),
                ItemKind::Senses(senses) => self.phrase(k, item, senses),
            }
        }
    }

    /// "Messages sent by the campaigns that started in 2025", "contacts created in 2025", "los contactos que
    /// se crearon en los últimos 30 días": a period right after a word saying when something began is that
    /// thing's, whatever is measured.
    fn dated_thing(&mut self, k: usize) {
        let (model, items) = (self.model, self.items);
        let origin = |it: &Item| it.text.split(' ').any(|w| model.lexicon().origins.contains(w));
        let Some(before) = k.checked_sub(1).map(|b| &items[b]) else { return };
        let refined =
            |it: &Item| it.senses_of(|s| if let Sense::Refine(m) = s { Some(m.clone()) } else { None });
        let table_of = |it: &Item| {
            let metric = it.metrics().into_iter().chain(refined(it)).next();
            match metric {
                Some(m) => model.metric(&m).map(|d| d.table.clone()),
                None => it.dims().first().and_then(|d| model.dimension(d)).map(|d| d.table.clone()),
            }
        };
        // After the words ("campaigns that started in 2025"), or within the thing's own phrase ("contacts
        // created", "se crearon"; not a value's, such as "iniciaron un chat").
        let thing = match items[k].dated {
            true => (0..k).rev().find(|j| table_of(&items[*j]).is_some()),
            false => Some(k - 1).filter(|_| origin(before)),
        };
        let Some((at, table)) = thing.and_then(|j| Some((j, table_of(&items[j])?))) else { return };
        let ItemKind::Time(range) = items[k].kind else { return };
        let named = items[at].text.split(' ').any(|w| model.lexicon().origins.contains(w));
        let said = items.iter().filter(|it| matches!(it.kind, ItemKind::Time(r) if r == range)).count();
        let dated =
            items.iter().filter(|it| it.dated && matches!(it.kind, ItemKind::Time(r) if r == range)).count();
        let alone = said == dated.max(1);
        self.f.dated.push(Dated {
            table,
            text: items[k].text.clone(),
            range,
            thing: named.then_some(at),
            alone,
        });
    }

    /// "el trimestre pasado vs el anterior", "this month vs the previous one": in a comparison with one
    /// period said, the period before it.
    fn previous_one(&mut self, word: &str) -> bool {
        let before = match self.f.times.as_slice() {
            [one] if self.f.compare && self.model.lexicon().previous_one.contains(word) => {
                time::period_before(*one)
            }
            _ => None,
        };
        self.f.times.extend(before);
        before.is_some()
    }

    fn time(&mut self, r: TimeRange, text: &str) {
        // "this month vs the same month last year": the first period a year earlier, never the whole of
        // last year; a period with no such counterpart ("the last 30 days") is not understood.
        if self.f.compare
            && !self.same_days.is_empty()
            && self.f.times.len() == 1
            && r == (TimeRange::Last { unit: Grain::Year })
        {
            match time::year_before(self.f.times[0]) {
                Some(earlier) => self.f.times.push(earlier),
                None => self.unknown.push(text.to_string()),
            }
            return;
        }
        self.same_year(r, text);
        if self.year_of_named(r) {
            return;
        }
        if self.f.compare
            && self.f.times.is_empty()
            && let Some((a, b)) = time::months_compared(r, text)
        {
            self.f.times.extend([a, b]);
            return;
        }
        // "ventas del día de hoy": the same period said twice is one period, except "the month before" after
        // "last month" and a comparison word: that is the one before it.
        if self.f.times.contains(&r) {
            if time::said_before(text) && self.f.compare && self.f.times.len() == 1 {
                self.f.times.extend(time::one_before(r));
            }
            return;
        }
        self.f.times.push(r);
        if self.f.times.len() == 1 {
            self.first_time_text = Some(text.to_string());
        }
        if self.f.compare && self.f.times.len() == 1 && !self.measures_compared {
            self.f.compare_before_time = true;
        }
    }

    /// "Q3 vs Q2 revenue this year", "marzo vs abril, el año pasado": a whole year said after periods named
    /// within a year (two compared, or one) is theirs, not another period: they move into it.
    fn year_of_named(&mut self, r: TimeRange) -> bool {
        let year = match r {
            TimeRange::This { unit: Grain::Year } => self.today.year(),
            TimeRange::Last { unit: Grain::Year } => self.today.year() - 1,
            TimeRange::Between { start, end }
                if start.ordinal() == 1 && end.ordinal() == 1 && end.year() == start.year() + 1 =>
            {
                start.year()
            }
            _ => return false,
        };
        // Periods shorter than a year, inside one ("Q3", "marzo"); not a whole year ("created in 2025").
        let within = |t: &TimeRange| match t {
            TimeRange::Between { start, end } => {
                let year_on = crate::time::add_months(*start, 12).unwrap_or(NaiveDate::MAX);
                end.pred_opt().is_some_and(|last| last.year() == start.year()) && *end < year_on
            }
            _ => false,
        };
        let times = &self.f.times;
        let one_compared = times.len() == 1 && self.f.compare;
        if times.is_empty() || !times.iter().all(within) || one_compared || !self.f.dated.is_empty() {
            return false;
        }
        let moved: Option<Vec<TimeRange>> = (times.iter())
            .map(|t| match *t {
                TimeRange::Between { start, end } => {
                    let back = start.year() - year;
                    let shift = |d: NaiveDate| d.with_year(d.year() - back);
                    Some(TimeRange::Between { start: shift(start)?, end: shift(end)? })
                }
                _ => None,
            })
            .collect();
        match moved {
            Some(m) => {
                self.f.times = m;
                true
            }
            None => false,
        }
    }

    /// "Q1 vs Q2 2025", "first half vs second half of 2025", "q3 vs q2 of last year": a year said once,
    /// after the second period, is the first one's too.
    fn same_year(&mut self, second: TimeRange, text: &str) {
        let said_year = |t: &str| {
            t.split_whitespace().any(|w| {
                (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
                    || matches!(w, "year" | "ano" | "anio")
            })
        };
        let (Some((TimeRange::Between { start, end }, first_text)), TimeRange::Between { start: s2, .. }) =
            (self.f.times.first().copied().zip(self.first_time_text.clone()), second)
        else {
            return;
        };
        if self.f.times.len() != 1 || said_year(&first_text) || !said_year(text) || s2.year() == start.year()
        {
            return;
        }
        let shift = |d: NaiveDate| d.with_year(d.year() + s2.year() - start.year());
        if let (Some(start), Some(end)) = (shift(start), shift(end)) {
            self.f.times[0] = TimeRange::Between { start, end };
        }
    }

    /// A known phrase no marker or value took, at `k`: a metric, a dimension, a grain or grammar words.
    fn phrase(&mut self, k: usize, item: &'a Item, senses: &[Sense]) {
        let metrics = item.metrics();
        self.f.named.extend(metrics.iter().map(|m| (k, m.clone())));
        if self.two_sided(k) && !self.ours(k) {
            self.f.two_sided.push(k);
        }
        if !metrics.is_empty() {
            if item.is_dim() {
                self.weak.extend(metrics);
                self.dual.push((k, item));
            } else {
                self.strong.extend(metrics)
            }
            return;
        }
        if item.is_dim() {
            self.f.breakdowns.push(DimRef { candidates: item.dims(), alone: true });
            self.bare_singular |= !item.is_plural();
            return;
        }
        // "monthly" stands alone; a bare "month" without by/per/which is not a grain.
        if item.has(|s| matches!(s, Sense::GrainAdj(_))) {
            self.f.grain = item.grain();
            return;
        }
        // "By channel and month": a grain listed right after a breakdown said with "by" is a series too.
        let after_by =
            k >= 2 && item.listed && self.broken_down.contains(&(k - 1)) && self.by_at.contains(&(k - 2));
        if let Some(g) = item.grain().filter(|_| after_by && self.f.grain.is_none()) {
            self.f.grain = Some(g);
            return;
        }
        if item.grain().is_some() {
            self.unknown.push(item.text.clone());
            return;
        }
        if senses.contains(&Sense::Counting) {
            self.f.counting_at.get_or_insert(k);
        }
        if senses.contains(&Sense::Fraction) {
            self.f.fraction_at.get_or_insert(k);
        }
        if senses.iter().any(|s| matches!(s, Sense::Days(_))) {
            self.f.days_at.get_or_insert(k);
        }
        if senses.contains(&Sense::Compare) {
            // "Revenue vs refunds last month", "entregados vs fallidos": measures side by side, in one period.
            let measure = |j: usize| self.items.get(j).is_some_and(|it| !it.metrics().is_empty());
            self.measures_compared |= k > 0 && measure(k - 1) && measure(k + 1);
        }
        let refined = senses.iter().find_map(|s| if let Sense::Refine(m) = s { Some(m) } else { None });
        // "How many messages did we send, how many were read": a refining word right after a second "how
        // many" is a measure of its own, not a narrowing of the first.
        let second_count = k > 0
            && self.items[k - 1].has(|s| *s == Sense::Counting)
            && self.f.counting_at.is_some_and(|c| c + 1 < k);
        if let Some(m) = refined.filter(|_| second_count) {
            self.strong.push(m.clone());
            return;
        }
        self.f.clauses.extend(refined.map(|m| (k, m.clone())));
        for s in senses {
            self.grammar_word(item, s);
        }
    }

    /// One sense of a grammar word: superlatives, comparison, share, fraction, list, counting, trend, also,
    /// refining and average words.
    fn grammar_word(&mut self, item: &Item, s: &Sense) {
        let f = &mut self.f;
        match s {
            Sense::Most | Sense::Top => {
                self.superlative = true;
                f.descending.get_or_insert(true);
            }
            Sense::Least | Sense::Bottom => {
                self.superlative = true;
                f.descending = Some(false);
            }
            Sense::Order { descending } => {
                f.descending = Some(*descending);
                f.ordered = true;
            }
            Sense::Compare => f.compare = true,
            Sense::Share => f.share = true,
            Sense::Fraction => f.fraction = true,
            Sense::List => f.list = true,
            Sense::Counting => f.counting = true,
            Sense::Distinct => f.distinct.push(item.text.clone()),
            Sense::Newest(descending) => f.newest = Some(*descending),
            Sense::Column(table) => self.columns.push((table.clone(), None, item.text.clone())),
            Sense::Trend => f.trend = true,
            Sense::Change { down } => f.change = Some(f.change.unwrap_or(false) || *down),
            Sense::Also => f.also = true,
            Sense::Together => f.together = true,
            Sense::Converted => f.converted = true,
            // The unit its words name ("meses"), a month when they name none ("excluding the current one").
            Sense::CompleteOnly => {
                let unit = item.text.split(' ').find_map(crate::time::unit);
                f.complete_only = Some(unit.unwrap_or(crate::intent::Grain::Month));
            }
            Sense::Days(d) => f.days = Some(f.days.map_or(*d, |days| days.union(*d))),
            Sense::Not | Sense::Unsupported => self.unknown.push(item.text.clone()),
            Sense::Refine(m) => self.refines.push(m.clone()),
            Sense::Unit(m) => self.units.push((m.clone(), item.text.clone())),
            Sense::SameDays => self.same_days.push(item.text.clone()),
            Sense::Average { valued } => {
                let v = self.average.as_ref().is_some_and(|a| a.0) || *valued;
                self.average = Some((v, item.text.clone()));
            }
            _ => {}
        }
    }

    /// After the passes: unexplained words fail; superlatives, refining words and averages settle the
    /// metrics.
    fn finish(mut self) -> Result<Fragments, NotUnderstood> {
        // Words of another date ("updated") are settled once the measures are known (`other_date`).
        let dates = self.date_words();
        self.unknown.retain(|u| !dates.contains(u));
        // "El segundo y el tercer mejor canal": one place of a ranking is answered, never two as one.
        let ordinal = |it: &&Item| it.has(|s| matches!(s, Sense::Ordinal(_)));
        let more: Vec<String> = self.items.iter().filter(ordinal).skip(1).map(|it| it.text.clone()).collect();
        self.unknown.extend(more);
        if !self.unknown.is_empty() {
            return Err(self.unknown_words());
        }
        self.rank_dual();
        if (self.singular_pick || self.bare_singular) && self.superlative && self.f.top_n.is_none() {
            self.f.top_n = Some(1);
        }
        let (strong, weak) = (std::mem::take(&mut self.strong), std::mem::take(&mut self.weak));
        let listed = if self.f.list && !self.f.counting {
            listed_with_columns(self.model, &strong, &weak)
        } else {
            None
        };
        self.f.metrics = match listed {
            Some(count) => vec![count],
            None => {
                let (strong, weak) = self.dated_things_not_measured(strong, weak);
                let mut kept = self.listed_metrics();
                kept.extend(counted_beside_sums(self.model, self.items, &strong));
                kept.extend(self.counted_after_measures(&strong));
                choose_metrics(self.model, strong, weak, &kept)
            }
        };
        self.two_sided_doers()?;
        self.nested_periods()?;
        self.count_of_value_beside()?;
        self.head_before_count();
        self.people_of_a_stage();
        self.campaigns_as_source();
        self.money_of_counted();
        apply_refines(self.model, &mut self.f.metrics, &self.refines, &self.f.values);
        refine_named(self.model, &mut self.f.named, &self.refines);
        self.per_row();
        if let Some((valued, text)) = self.average.take() {
            self.apply_average(valued, &text)?;
        }
        self.campaign_cost_said()?;
        self.units_instead();
        // "time to read in minutes" is the metric as it is; "messages in minutes" asks for what it cannot.
        // The same words may name the unit of several metrics ("in minutes": to read, to deliver).
        let (model, metrics) = (self.model, &self.f.metrics);
        let fits = |w: &String| {
            self.units
                .iter()
                .any(|(m, u)| u == w && (metrics.contains(m) || in_reporting_currency(model, metrics, m)))
        };
        self.unknown = self.units.iter().map(|(_, w)| w.clone()).filter(|w| !fits(w)).collect();
        if !self.f.fraction {
            self.refine_counts();
        }
        if !self.f.compare {
            self.unknown.extend(self.same_days.iter().cloned());
        }
        self.unknown.extend(self.difference());
        self.unknown.extend(self.refines_unmeasured());
        self.other_date();
        self.settle_columns();
        self.unknown.dedup();
        if !self.unknown.is_empty() {
            self.strong = self.f.metrics.clone();
            return Err(self.unknown_words());
        }
        Ok(self.f)
    }

    /// "Which campaigns ended last month", "contacts updated last week": a period beside a word of another
    /// date of the measured rows' table is read on that date; of another table, of measures of several, or
    /// with a period said of when rows began, the word is not understood. Without a period such words are
    /// what they are otherwise ("ended": completed) or not understood.
    fn other_date(&mut self) {
        let texts = self.date_words();
        if texts.is_empty() {
            return;
        }
        let model = self.model;
        let said: Vec<&Item> = self.items.iter().filter(|it| texts.contains(&it.text)).collect();
        let tables: Vec<Option<String>> =
            self.f.metrics.iter().map(|m| model.metric(m).map(|d| d.table.clone())).collect();
        let one = match tables.as_slice() {
            [first, rest @ ..] if rest.iter().all(|t| t == first) => first.clone(),
            _ => None,
        };
        let own = one.and_then(|t| model.table(&t)).map(|t| t.dates.as_slice()).unwrap_or_default();
        let date = own.iter().find(|d| said.iter().all(|it| says_date(it, d)));
        match date {
            Some(d) if self.f.dated.is_empty() => self.f.date_column = Some(d.column.clone()),
            _ => {
                let new: Vec<String> = texts.into_iter().filter(|t| !self.unknown.contains(t)).collect();
                self.unknown.extend(new);
            }
        }
    }

    /// The items said with a period that say another date of some table's rows ("ended", "updated").
    fn date_words(&self) -> Vec<String> {
        if self.f.times.is_empty() {
            return Vec::new();
        }
        let dates: Vec<&DateDef> = self.model.tables().iter().flat_map(|t| &t.dates).collect();
        let said = |it: &&Item| dates.iter().any(|d| says_date(it, d));
        self.items.iter().filter(said).map(|it| it.text.clone()).collect()
    }

    /// List-column words: in a list of their table's rows they name columns it shows (a value they also
    /// are is dropped: "contactos con correo" are not email); elsewhere a value stays one, and a column word
    /// alone is not understood.
    fn settle_columns(&mut self) {
        let f = &self.f;
        let listed = match f.metrics.as_slice() {
            [m] if f.list && !f.counting => self.model.metric(m).filter(|d| d.kind == MetricKind::Count),
            _ => None,
        };
        // Its own columns named alone ("con su canal y estado") are shown, not grouped by.
        if let Some(d) = listed
            && let Some(t) = self.model.table(&d.table)
        {
            let model = self.model;
            let shown = |c: &String| {
                model.dimension(c).is_some_and(|x| x.table == t.name && t.list_columns.contains(&x.column))
            };
            self.f.breakdowns.retain(|b| !(b.alone && b.candidates.iter().any(shown)));
        }
        let columns = std::mem::take(&mut self.columns);
        let shown = |text: &String| {
            columns.iter().any(|(t, _, x)| x == text && listed.is_some_and(|d| d.table == *t))
        };
        for (_, value_at, text) in &columns {
            match value_at {
                Some(k) if shown(text) => self.f.values.retain(|v| v.pos != *k),
                None if !shown(text) => self.unknown.push(text.clone()),
                _ => {}
            }
        }
    }

    fn unknown_words(&self) -> NotUnderstood {
        let quoted: Vec<String> = self.unknown.iter().map(|w| format!("\"{w}\"")).collect();
        let problem = match self.lang {
            Lang::En => format!("I did not understand {}.", quoted.join(", ")),
            Lang::Es => format!("No entendí {}.", quoted.join(", ")),
        };
        let understood = describe::fragments(self.model, &self.f, &self.strong, &self.weak, self.lang);
        NotUnderstood::new(self.model, self.lang, problem, understood)
    }

    /// "Cuánto nos costó la campaña Black Friday": what a campaign cost is its budget or the cost of its
    /// messages, two measures of the contract; with no message word beside the cost it is refused, asking
    /// which, never answered as one of them.
    fn campaign_cost_said(&self) -> Result<(), NotUnderstood> {
        let (model, items) = (self.model, self.items);
        let said = |w: &[String]| items.iter().any(|it| it.text.split(' ').any(|x| w.iter().any(|u| u == x)));
        let Some((other, own)) = (self.f.metrics.iter().filter_map(|m| model.metric(m)))
            .filter_map(|d| Some((model.metric(&d.also_means.as_ref()?.metric)?, d)))
            .find(|(_, d)| d.also_means.as_ref().is_some_and(|a| !said(&a.unless)))
        else {
            return Ok(());
        };
        // Said of the other metric's rows: a dimension or a value of its table only ("la campaña Black
        // Friday"; not "SMS", which messages have too).
        let on = |family: &str, table: &str| {
            model.dimensions().iter().any(|d| d.family() == family && d.table == table)
        };
        let of_rows = |it: &Item| {
            let tables: Vec<&str> =
                it.dims().iter().filter_map(|d| model.dimension(d)).map(|d| d.table.as_str()).collect();
            (tables.contains(&other.table.as_str()) && !tables.contains(&own.table.as_str()))
                || it.values().iter().any(|(f, _)| on(f, &other.table) && !on(f, &own.table))
        };
        if !items.iter().any(of_rows) {
            return Ok(());
        }
        let lang = self.lang;
        let problem = lang.pick(
            "Say which cost: the campaign's budget (\"budget of the campaign\") or what its messages cost (\"cost of the campaign's messages\").",
            "Di qué costo: el presupuesto de la campaña (\"presupuesto de la campaña\") o lo que costaron sus mensajes (\"costo de los mensajes de la campaña\").",
        );
        let understood = describe::fragments(model, &self.f, &self.f.metrics, &[], lang);
        Err(NotUnderstood::new(model, lang, problem.to_string(), understood))
    }

    /// Whether the company is named beside the verb at `k` ("we sent", "send us", "nos mandaron"): that
    /// says its side already.
    fn ours(&self, k: usize) -> bool {
        let items = self.items;
        items[k].ours
            || items.get(k + 1).is_some_and(|it| it.ours)
            || items[k].text.split(' ').any(|w| self.model.lexicon().first_person.contains(w))
    }

    /// Whether the item at `k` says a verb whose side depends on who speaks ("received", "enviaron").
    fn two_sided(&self, k: usize) -> bool {
        self.items[k].text.split(' ').any(|w| self.model.lexicon().two_sided.contains(w))
    }

    /// "Revenue this month as of today", "last 7 days through yesterday": a second period inside the first
    /// (or around it), said with no "vs" and no "and" between them, is no comparison; it is refused rather
    /// than compared. The same days said twice are one period.
    fn nested_periods(&mut self) -> Result<(), NotUnderstood> {
        let [a, b] = self.f.times[..] else { return Ok(()) };
        if !time::nested(a, b, self.today) || self.f.compare {
            return Ok(());
        }
        if time::days(a, self.today) == time::days(b, self.today) {
            self.f.times.truncate(1);
            return Ok(());
        }
        let second = self.items.iter().filter(|it| matches!(it.kind, ItemKind::Time(_))).nth(1);
        if second.is_none_or(|it| it.listed || it.alternative) {
            return Ok(());
        }
        let lang = self.lang;
        let (a, b) = (describe::time_label(&a, lang), describe::time_label(&b, lang));
        let problem = match lang {
            Lang::En => format!(
                "I read two periods, one within the other (\"{a}\" and \"{b}\"): say which one, or compare them with \"vs\"."
            ),
            Lang::Es => format!(
                "Leí dos períodos, uno dentro del otro (\"{a}\" y \"{b}\"): di cuál, o compáralos con \"vs\"."
            ),
        };
        let understood = describe::fragments(self.model, &self.f, &self.f.metrics, &[], lang);
        Err(NotUnderstood::new(self.model, lang, problem, understood))
    }

    /// "Contacts by country and segment, along with how many of them are customers": a head noun said before
    /// "how many" and a specific measure of its table after it are two measures; the head noun had yielded.
    fn head_before_count(&mut self) {
        let Some(c) = self.f.counting_at else { return };
        let model = self.model;
        let table_of = |m: &String| model.metric(m).map(|d| d.table.clone());
        let metrics = &self.f.metrics;
        let heads: Vec<String> = (self.f.named.iter())
            .filter(|(k, m)| *k < c && !metrics.contains(m) && model.metric(m).is_some_and(|d| d.generic))
            .filter(|(_, h)| {
                self.f.named.iter().any(|(k, m)| *k > c && metrics.contains(m) && table_of(m) == table_of(h))
            })
            .map(|(_, m)| m.clone())
            .collect();
        for h in heads.into_iter().rev() {
            if !self.f.metrics.contains(&h) {
                self.f.metrics.insert(0, h);
            }
        }
    }

    /// "Presupuesto y número de campañas por canal, y además cuántas están activas": "and how many are
    /// <value>" after other measures counts some of the rows beside them. One filter would narrow every
    /// measure, so it is refused, never applied to all.
    fn count_of_value_beside(&self) -> Result<(), NotUnderstood> {
        let items = self.items;
        let also = |k: usize| k > 0 && items[k - 1].has(|s| *s == Sense::Also);
        let counting = |k: &usize| (items[*k].listed || also(*k)) && items[*k].has(|s| *s == Sense::Counting);
        let Some(c) = (0..items.len()).find(counting) else { return Ok(()) };
        let before = self.f.named.iter().any(|(k, _)| *k < c);
        let measured_after = self.f.named.iter().any(|(k, _)| *k > c);
        // "How many customers and how many leads": values of a column a measure before already narrows are
        // counts side by side, one per value (answered as such elsewhere).
        let model = self.model;
        let narrowed: Vec<String> = (self.f.named.iter().filter(|(k, _)| *k < c))
            .filter_map(|(_, m)| model.metric(m))
            .flat_map(|d| d.filter.iter().filter_map(|f| model.filter_value(&d.table, f)))
            .filter_map(|(dim, _)| model.dimension(&dim).map(|d| d.family().to_string()))
            .collect();
        let valued_after =
            (items[c + 1..].iter()).flat_map(|it| it.values()).any(|(family, _)| !narrowed.contains(&family));
        if !before || measured_after || !valued_after {
            return Ok(());
        }
        let lang = self.lang;
        let problem = lang.pick(
            "I cannot count some of the rows beside other measures in one answer; ask for that count on its own.",
            "No puedo contar solo algunas filas junto a otras medidas en una respuesta; pide ese conteo por separado.",
        );
        let understood = describe::fragments(self.model, &self.f, &self.f.metrics, &[], lang);
        Err(NotUnderstood::new(self.model, lang, problem.to_string(), understood))
    }

    /// "Campañas activas con su presupuesto y cuánto llevan gastado": a refining word of an amount ("gastado":
    /// the messages' cost) from a table that no measure of the question reads narrows nothing; it is not
    /// understood, never dropped. (Arrival words of counts, "how many leads came in", say when the rows
    /// counted began.)
    fn refines_unmeasured(&self) -> Vec<String> {
        let model = self.model;
        let tables: Vec<&str> =
            self.f.metrics.iter().filter_map(|m| model.metric(m)).map(|d| d.table.as_str()).collect();
        let unmeasured = |m: &String| {
            self.refines.contains(m)
                && model
                    .metric(m)
                    .is_some_and(|d| d.kind != MetricKind::Count && !tables.contains(&d.table.as_str()))
        };
        let refined =
            |it: &Item| it.senses_of(|s| if let Sense::Refine(m) = s { Some(m.clone()) } else { None });
        (self.items.iter().enumerate())
            .filter(|(k, it)| !self.people_verbs.contains(k) && refined(it).iter().any(unmeasured))
            .map(|(_, it)| it.text.clone())
            .collect()
    }

    /// "Cuántos mensajes recibieron los contactos vip", "how many messages did vip contacts send": people
    /// doing a verb whose side depends on who speaks turn the measure around (what they received the company
    /// sent). Refused, saying which way to ask, never answered from the company's side.
    fn two_sided_doers(&mut self) -> Result<(), NotUnderstood> {
        let (model, items) = (self.model, self.items);
        let people = |k: usize| {
            items
                .get(k)
                .is_some_and(|it| it.dims().iter().filter_map(|d| model.dimension(d)).any(|d| d.people))
        };
        let ours = |v: usize| self.ours(v);
        // "How many contacts received a message" counts the people: refused where they are counted.
        let counted = |b: usize| self.f.counting_at.is_some_and(|c| c + 1 == b);
        let subjects: Vec<(usize, usize)> = (0..items.len())
            .filter(|v| self.two_sided(*v) && !ours(*v))
            .flat_map(|v| {
                let after = Some(v + 1).filter(|a| people(*a) && items[*a].bare);
                let before = v.checked_sub(1).filter(|b| people(*b) && !items[v].relative && !counted(*b));
                after.into_iter().chain(before).map(move |p| (v, p))
            })
            .collect();
        self.doers.extend(subjects);
        // Only where the verb says the measure ("mensajes recibieron") and no other such verb says its side
        // ("did each contact get from us … the contacts we sent something to").
        let sides = (0..items.len()).filter(|v| self.two_sided(*v)).count();
        let measured = |v: usize| sides == 1 && items[v].metrics().iter().any(|m| self.f.metrics.contains(m));
        let Some(&(_, at)) = self.doers.iter().find(|(v, _)| measured(*v)) else { return Ok(()) };
        let lang = self.lang;
        let who = &items[at].text;
        let problem = match lang {
            Lang::En => format!(
                "Say which way the messages went: \"messages we sent to {who}\" or \"messages {who} sent us\"."
            ),
            Lang::Es => format!(
                "Di en qué sentido fueron los mensajes: \"mensajes que enviamos a los {who}\" o \"mensajes que nos enviaron los {who}\"."
            ),
        };
        let understood = describe::fragments(model, &self.f, &self.f.metrics, &[], lang);
        Err(NotUnderstood::new(model, lang, problem, understood))
    }

    /// "la campaña con más mensajes enviados": with a superlative and another measure, a word that is both
    /// a metric and a dimension is what to rank.
    fn rank_dual(&mut self) {
        if self.superlative
            && self.f.breakdowns.is_empty()
            && self.f.grain.is_none()
            && !self.strong.is_empty()
            && let Some((_, item)) = self.dual.first()
        {
            self.f.breakdowns.push(DimRef { candidates: item.dims(), alone: false });
            self.bare_singular |= !item.is_plural();
            self.weak.clear();
        }
    }

    /// "Ingresos de contactos creados en 2025": a metric word that also says when its rows began ("contactos
    /// creados": new contacts), beside a measure of another table that joins it, is the rows that began, not
    /// a second measure.
    fn dated_things_not_measured(
        &self,
        strong: Vec<String>,
        weak: Vec<String>,
    ) -> (Vec<String>, Vec<String>) {
        let model = self.model;
        let table = |m: &String| model.metric(m).map(|d| d.table.clone());
        let things: Vec<(String, Vec<String>)> = (self.f.dated.iter())
            .filter_map(|d| Some((d.table.clone(), self.items[d.thing?].metrics())))
            .filter(|(t, _)| {
                strong.iter().any(|m| table(m).is_some_and(|o| o != *t && model.reachable(&o, t)))
            })
            .collect();
        let measured = |m: &String| !things.iter().any(|(_, ms)| ms.contains(m));
        (strong.into_iter().filter(measured).collect(), weak.into_iter().filter(measured).collect())
    }

    /// "How much revenue did our campaigns bring in", "campaign messages": campaigns said beside
    /// another table's measure, and neither measured nor broken down, are where its rows came from: those
    /// attributed to a campaign (the word had been dropped, and all of the revenue answered).
    fn campaigns_as_source(&mut self) {
        let model = self.model;
        let Some(table) = self.f.metrics.first().and_then(|m| model.metric(m)).map(|m| m.table.clone())
        else {
            return;
        };
        // Whether the rows' link to campaigns is set.
        let link = model.dimension("campaign").and_then(|c| model.join(&table, &c.table)).map(|j| &j.on);
        let Some(dim) = (model.dimensions().iter())
            .find(|d| d.table == table && d.value_type == DimType::Present && Some(&d.column) == link)
        else {
            return;
        };
        let measured = |it: &Item| it.metrics().iter().any(|m| self.f.metrics.contains(m));
        // "Campaign messages": the singular right before what is measured says the same.
        let before_measure = |k: usize| self.items.get(k + 1).is_some_and(measured);
        let campaigns = |k: usize, it: &Item| {
            (it.is_plural() || before_measure(k)) && it.dims().iter().any(|d| d == "campaign")
        };
        let said = self.dual.iter().find(|(k, it)| campaigns(*k, it) && !measured(it)).map(|(k, _)| *k);
        let broken = self.f.breakdowns.iter().any(|b| b.candidates.iter().any(|c| c == "campaign"));
        if let (Some(pos), false) = (said, broken) {
            self.f.values.push(ValueRef {
                family: dim.family().to_string(),
                value: "true".into(),
                negated: false,
                only_dims: vec![dim.name.clone()],
                of_campaign: false,
                pos,
                joined: false,
            });
        }
    }

    /// "Cuántos reembolsos hubo y por cuánto dinero": a bare money word beside one count of rows that have
    /// their own amount is that amount (the refunds' value), not all revenue.
    fn money_of_counted(&mut self) {
        let model = self.model;
        let amounts: Vec<&String> =
            self.f.metrics.iter().filter_map(|m| model.metric(m)?.amount.as_ref()).collect();
        let [amount] = amounts.as_slice() else { return };
        let amount = (*amount).clone();
        let money = &model.lexicon().money_words;
        // Said only as money words ("top 5 by revenue" names revenue where the ranking is read: not bare).
        let bare = |m: &String| {
            let mut said = self.f.named.iter().filter(|(_, n)| n == m).peekable();
            said.peek().is_some()
                && said.all(|(k, _)| {
                    self.items.get(*k).is_some_and(|it| it.text.split(' ').any(|w| money.contains(w)))
                })
        };
        let table = model.metric(&amount).map(|d| d.table.clone());
        let said: Vec<String> = (self.f.metrics.iter())
            .filter(|m| {
                model
                    .metric(m)
                    .is_some_and(|d| d.format == MeasureFormat::Currency && Some(&d.table) == table.as_ref())
            })
            .filter(|m| bare(m))
            .cloned()
            .collect();
        if let [one] = said.as_slice() {
            for m in self.f.metrics.iter_mut().filter(|m| *m == one) {
                *m = amount.clone();
            }
        }
    }

    /// "Cuántos mensajes les mandamos a los clientes de Perú": people named by a word that is also a filtered
    /// count of them ("clientes": contacts at the customer stage), beside another table's measure, are
    /// those people: the count's filter narrows the rows, never dropped as an unused metric word.
    fn people_of_a_stage(&mut self) {
        let model = self.model;
        let measured: Vec<&str> =
            self.f.metrics.iter().filter_map(|m| model.metric(m)).map(|d| d.table.as_str()).collect();
        // Plural: "the client" of "need the trend for the client" is who asks, not a stage.
        for (k, item) in self.dual.iter().chain(&self.agents).filter(|(_, it)| it.is_plural()) {
            let people = item.dims().iter().filter_map(|d| model.dimension(d)).find(|d| d.people);
            let Some(people) = people.filter(|_| item.metrics().iter().all(|m| !self.f.metrics.contains(m)))
            else {
                continue;
            };
            let elsewhere = !measured.is_empty()
                && measured.iter().all(|t| *t != people.table && model.reachable(t, &people.table));
            let stage = item.metrics().iter().filter_map(|m| model.metric(m)).find_map(|d| {
                match d.filter.as_slice() {
                    [one] if d.table == people.table => model.filter_value(&d.table, one),
                    _ => None,
                }
            });
            let (Some((dim, values)), true) = (stage, elsewhere) else { continue };
            let family = model.dimension(&dim).map_or(dim.clone(), |d| d.family().to_string());
            self.f.values.extend(values.into_iter().map(|value| ValueRef {
                family: family.clone(),
                value,
                negated: false,
                only_dims: vec![dim.clone()],
                of_campaign: false,
                pos: *k,
                joined: item.joined,
            }));
        }
    }

    /// An average word (`text`) makes the metrics their average, or is not understood.
    fn apply_average(&mut self, valued: bool, text: &str) -> Result<(), NotUnderstood> {
        let (model, lang) = (self.model, self.lang);
        let f = &mut self.f;
        // "average delivery rate per message": a rate per something else is not a question the model has.
        let per_other = f.sort_metric.as_ref().is_some_and(|m| !f.metrics.contains(m));
        // "Average revenue per customer" is revenue ÷ customers, not each customer's average order.
        let summed = f.metrics.iter().any(|m| model.metric(m).is_some_and(|d| d.kind == MetricKind::Sum));
        let per_at = f.breakdowns.iter().position(|b| b.candidates.iter().any(|c| per_thing(model, c)));
        // "Average messages sent per contact": the measure over the contacts among its rows, each once (the
        // model's `average_per`); without one it is not understood (never an average of something else).
        let counted = !f.metrics.is_empty()
            && f.metrics.iter().all(|m| model.metric(m).is_some_and(|d| d.kind == MetricKind::Count));
        if let (true, Some(at), [metric]) = (counted || summed, per_at, f.metrics.as_slice())
            && let Some(avg) = average_per_thing(model, metric, &f.breakdowns[at])
        {
            f.breakdowns.remove(at);
            f.metrics = vec![avg];
            return Ok(());
        }
        let per_thing = (summed || counted) && per_at.is_some();
        // "Average daily revenue": the mean of each day's total, not the average purchase of each day.
        if (summed || counted) && f.grain.is_some() && per_at.is_none() {
            f.per_period = true;
            return Ok(());
        }
        match average_metric(model, self.items, &f.metrics, valued).filter(|_| !per_other && !per_thing) {
            Some(avg) => {
                if f.sort_metric.as_ref().is_some_and(|m| f.metrics.contains(m)) {
                    f.sort_metric = Some(avg.clone());
                }
                f.metrics = vec![avg];
                Ok(())
            }
            None => {
                let problem = match lang {
                    Lang::En => format!("I did not understand \"{text}\" here."),
                    Lang::Es => format!("No entendí \"{text}\" aquí."),
                };
                let understood = describe::fragments(model, f, &f.metrics, &[], lang);
                Err(NotUnderstood::new(model, lang, problem, understood))
            }
        }
    }
}

/// Whether an item says one of a date's words ("campañas que terminaron": "terminaron").
fn says_date(item: &Item, date: &DateDef) -> bool {
    item.text.split(' ').any(|w| date.words.en.iter().chain(&date.words.es).any(|x| x == w))
}
