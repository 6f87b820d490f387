//! The lexicon: every phrase the engine knows (from the model: metrics, dimensions, values, grains; and
//! the grammar words of both languages) mapped to what it can mean. Matching is longest-phrase-first over
//! normalized tokens, after typo correction against the lexicon's own vocabulary.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::intent::{DaysOfWeek, Grain};
use crate::lang::Lang;
use crate::model::{ModelError, SemanticModel};
use crate::normalize;

/// One thing a phrase can mean; a phrase may have several ("campaigns": a metric and a dimension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sense {
    Metric(String),
    /// "came in", "abiertos": turns the generic metric of this metric's table into it; else means nothing.
    Refine(String),
    /// "in minutes", "en dólares": the unit this metric's values are in; understood only with it.
    Unit(String),
    /// "average", "promedio"; `valued` when the phrase names the amount too ("valor medio", "average value"):
    /// with a purchase word it asks for the average order value.
    Average {
        valued: bool,
    },
    Dim(String),
    Value {
        family: String,
        value: String,
    },
    /// "monthly", "por mes": a series by itself.
    GrainAdj(Grain),
    /// "month": a series after "by"/"per"/"which".
    GrainNoun(Grain),
    /// by, per, por, for each: the next dimension is a breakdown.
    By,
    /// which, cuál: "which channel had the most…" asks for the top item.
    Which,
    /// what, qué: like `Which`, but only when the question starts with it.
    WhichAtStart,
    Most,
    Least,
    Top,
    Bottom,
    /// "de mayor a menor", "lowest to highest": the order of a breakdown, and nothing more.
    Order {
        descending: bool,
    },
    Compare,
    Share,
    /// "percentage of", "qué porcentaje de": one fraction, a part of a whole.
    Fraction,
    /// "list", "show me", "lista de": the rows themselves.
    List,
    /// "how many", "cuántos": a count, never a list.
    Counting,
    /// "unique", "distintos": each thing counted once.
    Distinct,
    /// "correo", "phone": a list column of this table, understood only in a list of its rows.
    Column(String),
    /// "newest" (`true`), "oldest" (`false`): a list of rows by their time.
    Newest(bool),
    /// "día de la semana", "by hour": a breakdown the model has no column for; never understood.
    Unsupported,
    Not,
    /// "not only", "no solo": the measure after it is named only to say it is not all ("todos los enviados,
    /// no solo los entregados"); it is not one.
    NotOnly,
    /// "with and without", "con y sin": the value after it and its negation, side by side.
    BothSides,
    Also,
    Trend,
    /// "growth", "% change", "variación" (`down`: "fell", "cayó"): the change between two periods.
    Change {
        down: bool,
    },
    /// "the same days", "mismos días": a comparison of a running period with the same days of another;
    /// understood only in a comparison.
    SameDays,
    /// "todo junto", "combined": values of one column said together are one figure.
    Together,
    /// "converted to our reporting currency": what money is anyway, unless it is asked by currency.
    Converted,
    /// "solo meses cerrados", "complete months only": the running period (of the unit its words name) is
    /// left out.
    CompleteOnly,
    /// "on weekends", "los lunes": only these days of the week.
    Days(DaysOfWeek),
    /// "second", "tercer": the one row at that place of a ranking.
    Ordinal(u32),
    Stop,
}

#[derive(Debug, Clone)]
struct Phrase {
    tokens: Vec<String>,
    senses: Vec<Sense>,
    en: bool,
    es: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Lexicon {
    /// First token → phrases starting with it, longest first.
    by_first: HashMap<String, Vec<Phrase>>,
    vocabulary: Vec<String>,
    known: HashSet<String>,
    abbreviations: HashMap<String, String>,
    /// Words that join a word to the one before it without a verb ("clientes de Colombia").
    pub(crate) joining: HashSet<String>,
    /// Words that list measures ("contacts, customers and conversion rate").
    pub(crate) conjunctions: HashSet<String>,
    /// "more", "menos": with a `than` word later, a difference asked for.
    pub(crate) comparatives: HashSet<String>,
    /// Phrases of a yes-or-no comparison, and those asking for an amount ([`Lexicon::comparison_as_versus`]).
    comparing: Vec<Vec<String>>,
    amount_asked: Vec<Vec<String>>,
    /// "than", "que" after a comparative word.
    pub(crate) than: HashSet<String>,
    /// "anterior", "previous": in a comparison with one period said, the period before it.
    pub(crate) previous_one: HashSet<String>,
    /// "menos": right before a value that is nothing else, "except".
    pub(crate) except_before_value: HashSet<String>,
    /// "each", "cada": "by" words that take one thing at a time.
    pub(crate) each_one: HashSet<String>,
    /// Participles after which "by"/"por" names who did it, not a breakdown ("purchases made by contacts").
    pub(crate) agent_participles: HashSet<String>,
    /// Words whose side depends on who is speaking: "messages received", "contacts who received a message".
    pub(crate) two_sided: HashSet<String>,
    /// Singular nouns of many people, after which "cuánta" counts.
    collective: HashSet<String>,
    /// Phrases after which the question itself starts, as normalized words.
    pivots: Vec<Vec<String>>,
    /// Phrases after which the rest is the reason for asking, as normalized words.
    reasons: Vec<Vec<String>>,
    /// "no", "not": not-words that deny what the rows did.
    pub(crate) denials: HashSet<String>,
    /// "created", "started": words saying when something began.
    pub(crate) origins: HashSet<String>,
    /// "who", "que": relative pronouns, which start a clause about the thing before.
    pub(crate) relatives: HashSet<String>,
    /// "with", "con": what the thing before has ("contacts with purchases").
    pub(crate) having: HashSet<String>,
    pub(crate) possessives: HashSet<String>,
    pub(crate) back_references: HashSet<String>,
    /// "best", "peor": rankings by a judgement, which say no measure.
    pub(crate) judging: HashSet<String>,
    /// "money", "dinero": bare money words.
    pub(crate) money_words: HashSet<String>,
    /// "the", "los": articles.
    pub(crate) articles: HashSet<String>,
    /// "we", "nosotros": the company speaking.
    pub(crate) first_person: HashSet<String>,
    /// "or", "o": alternatives of one list of values.
    pub(crate) alternatives: HashSet<String>,
    /// Languages each word is used in (English, Spanish), to break a tie between two corrections.
    word_langs: HashMap<String, (bool, bool)>,
}

/// A lexicon match at some position.
pub(crate) struct Match<'a> {
    pub len: usize,
    pub senses: &'a [Sense],
    pub en: bool,
    pub es: bool,
}

impl Lexicon {
    /// Fails only if the grammar bundled with the engine is invalid: what [`Lexicon::build`] needs besides
    /// the model, checked when a model is built so that the lexicon itself can be compiled when first read.
    pub(crate) fn check_grammar() -> Result<(), ModelError> {
        Grammar::bundled().map(|_| ())
    }

    /// The model's words and the grammar words (`semantic/grammar.yaml`), once [`Lexicon::check_grammar`]
    /// passed when the model was built (were the grammar invalid, the lexicon would know no grammar word).
    pub(crate) fn build(model: &SemanticModel) -> Lexicon {
        let Ok(grammar) = Grammar::bundled() else { return Lexicon::default() };
        let mut lx = Lexicon::default();
        for m in model.metrics() {
            let s = Sense::Metric(m.name.clone());
            lx.add_all(&[m.label.en.as_str()], &s, Some(Lang::En));
            lx.add_all(&[m.label.es.as_str()], &s, Some(Lang::Es));
            lx.add_list(&m.synonyms.en, &s, Some(Lang::En));
            lx.add_list(&m.synonyms.es, &s, Some(Lang::Es));
            let r = Sense::Refine(m.name.clone());
            lx.add_list(&m.refines.en, &r, Some(Lang::En));
            lx.add_list(&m.refines.es, &r, Some(Lang::Es));
            let u = Sense::Unit(m.name.clone());
            lx.add_list(&m.units.en, &u, Some(Lang::En));
            lx.add_list(&m.units.es, &u, Some(Lang::Es));
        }
        for d in model.dimensions() {
            let s = Sense::Dim(d.name.clone());
            lx.add_all(&[d.label.en.as_str()], &s, Some(Lang::En));
            lx.add_all(&[d.label.es.as_str()], &s, Some(Lang::Es));
            lx.add_list(&d.synonyms.en, &s, Some(Lang::En));
            lx.add_list(&d.synonyms.es, &s, Some(Lang::Es));
            if model.spans_several_companies() {
                lx.add_list(&d.synonyms_across_companies.en, &s, Some(Lang::En));
                lx.add_list(&d.synonyms_across_companies.es, &s, Some(Lang::Es));
            }
        }
        for (family, values) in model.value_synonyms() {
            for v in values {
                let s = Sense::Value { family: family.clone(), value: v.value.clone() };
                // Proper names (WhatsApp, Colombia) are the same in both languages: no language vote.
                lx.add_list(&v.en, &s, None);
                lx.add_list(&v.es, &s, Some(Lang::Es));
                if let Some(l) = &v.label_es {
                    lx.add_all(&[l.as_str()], &s, Some(Lang::Es));
                }
            }
        }
        for t in model.tables() {
            let s = Sense::Column(t.name.clone());
            for words in t.column_words.values() {
                lx.add_list(&words.en, &s, Some(Lang::En));
                lx.add_list(&words.es, &s, Some(Lang::Es));
            }
        }
        for g in model.grains() {
            lx.add_list(&g.adjectives.en, &Sense::GrainAdj(g.name), Some(Lang::En));
            lx.add_list(&g.adjectives.es, &Sense::GrainAdj(g.name), Some(Lang::Es));
            lx.add_list(&g.nouns.en, &Sense::GrainNoun(g.name), Some(Lang::En));
            lx.add_list(&g.nouns.es, &Sense::GrainNoun(g.name), Some(Lang::Es));
        }
        for (words, sense, lang) in grammar.entries() {
            lx.add_list(words, &sense, lang);
        }
        let mut vocab: HashSet<String> =
            lx.by_first.values().flatten().flat_map(|p| p.tokens.clone()).collect();
        vocab.extend(crate::time::time_words().map(str::to_string));
        lx.known = vocab.clone();
        lx.known.extend(crate::time::NUMBER_WORDS.iter().map(|w| w.to_string()));
        lx.known.extend(grammar.file.never_corrected.iter().cloned());
        lx.abbreviations = grammar.file.abbreviations.clone().into_iter().collect();
        lx.joining = grammar.file.joining.iter().cloned().collect();
        lx.agent_participles = grammar.file.agent_participles.iter().cloned().collect();
        lx.each_one = grammar.file.each_one.iter().cloned().collect();
        lx.conjunctions = grammar.file.conjunctions.iter().cloned().collect();
        lx.comparatives = grammar.file.comparatives.iter().cloned().collect();
        lx.than = grammar.file.than.iter().cloned().collect();
        lx.comparing = grammar.file.comparing.iter().map(|p| normalize::tokens(p)).collect();
        lx.amount_asked = grammar.file.amount_asked.iter().map(|p| normalize::tokens(p)).collect();
        lx.previous_one = grammar.file.previous_one.iter().cloned().collect();
        lx.except_before_value = grammar.file.except_before_value.iter().cloned().collect();
        lx.two_sided = grammar.file.two_sided.iter().cloned().collect();
        lx.collective = grammar.file.collective.iter().cloned().collect();
        lx.pivots = grammar.file.pivots.iter().map(|p| normalize::tokens(p)).collect();
        lx.reasons = grammar.file.reasons.iter().map(|p| normalize::tokens(p)).collect();
        lx.denials = grammar.file.denials.iter().cloned().collect();
        lx.origins = grammar.file.origins.iter().cloned().collect();
        lx.relatives = grammar.file.relatives.iter().cloned().collect();
        lx.having = grammar.file.having.iter().cloned().collect();
        lx.possessives = grammar.file.possessives.iter().cloned().collect();
        lx.back_references =
            grammar.file.back_references.iter().chain(&grammar.file.possessives).cloned().collect();
        lx.judging = grammar.file.judging.iter().cloned().collect();
        lx.money_words = grammar.file.money_words.iter().cloned().collect();
        lx.articles = grammar.file.articles.iter().cloned().collect();
        lx.first_person = grammar.file.first_person.iter().cloned().collect();
        lx.alternatives = grammar.file.alternatives.iter().cloned().collect();
        for p in lx.by_first.values().flatten() {
            for t in &p.tokens {
                let e = lx.word_langs.entry(t.clone()).or_insert((false, false));
                *e = (e.0 || p.en, e.1 || p.es);
            }
        }
        lx.known.extend(lx.abbreviations.keys().cloned());
        // A typo is never read as a filler word: an unknown content word ("género") must not vanish into
        // one ("genera") and leave a different question behind.
        let filler = lx.filler_only_words();
        let mut vocabulary: Vec<String> = vocab
            .into_iter()
            .filter(|w| !crate::time::NUMBER_WORDS.contains(&w.as_str()) && !filler.contains(w))
            .collect();
        vocabulary.sort();
        lx.vocabulary = vocabulary;
        for list in lx.by_first.values_mut() {
            list.sort_by_key(|p| std::cmp::Reverse(p.tokens.len()));
        }
        lx
    }

    fn add_list(&mut self, phrases: &[String], sense: &Sense, lang: Option<Lang>) {
        for p in phrases {
            self.add(p, sense, lang);
        }
    }

    fn add_all(&mut self, phrases: &[&str], sense: &Sense, lang: Option<Lang>) {
        for p in phrases {
            self.add(p, sense, lang);
        }
    }

    fn add(&mut self, text: &str, sense: &Sense, lang: Option<Lang>) {
        let tokens = normalize::phrase(text);
        let Some(first) = tokens.first().cloned() else { return };
        let list = self.by_first.entry(first).or_default();
        let (en, es) = match lang {
            Some(Lang::En) => (true, false),
            Some(Lang::Es) => (false, true),
            None => (true, true),
        };
        match list.iter_mut().find(|p| p.tokens == tokens) {
            Some(p) => {
                if !p.senses.contains(sense) {
                    p.senses.push(sense.clone());
                }
                p.en |= en;
                p.es |= es;
            }
            None => list.push(Phrase { tokens, senses: vec![sense.clone()], en, es }),
        }
    }

    /// Words that appear only in phrases that mean nothing (stop words).
    fn filler_only_words(&self) -> HashSet<String> {
        let mut meaningful: HashSet<&str> = HashSet::new();
        let mut filler: HashSet<&str> = HashSet::new();
        for p in self.by_first.values().flatten() {
            let set = if p.senses.iter().all(|s| *s == Sense::Stop) { &mut filler } else { &mut meaningful };
            set.extend(p.tokens.iter().map(String::as_str));
        }
        let time: HashSet<&str> = crate::time::time_words().collect();
        filler
            .into_iter()
            .filter(|w| !meaningful.contains(w) && !time.contains(w))
            .map(str::to_string)
            .collect()
    }

    /// Whether the word is known as is (no correction needed).
    pub(crate) fn knows(&self, word: &str) -> bool {
        self.known.contains(word)
    }

    /// "ok so the client asked me … anyway: how many msgs …": the words after the last pivot phrase, when
    /// one is followed by more words; not a pivot that begins a longer phrase ("en fin de semana").
    pub(crate) fn drop_context(&self, tokens: &mut Vec<String>) {
        let longer = |i: usize, end: usize| self.longest(tokens, i).is_some_and(|m| i + m.len > end);
        let end = (0..tokens.len()).rev().find_map(|i| {
            let p = self.pivots.iter().find(|p| tokens.get(i..i + p.len()) == Some(p.as_slice()))?;
            (!longer(i, i + p.len())).then_some(i + p.len())
        });
        if let Some(end) = end.filter(|&end| end < tokens.len()) {
            tokens.drain(..end);
        }
    }

    /// "Is A higher than B", "¿vendimos más en A que en B?", "¿más en A o en B?": the comparative word goes
    /// and `than` (or the alternative) becomes "vs", so that both sides are shown, never added up. Left as written (a difference, a threshold, a pick of rows: see
    /// `comparing` in the grammar) otherwise.
    pub(crate) fn comparison_as_versus(&self, tokens: &mut Vec<String>) {
        let starts = |i: usize, list: &[Vec<String>]| {
            list.iter().filter(|p| tokens.get(i..i + p.len()) == Some(p.as_slice())).map(Vec::len).max()
        };
        let Some((at, len)) = (0..tokens.len()).find_map(|i| starts(i, &self.comparing).map(|n| (i, n)))
        else {
            return;
        };
        // "Más en Colombia o en Perú": the two sides may also be alternatives (not "more or less").
        let or = |j: usize| self.alternatives.contains(&tokens[j]);
        let side = |j: &usize| self.than.contains(&tokens[*j]) || (or(*j) && *j > at + len);
        let Some(than) = (at + len..tokens.len()).find(side) else { return };
        let compared =
            tokens[than + 1..].iter().find(|t| !self.articles.contains(*t) && !self.joining.contains(*t));
        // "More than 5", "more than five", "más de 1.000": a threshold. Digits split at a decimal mark are
        // tokens of their own.
        let number = |t: &String| crate::time::number(t).is_some();
        // "Que" is also "which" at the start: only the words other than `than` can pick rows.
        let picks = (0..tokens.len()).filter(|&i| i != than).any(|i| {
            self.longest(tokens, i).is_some_and(|m| {
                m.senses.iter().any(|s| match s {
                    // "Which sold more, Colombia or Peru": one of two, both shown.
                    Sense::Which => !or(than),
                    Sense::WhichAtStart => i == 0 && !or(than),
                    _ => false,
                })
            })
        });
        if compared.is_none_or(number) || (0..at).any(|i| starts(i, &self.amount_asked).is_some()) || picks {
            return;
        }
        tokens[than] = "vs".to_string();
        // "por WhatsApp que por email": the word said again before the second side goes with it.
        if tokens
            .get(than + 1)
            .is_some_and(|w| tokens[at + len..than].contains(w) && !self.articles.contains(w))
        {
            tokens.remove(than + 1);
        }
        tokens.drain(at..at + len);
    }

    /// Whether `tokens` start with a reason for asking ("because", "xq" → "porque").
    pub(crate) fn is_reason(&self, tokens: &[String]) -> bool {
        self.reasons.iter().any(|r| tokens.starts_with(r))
    }

    /// Whether nothing among `tokens` means more than filler: only stop words and words it does not know.
    pub(crate) fn says_nothing(&self, tokens: &[String]) -> bool {
        let mut i = 0;
        while i < tokens.len() {
            match self.longest(tokens, i) {
                Some(m) if m.senses.iter().any(|s| *s != Sense::Stop) => return false,
                Some(m) => i += m.len,
                None => i += 1,
            }
        }
        true
    }

    /// Replaces unknown words by the one known word within the typo budget, if any.
    pub(crate) fn correct_typos(&self, tokens: &mut [String], lang: Lang) {
        let in_lang = |w: &str| {
            self.word_langs.get(w).is_some_and(|&(en, es)| match lang {
                Lang::En => en,
                Lang::Es => es,
            })
        };
        // "Cuánta gente compró": a singular "cuánta" (usually "how much") counts the people after it.
        for i in 1..tokens.len() {
            if tokens[i - 1] == "cuanta" && self.collective.contains(&tokens[i]) {
                tokens[i - 1] = "cuantas".to_string();
            }
        }
        for t in tokens.iter_mut() {
            if let Some(full) = self.abbreviations.get(t.as_str()) {
                *t = full.clone();
                continue;
            }
            // A letter and a slash that is no shorthand of its own ("y/o") is the letter.
            if let Some(letter) = t.strip_suffix('/') {
                *t = self.abbreviations.get(letter).cloned().unwrap_or_else(|| letter.to_string());
                continue;
            }
            if self.knows(t) {
                continue;
            }
            // "delivery rates", "tasas de entrega": a plural of a known word is that word.
            if let Some(stem) = ["es", "s"].iter().find_map(|e| t.strip_suffix(e).filter(|s| self.knows(s))) {
                *t = stem.to_string();
                continue;
            }
            // "Holaa", "pleasee": a word with its last letter said again is that word.
            let mut ending = t.chars().rev();
            if let Some(last) = ending.next().filter(|&c| ending.next() == Some(c)) {
                let word = format!("{}{last}", t.trim_end_matches(last));
                if self.knows(&word) {
                    *t = word;
                    continue;
                }
            }
            if let Some(fixed) = normalize::correct(t, &self.vocabulary, &in_lang) {
                *t = fixed.to_string();
            }
        }
    }

    /// The longest phrase starting at `i`.
    pub(crate) fn longest(&self, tokens: &[String], i: usize) -> Option<Match<'_>> {
        let list = self.by_first.get(tokens.get(i)?)?;
        list.iter()
            .find(|p| tokens.get(i..i + p.tokens.len()).is_some_and(|w| w == p.tokens.as_slice()))
            .map(|p| Match { len: p.tokens.len(), senses: &p.senses, en: p.en, es: p.es })
    }

    /// Votes for each language from the phrases of a question that only one language uses.
    pub(crate) fn lang_votes(&self, question: &str) -> (u32, u32) {
        let tokens = normalize::tokens(question);
        let (mut en, mut es) = (0, 0);
        let mut i = 0;
        while i < tokens.len() {
            match self.longest(&tokens, i) {
                Some(m) => {
                    if m.en && !m.es {
                        en += 1;
                    } else if m.es && !m.en {
                        es += 1;
                    }
                    i += m.len;
                }
                None => i += 1,
            }
        }
        (en, es)
    }
}

/// The grammar words of both languages (`semantic/grammar.yaml`): markers the parser reads, words it may
/// ignore, and words never corrected.
const GRAMMAR_YAML: &str = include_str!("../../../semantic/grammar.yaml");

/// The grammar file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrammarFile {
    /// Real words one or two letters away from a known word of another meaning: they stay as typed.
    never_corrected: Vec<String>,
    /// Shorthand analysts type, and the word it stands for ("yr" → "year", "x" → "por").
    #[serde(default)]
    abbreviations: std::collections::BTreeMap<String, String>,
    /// Words that join a word to the one before it without a verb ("clientes de Colombia").
    #[serde(default)]
    joining: Vec<String>,
    /// Words that list measures ("contacts, customers and conversion rate").
    #[serde(default)]
    conjunctions: Vec<String>,
    /// Comparative words ("more", "menos") that, with a `than` word later, ask for a difference.
    #[serde(default)]
    comparatives: Vec<String>,
    /// "than", "que".
    #[serde(default)]
    than: Vec<String>,
    /// Comparative words of a yes-or-no comparison ("higher", "más alto"), read as "vs" with a `than` word.
    #[serde(default)]
    comparing: Vec<String>,
    /// Words asking for an amount ("how much", "cuánto"): before a comparative, a difference.
    #[serde(default)]
    amount_asked: Vec<String>,
    /// "anterior", "previous" said alone in a comparison: the period before the one said.
    #[serde(default)]
    previous_one: Vec<String>,
    /// Ranking words that are "except" right before a value ("todos los canales menos SMS").
    #[serde(default)]
    except_before_value: Vec<String>,
    /// "By" words that take one thing at a time ("each", "cada"): "cuánto cuesta cada SMS".
    #[serde(default)]
    each_one: Vec<String>,
    /// Participles after which "by"/"por" names who did it ("purchases made by contacts in Mexico").
    #[serde(default)]
    agent_participles: Vec<String>,
    /// Words whose side depends on who is speaking ("received": by the company, or by a contact).
    #[serde(default)]
    two_sided: Vec<String>,
    /// Singular nouns of many people ("gente"): "cuánta gente" counts, as "cuántas personas" does.
    #[serde(default)]
    collective: Vec<String>,
    /// Words after which the question itself starts ("… anyway: how many …"): what comes before is context.
    #[serde(default)]
    pivots: Vec<String>,
    /// Words that, right after a question mark, only say why it is asked ("? because marketing says …").
    #[serde(default)]
    reasons: Vec<String>,
    /// Not-words that deny what the rows did ("no se entregaron") rather than leave some out.
    #[serde(default)]
    denials: Vec<String>,
    /// Words saying when something began ("created", "started"): a time after them is of the thing before.
    #[serde(default)]
    origins: Vec<String>,
    /// Relative pronouns ("who", "que"): the item after them says something of the thing before.
    #[serde(default)]
    relatives: Vec<String>,
    /// "With", "con": the measure after them says which of the things before ("contacts with purchases").
    #[serde(default)]
    having: Vec<String>,
    /// "Their", "su" after "with": the rows' own columns ("campaigns with their budget").
    #[serde(default)]
    possessives: Vec<String>,
    /// "They", "ellos": with the possessives, words that point back at things named before.
    #[serde(default)]
    back_references: Vec<String>,
    /// Ranking words that judge ("best", "peor"): with no measure said, none is assumed.
    #[serde(default)]
    judging: Vec<String>,
    /// Bare money words ("dinero"): beside a count with an amount of its own, that amount.
    #[serde(default)]
    money_words: Vec<String>,
    /// Articles ("the", "los"): after a verb, only they before people make the people its subject.
    #[serde(default)]
    articles: Vec<String>,
    /// "we", "nosotros": before a verb, the company is its subject.
    #[serde(default)]
    first_person: Vec<String>,
    /// "or", "o": between two values, one list of them.
    #[serde(default)]
    alternatives: Vec<String>,
    /// Each marker's words, in the order of the file.
    #[serde(deserialize_with = "senses_in_order")]
    senses: Vec<(GrammarSense, GrammarWords)>,
}

/// The senses the grammar file gives words to: the grammar's part of [`Sense`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum GrammarSense {
    By,
    Which,
    WhichAtStart,
    Most,
    Least,
    Top,
    Bottom,
    Descending,
    Ascending,
    Compare,
    Share,
    Fraction,
    List,
    Counting,
    Distinct,
    Newest,
    Oldest,
    Unsupported,
    Not,
    Also,
    NotOnly,
    BothSides,
    Average,
    AverageValued,
    Trend,
    Change,
    ChangeDown,
    Second,
    Third,
    SameDays,
    Together,
    Converted,
    CompleteOnly,
    Sundays,
    Mondays,
    Tuesdays,
    Wednesdays,
    Thursdays,
    Fridays,
    Saturdays,
    Weekends,
    WorkingDays,
    Stop,
}

impl GrammarSense {
    /// The name in the file.
    fn name(self) -> &'static str {
        match self {
            GrammarSense::By => "by",
            GrammarSense::Which => "which",
            GrammarSense::WhichAtStart => "which_at_start",
            GrammarSense::Most => "most",
            GrammarSense::Least => "least",
            GrammarSense::Top => "top",
            GrammarSense::Bottom => "bottom",
            GrammarSense::Descending => "descending",
            GrammarSense::Ascending => "ascending",
            GrammarSense::Compare => "compare",
            GrammarSense::Share => "share",
            GrammarSense::Fraction => "fraction",
            GrammarSense::List => "list",
            GrammarSense::Counting => "counting",
            GrammarSense::Distinct => "distinct",
            GrammarSense::Newest => "newest",
            GrammarSense::Oldest => "oldest",
            GrammarSense::Unsupported => "unsupported",
            GrammarSense::Not => "not",
            GrammarSense::Also => "also",
            GrammarSense::NotOnly => "not_only",
            GrammarSense::BothSides => "both_sides",
            GrammarSense::Average => "average",
            GrammarSense::AverageValued => "average_valued",
            GrammarSense::Trend => "trend",
            GrammarSense::Change => "change",
            GrammarSense::ChangeDown => "change_down",
            GrammarSense::Second => "second",
            GrammarSense::Third => "third",
            GrammarSense::SameDays => "same_days",
            GrammarSense::Together => "together",
            GrammarSense::Converted => "converted",
            GrammarSense::CompleteOnly => "complete_only",
            GrammarSense::Sundays => "sundays",
            GrammarSense::Mondays => "mondays",
            GrammarSense::Tuesdays => "tuesdays",
            GrammarSense::Wednesdays => "wednesdays",
            GrammarSense::Thursdays => "thursdays",
            GrammarSense::Fridays => "fridays",
            GrammarSense::Saturdays => "saturdays",
            GrammarSense::Weekends => "weekends",
            GrammarSense::WorkingDays => "working_days",
            GrammarSense::Stop => "stop",
        }
    }

    fn sense(self) -> Sense {
        match self {
            GrammarSense::By => Sense::By,
            GrammarSense::Which => Sense::Which,
            GrammarSense::WhichAtStart => Sense::WhichAtStart,
            GrammarSense::Most => Sense::Most,
            GrammarSense::Least => Sense::Least,
            GrammarSense::Top => Sense::Top,
            GrammarSense::Bottom => Sense::Bottom,
            GrammarSense::Descending => Sense::Order { descending: true },
            GrammarSense::Ascending => Sense::Order { descending: false },
            GrammarSense::Compare => Sense::Compare,
            GrammarSense::Share => Sense::Share,
            GrammarSense::Fraction => Sense::Fraction,
            GrammarSense::List => Sense::List,
            GrammarSense::Counting => Sense::Counting,
            GrammarSense::Distinct => Sense::Distinct,
            GrammarSense::Newest => Sense::Newest(true),
            GrammarSense::Oldest => Sense::Newest(false),
            GrammarSense::Unsupported => Sense::Unsupported,
            GrammarSense::Not => Sense::Not,
            GrammarSense::Also => Sense::Also,
            GrammarSense::NotOnly => Sense::NotOnly,
            GrammarSense::BothSides => Sense::BothSides,
            GrammarSense::Average => Sense::Average { valued: false },
            GrammarSense::AverageValued => Sense::Average { valued: true },
            GrammarSense::Trend => Sense::Trend,
            GrammarSense::Change => Sense::Change { down: false },
            GrammarSense::ChangeDown => Sense::Change { down: true },
            GrammarSense::Second => Sense::Ordinal(2),
            GrammarSense::Third => Sense::Ordinal(3),
            GrammarSense::SameDays => Sense::SameDays,
            GrammarSense::Together => Sense::Together,
            GrammarSense::Converted => Sense::Converted,
            GrammarSense::CompleteOnly => Sense::CompleteOnly,
            GrammarSense::Weekends => Sense::Days(DaysOfWeek::WEEKEND),
            GrammarSense::WorkingDays => Sense::Days(DaysOfWeek::WORKING),
            GrammarSense::Sundays => Sense::Days(DaysOfWeek::SUNDAY),
            GrammarSense::Mondays => Sense::Days(DaysOfWeek::MONDAY),
            GrammarSense::Tuesdays => Sense::Days(DaysOfWeek::TUESDAY),
            GrammarSense::Wednesdays => Sense::Days(DaysOfWeek::WEDNESDAY),
            GrammarSense::Thursdays => Sense::Days(DaysOfWeek::THURSDAY),
            GrammarSense::Fridays => Sense::Days(DaysOfWeek::FRIDAY),
            GrammarSense::Saturdays => Sense::Days(DaysOfWeek::SATURDAY),
            GrammarSense::Stop => Sense::Stop,
        }
    }
}

/// One sense's words by language; `both` are the same in both languages (no language vote).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrammarWords {
    en: Option<Vec<String>>,
    es: Option<Vec<String>>,
    both: Option<Vec<String>>,
}

impl GrammarWords {
    /// The lists given, each with its language (`None`: both) and its key in the file.
    fn lists(&self) -> impl Iterator<Item = (&[String], Option<Lang>, &'static str)> {
        [(&self.en, Some(Lang::En), "en"), (&self.es, Some(Lang::Es), "es"), (&self.both, None, "both")]
            .into_iter()
            .filter_map(|(list, lang, key)| Some((list.as_deref()?, lang, key)))
    }
}

/// The `senses` map in file order, refusing a sense named twice (a plain map would keep the last).
fn senses_in_order<'de, D>(de: D) -> Result<Vec<(GrammarSense, GrammarWords)>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct InOrder;
    impl<'de> serde::de::Visitor<'de> for InOrder {
        type Value = Vec<(GrammarSense, GrammarWords)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map from sense to words")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out: Self::Value = Vec::new();
            while let Some((sense, words)) = map.next_entry::<GrammarSense, GrammarWords>()? {
                if out.iter().any(|(s, _)| *s == sense) {
                    let message = format!("sense `{}` is listed twice", sense.name());
                    return Err(serde::de::Error::custom(message));
                }
                out.push((sense, words));
            }
            Ok(out)
        }
    }
    de.deserialize_map(InOrder)
}

/// The grammar words, validated: every list non-empty, every word a word, none twice in one list.
#[derive(Debug)]
struct Grammar {
    file: GrammarFile,
}

impl Grammar {
    /// The bundled grammar, parsed and validated once.
    fn bundled() -> Result<&'static Grammar, ModelError> {
        static GRAMMAR: OnceLock<Result<Grammar, ModelError>> = OnceLock::new();
        GRAMMAR.get_or_init(|| Grammar::from_yaml_str(GRAMMAR_YAML)).as_ref().map_err(Clone::clone)
    }

    fn from_yaml_str(yaml: &str) -> Result<Grammar, ModelError> {
        let error = |message: String| ModelError { message: format!("grammar.yaml: {message}") };
        let file: GrammarFile =
            serde_yaml::from_str(yaml).map_err(|e| error(format!("invalid YAML: {e}")))?;
        if file.never_corrected.is_empty() {
            return Err(error("never_corrected: empty list".into()));
        }
        for w in &file.never_corrected {
            if normalize::phrase(w) != [w.as_str()] {
                return Err(error(format!(
                    "never_corrected: '{w}' must be one word in lower case, without accents"
                )));
            }
        }
        if file.senses.is_empty() {
            return Err(error("senses: empty map".into()));
        }
        for (sense, words) in &file.senses {
            let name = sense.name();
            if words.lists().next().is_none() {
                return Err(error(format!("sense `{name}`: no words (give en, es or both)")));
            }
            for (list, _, lang) in words.lists() {
                if list.is_empty() {
                    return Err(error(format!("sense `{name}`, {lang}: empty list")));
                }
                let mut seen: HashSet<Vec<String>> = HashSet::new();
                for w in list {
                    let tokens = normalize::phrase(w);
                    if tokens.is_empty() {
                        return Err(error(format!("sense `{name}`, {lang}: '{w}' has no word in it")));
                    }
                    if !seen.insert(tokens) {
                        return Err(error(format!("sense `{name}`, {lang}: '{w}' is listed twice")));
                    }
                }
            }
        }
        Ok(Grammar { file })
    }

    /// Each list of words with its sense and language (`None`: both).
    fn entries(&self) -> impl Iterator<Item = (&[String], Sense, Option<Lang>)> + '_ {
        self.file
            .senses
            .iter()
            .flat_map(|(sense, words)| words.lists().map(move |(list, lang, _)| (list, sense.sense(), lang)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_error(yaml: &str) -> String {
        Grammar::from_yaml_str(yaml).expect_err("invalid grammar").message
    }

    #[test]
    fn bundled_grammar_loads() {
        let g = Grammar::bundled().expect("semantic/grammar.yaml loads");
        assert!(g.entries().any(|(words, sense, lang)| sense == Sense::By
            && lang == Some(Lang::Es)
            && words.iter().any(|w| w == "por")));
        assert!(g.file.never_corrected.iter().any(|w| w == "gastaron"));
    }

    #[test]
    fn grammar_mistakes_are_load_errors() {
        let ok = "never_corrected: [gastaron]\nsenses:\n  by: { en: [by] }\n";
        assert!(Grammar::from_yaml_str(ok).is_ok());
        let e = load_error("never_corrected: [gastaron]\nsenses:\n  byy: { en: [by] }\n");
        assert!(e.contains("grammar") && e.contains("unknown variant `byy`"), "{e}");
        let e = load_error("never_corrected: [gastaron]\nsenses:\n  by: { fr: [par] }\n");
        assert!(e.contains("unknown field `fr`"), "{e}");
        let e = load_error("never_corrected: [gastaron]\nsenses:\n  by: { en: [] }\n");
        assert!(e.contains("sense `by`, en: empty list"), "{e}");
        let e = load_error("never_corrected: [gastaron]\nsenses:\n  by: {}\n");
        assert!(e.contains("sense `by`: no words"), "{e}");
        let e = load_error("never_corrected: []\nsenses:\n  by: { en: [by] }\n");
        assert!(e.contains("never_corrected: empty list"), "{e}");
        let e = load_error("never_corrected: [Gastaron]\nsenses:\n  by: { en: [by] }\n");
        assert!(e.contains("'Gastaron' must be one word"), "{e}");
        let e = load_error("never_corrected: [gastaron]\nsenses:\n  by: { en: [by, per, By] }\n");
        assert!(e.contains("'By' is listed twice"), "{e}");
        let e = load_error("never_corrected: [gastaron]\nsenses:\n  by: { en: [\"?\"] }\n");
        assert!(e.contains("has no word in it"), "{e}");
        let e = load_error("never_corrected: [gastaron]\nsenses:\n  by: { en: [by] }\n  by: { es: [por] }\n");
        assert!(e.contains("sense `by` is listed twice"), "{e}");
        let e = load_error("never_corrected: [gastaron]\nsenses:\n  by: { en: [by] }\nextra: 1\n");
        assert!(e.contains("unknown field `extra`"), "{e}");
    }
}
