//! The items a question's words lex into (time expressions, numbers, known phrases) and what each says.

use chrono::NaiveDate;

use crate::intent::{Grain, TimeRange};
use crate::lexicon::Sense;
use crate::model::SemanticModel;
use crate::time;

#[derive(Debug, Clone)]
pub(crate) enum ItemKind {
    Time(TimeRange),
    Number(u32),
    Senses(Vec<Sense>),
    Unknown,
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub kind: ItemKind,
    /// The normalized words of the item, for messages and plural detection.
    pub text: String,
    /// Only articles and prepositions stand between it and the item before ("clientes vip", "contactos de
    /// Colombia"), no verb ("contactos que son vip").
    pub joined: bool,
    /// A conjunction ("and", "y") stands between it and the item before: one of a list of measures.
    pub listed: bool,
    /// "or", "o" stands between it and the item before: one of a list of values.
    pub alternative: bool,
    /// The word "than"/"que" stands between it and the item before.
    pub than: Option<String>,
    /// A word saying when something began ("created", "started", "arrancaron") stands between it and the
    /// item before: a time said of the thing before, not of what is measured.
    pub dated: bool,
    /// A relative pronoun ("who", "que") stands between it and the item before: "contacts who bought".
    pub relative: bool,
    /// "With", "con" stands between it and the item before: "contacts with purchases".
    pub having: bool,
    /// "With their", "con su" stands between it and the item before: the rows' own ("campaigns with their
    /// budget").
    pub possessive: bool,
    /// A word pointing back at things named before ("their", "ellos") stands between it and the item before.
    pub theirs: bool,
    /// Only articles stand between it and the item before ("recibieron los contactos").
    pub bare: bool,
    /// "We" stands between it and the item before ("the contacts we sent something to").
    pub ours: bool,
}

impl Item {
    pub(super) fn has(&self, f: impl Fn(&Sense) -> bool) -> bool {
        matches!(&self.kind, ItemKind::Senses(s) if s.iter().any(f))
    }
    pub(super) fn dims(&self) -> Vec<String> {
        match &self.kind {
            ItemKind::Senses(s) => {
                s.iter().filter_map(|x| if let Sense::Dim(d) = x { Some(d.clone()) } else { None }).collect()
            }
            _ => vec![],
        }
    }
    /// What its senses of one kind name.
    pub(super) fn senses_of<T>(&self, pick: impl Fn(&Sense) -> Option<T>) -> Vec<T> {
        match &self.kind {
            ItemKind::Senses(s) => s.iter().filter_map(pick).collect(),
            _ => vec![],
        }
    }
    /// The tables whose list columns it names.
    pub(super) fn column_tables(&self) -> Vec<String> {
        self.senses_of(|x| if let Sense::Column(t) = x { Some(t.clone()) } else { None })
    }
    pub(super) fn metrics(&self) -> Vec<String> {
        self.senses_of(|x| if let Sense::Metric(m) = x { Some(m.clone()) } else { None })
    }
    pub(super) fn values(&self) -> Vec<(String, String)> {
        self.senses_of(|x| match x {
            Sense::Value { family, value } => Some((family.clone(), value.clone())),
            _ => None,
        })
    }
    pub(super) fn grain(&self) -> Option<Grain> {
        match &self.kind {
            ItemKind::Senses(s) => s.iter().find_map(|x| match x {
                Sense::GrainAdj(g) | Sense::GrainNoun(g) => Some(*g),
                _ => None,
            }),
            _ => None,
        }
    }
    pub(super) fn is_dim(&self) -> bool {
        self.has(|s| matches!(s, Sense::Dim(_)))
    }
    pub(super) fn is_plural(&self) -> bool {
        let last = self.text.rsplit(' ').next().unwrap_or("");
        last.ends_with('s') && !matches!(last, "status" | "pais" | "mes" | "estatus" | "sms" | "vs" | "ads")
    }
}

/// Whether a value's name (a campaign) starts within `tokens[i..i + n]` and runs past it.
fn in_name(model: &SemanticModel, tokens: &[String], i: usize, n: usize) -> bool {
    (i..i + n).any(|j| {
        model
            .lexicon()
            .longest(tokens, j)
            .filter(|m| m.senses.iter().any(|s| matches!(s, Sense::Value { .. })))
            .is_some_and(|m| j + m.len > i + n)
    })
}

/// Splits normalized words into items: time expressions first (they contain numbers and unit words),
/// then numbers, then the longest known phrase. Pure filler words produce no item.
pub(crate) fn lex(model: &SemanticModel, tokens: &[String], today: NaiveDate) -> Vec<Item> {
    let mut items = Vec::new();
    let mut i = 0;
    let mut last_end = 0;
    while i < tokens.len() {
        let gap = &tokens[last_end.min(i)..i];
        let joined = gap.iter().all(|w| model.lexicon().joining.contains(w));
        let listed = gap.iter().any(|w| model.lexicon().conjunctions.contains(w));
        let alternative = gap.iter().any(|w| model.lexicon().alternatives.contains(w));
        let than = gap.iter().find(|w| model.lexicon().than.contains(*w)).cloned();
        let dated = gap.iter().any(|w| model.lexicon().origins.contains(w));
        let relative = gap.iter().any(|w| model.lexicon().relatives.contains(w));
        let having = gap.iter().any(|w| model.lexicon().having.contains(w));
        let possessive = having && gap.iter().any(|w| model.lexicon().possessives.contains(w));
        let theirs = gap.iter().any(|w| model.lexicon().back_references.contains(w));
        let bare = !gap.is_empty() && gap.iter().all(|w| model.lexicon().articles.contains(w));
        let ours = gap.iter().any(|w| model.lexicon().first_person.contains(w));
        // What the words before it say about the item, whatever it is.
        let item = |kind: ItemKind, text: String| Item {
            kind,
            text,
            joined,
            listed,
            alternative,
            than: than.clone(),
            dated,
            relative,
            having,
            possessive,
            theirs,
            bare,
            ours,
        };
        // Time words that begin a longer name ("de día de la madre 2026") are the name's.
        if let Some((n, range)) =
            time::match_time(tokens, i, today).filter(|(n, _)| !in_name(model, tokens, i, *n))
        {
            let n = n.max(1);
            items.push(item(ItemKind::Time(range), tokens[i..(i + n).min(tokens.len())].join(" ")));
            i += n;
            last_end = i;
            continue;
        }
        let word = tokens[i].as_str();
        // Articles that are also numbers ("un", "one") stay articles.
        if !matches!(word, "un" | "una" | "uno" | "one" | "once" | "a")
            && let Some(n) = time::number(word)
        {
            items.push(item(ItemKind::Number(n), word.to_string()));
            i += 1;
            last_end = i;
            continue;
        }
        match phrase_at(model, tokens, i, today) {
            Some(m) => {
                let n = m.len.max(1);
                let senses: Vec<Sense> = m.senses.iter().filter(|s| **s != Sense::Stop).cloned().collect();
                if !senses.is_empty() {
                    items
                        .push(item(ItemKind::Senses(senses), tokens[i..(i + n).min(tokens.len())].join(" ")));
                    last_end = i + n;
                }
                i += n;
            }
            None => {
                items.push(item(ItemKind::Unknown, word.to_string()));
                i += 1;
                last_end = i;
            }
        }
    }
    // "… and how much revenue they brought": a word pointing back after the last item is the last item's.
    if let Some(last) = items.last_mut() {
        last.theirs |=
            tokens[last_end.min(tokens.len())..].iter().any(|w| model.lexicon().back_references.contains(w));
    }
    items
}

/// The longest phrase at `i`; but a phrase the model does not support that a time expression starting
/// inside it runs past is cut before that time ("por día de la semana pasada": by day, last week; not "by
/// day of the week", then "pasada").
fn phrase_at<'a>(
    model: &'a SemanticModel,
    tokens: &[String],
    i: usize,
    today: NaiveDate,
) -> Option<crate::lexicon::Match<'a>> {
    let m = model.lexicon().longest(tokens, i)?;
    if !m.senses.contains(&Sense::Unsupported) {
        return Some(m);
    }
    let end = i + m.len;
    let runs_past = |j: &usize| time::match_time(tokens, *j, today).is_some_and(|(n, _)| j + n > end);
    match (i + 1..end).find(runs_past) {
        Some(j) => model.lexicon().longest(&tokens[..j], i),
        None => Some(m),
    }
}
