//! The lexicon: every phrase the engine knows (from the model: metrics, dimensions, values, grains; and
//! the grammar words of both languages) mapped to what it can mean. Matching is longest-phrase-first over
//! normalized tokens, after typo correction against the lexicon's own vocabulary.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::intent::Grain;
use crate::lang::Lang;
use crate::model::SemanticModel;
use crate::normalize;

/// One thing a phrase can mean; a phrase may have several ("campaigns": a metric and a dimension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sense {
    Metric(String),
    /// "came in", "abiertos": turns the generic metric of this metric's table into it; else means nothing.
    Refine(String),
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
    Compare,
    Share,
    Not,
    Also,
    Trend,
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
}

/// A lexicon match at some position.
pub(crate) struct Match<'a> {
    pub len: usize,
    pub senses: &'a [Sense],
    pub en: bool,
    pub es: bool,
}

/// The builtin model's lexicon, for language detection without a model at hand.
pub(crate) fn builtin_lexicon() -> Option<&'static Lexicon> {
    static LEXICON: OnceLock<Option<Lexicon>> = OnceLock::new();
    LEXICON.get_or_init(|| SemanticModel::builtin().ok().map(|m| m.lexicon)).as_ref()
}

impl Lexicon {
    pub(crate) fn build(model: &SemanticModel) -> Lexicon {
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
        }
        for d in model.dimensions() {
            let s = Sense::Dim(d.name.clone());
            lx.add_all(&[d.label.en.as_str()], &s, Some(Lang::En));
            lx.add_all(&[d.label.es.as_str()], &s, Some(Lang::Es));
            lx.add_list(&d.synonyms.en, &s, Some(Lang::En));
            lx.add_list(&d.synonyms.es, &s, Some(Lang::Es));
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
        for g in model.grains() {
            lx.add_list(&g.adjectives.en, &Sense::GrainAdj(g.name), Some(Lang::En));
            lx.add_list(&g.adjectives.es, &Sense::GrainAdj(g.name), Some(Lang::Es));
            lx.add_list(&g.nouns.en, &Sense::GrainNoun(g.name), Some(Lang::En));
            lx.add_list(&g.nouns.es, &Sense::GrainNoun(g.name), Some(Lang::Es));
        }
        for (words, sense, lang) in grammar() {
            lx.add_all(words, &sense, lang);
        }
        let mut vocab: HashSet<String> =
            lx.by_first.values().flatten().flat_map(|p| p.tokens.clone()).collect();
        vocab.extend(crate::time::TIME_WORDS.iter().map(|w| w.to_string()));
        lx.known = vocab.clone();
        lx.known.extend(crate::time::NUMBER_WORDS.iter().map(|w| w.to_string()));
        lx.known.extend(NEVER_CORRECTED.iter().map(|w| w.to_string()));
        let mut vocabulary: Vec<String> =
            vocab.into_iter().filter(|w| !crate::time::NUMBER_WORDS.contains(&w.as_str())).collect();
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

    /// Whether the word is known as is (no correction needed).
    pub(crate) fn knows(&self, word: &str) -> bool {
        self.known.contains(word)
    }

    /// Replaces unknown words by the one known word within the typo budget, if any.
    pub(crate) fn correct_typos(&self, tokens: &mut [String]) {
        for t in tokens.iter_mut() {
            if self.knows(t) {
                continue;
            }
            if let Some(fixed) = normalize::correct(t, &self.vocabulary) {
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

/// Real words one or two letters away from a known word of another meaning ("gastaron" is not
/// "gastamos": customers spend, the company pays for messages). They stay as typed, and unexplained.
const NEVER_CORRECTED: &[&str] = &["gastaron", "gastan", "gastaste", "gastaba", "gastaban"];

type GrammarEntry = (&'static [&'static str], Sense, Option<Lang>);

/// The grammar words of both languages: markers the parser reads, and words it may ignore.
fn grammar() -> Vec<GrammarEntry> {
    use Sense::*;
    let en = Some(Lang::En);
    let es = Some(Lang::Es);
    vec![
        (
            &[
                "by",
                "per",
                "for each",
                "in terms of",
                "for every",
                "broken down by",
                "break down by",
                "breakdown by",
                "split by",
                "grouped by",
                "group by",
                "across",
                "in each",
                "each",
                "every",
                "by each",
                "broken out by",
                "broke out by",
                "break out by",
                "segmented by",
                "sliced by",
                "split out by",
            ],
            By,
            en,
        ),
        (
            &[
                "por",
                "para cada",
                "desglosado por",
                "desglosados por",
                "desglosadas por",
                "desglosada por",
                "agrupado por",
                "agrupados por",
                "agrupadas por",
                "segun",
                "por cada",
                "en cada",
                "cada",
                "dividido por",
                "separado por",
                "separados por",
                "segmentado por",
            ],
            By,
            es,
        ),
        (&["which"], Which, en),
        (&["cual", "cuales"], Which, es),
        (&["what"], WhichAtStart, en),
        (&["que"], WhichAtStart, es),
        (
            &[
                "most",
                "highest",
                "biggest",
                "largest",
                "greatest",
                "best",
                "more",
                "maximum",
                "max",
                "leading",
                "best performing",
                "top performing",
                "the most",
            ],
            Most,
            en,
        ),
        (
            &[
                "mas",
                "mayor",
                "mayores",
                "mejor",
                "maximo",
                "maxima",
                "lider",
                "con mas",
                "mejor desempeno",
                "mas alto",
                "mas alta",
                "mas altos",
                "mas altas",
                "el mas alto",
                "la mas alta",
            ],
            Most,
            es,
        ),
        (
            &[
                "least",
                "lowest",
                "fewest",
                "smallest",
                "worst",
                "less",
                "minimum",
                "min",
                "worst performing",
                "the least",
                "the fewest",
            ],
            Least,
            en,
        ),
        (
            &[
                "menos",
                "menor",
                "menores",
                "peor",
                "peores",
                "minimo",
                "minima",
                "con menos",
                "mas bajo",
                "mas baja",
                "mas bajos",
                "mas bajas",
                "el mas bajo",
                "la mas baja",
            ],
            Least,
            es,
        ),
        (&["top", "first"], Top, en),
        (&["mejores", "principales", "primeros", "primeras", "top"], Top, es),
        (&["bottom"], Bottom, en),
        (
            &[
                "vs",
                "versus",
                "compared",
                "compare",
                "comparing",
                "comparison",
                "against",
                "relative to",
                "compared to",
                "compared with",
                "in comparison to",
                "in comparison with",
            ],
            Compare,
            en,
        ),
        (
            &[
                "comparado",
                "comparada",
                "comparados",
                "comparadas",
                "comparar",
                "compara",
                "comparacion",
                "frente",
                "frente a",
                "frente al",
                "contra",
                "respecto",
                "respecto a",
                "respecto al",
                "en comparacion con",
                "comparado con",
                "vs",
            ],
            Compare,
            es,
        ),
        (
            &[
                "share",
                "distribution",
                "mix",
                "proportion",
                "percentage",
                "percentages",
                "percent",
                "composition",
                "split",
                "makeup",
                "share of",
            ],
            Share,
            en,
        ),
        (
            &[
                "reparto",
                "distribucion",
                "participacion",
                "proporcion",
                "porcentaje",
                "porcentajes",
                "composicion",
                "peso",
            ],
            Share,
            es,
        ),
        (
            &[
                "excluding",
                "exclude",
                "except",
                "without",
                "other than",
                "not including",
                "except for",
                "not",
                "outside",
                "outside of",
                "not in",
                "apart from",
                "aside from",
            ],
            Not,
            en,
        ),
        (
            &[
                "sin",
                "excepto",
                "salvo",
                "excluyendo",
                "sin contar",
                "exceptuando",
                "fuera de",
                "no",
                "que no sean",
                "que no son",
                "distinto de",
                "distintos de",
                "distinta de",
                "distintas de",
                "diferente de",
                "diferentes de",
                "diferente a",
                "diferentes a",
            ],
            Not,
            es,
        ),
        (&["also", "too", "as well"], Also, en),
        (&["average", "avg", "mean", "on average"], Average { valued: false }, en),
        (
            &[
                "average value",
                "average amount",
                "avg value",
                "avg amount",
                "mean value",
                "mean amount",
                "average spend",
                "average spent",
            ],
            Average { valued: true },
            en,
        ),
        (&["promedio", "en promedio", "de media", "media", "promedio de"], Average { valued: false }, es),
        (
            &[
                "valor medio",
                "valor promedio",
                "monto medio",
                "monto promedio",
                "importe medio",
                "importe promedio",
                "gasto medio",
                "gasto promedio",
                "valor de compra promedio",
            ],
            Average { valued: true },
            es,
        ),
        (&["tambien", "ademas"], Also, es),
        (
            &[
                "trend",
                "trends",
                "over time",
                "evolution",
                "history",
                "historical",
                "timeline",
                "progression",
                "time series",
            ],
            Trend,
            en,
        ),
        (
            &[
                "tendencia",
                "tendencias",
                "evolucion",
                "historico",
                "historia",
                "a lo largo del tiempo",
                "en el tiempo",
                "serie de tiempo",
            ],
            Trend,
            es,
        ),
        (
            &[
                "a",
                "an",
                "the",
                "of",
                "for",
                "in",
                "on",
                "at",
                "to",
                "from",
                "with",
                "within",
                "into",
                "about",
                "over",
                "during",
                "and",
                "or",
                "is",
                "are",
                "was",
                "were",
                "be",
                "been",
                "being",
                "am",
                "do",
                "does",
                "did",
                "have",
                "has",
                "had",
                "having",
                "we",
                "our",
                "ours",
                "us",
                "i",
                "me",
                "my",
                "you",
                "your",
                "it",
                "its",
                "they",
                "their",
                "them",
                "this",
                "that",
                "these",
                "those",
                "there",
                "here",
                "how",
                "many",
                "much",
                "number",
                "count",
                "counts",
                "amount",
                "total",
                "totals",
                "overall",
                "all",
                "show",
                "give",
                "list",
                "get",
                "tell",
                "display",
                "see",
                "view",
                "find",
                "know",
                "want",
                "need",
                "like",
                "would",
                "could",
                "can",
                "should",
                "please",
                "thanks",
                "thank",
                "kindly",
                "let",
                "lets",
                "s",
                "whats",
                "so",
                "far",
                "so far",
                "up",
                "as",
                "only",
                "just",
                "now",
                "then",
                "will",
                "report",
                "summary",
                "breakdown",
                "overview",
                "data",
                "numbers",
                "figures",
                "stats",
                "statistics",
                "metrics",
                "generate",
                "generated",
                "generating",
                "got",
                "get",
                "getting",
                "compute",
                "calculate",
                "sum",
                "when",
                "ever",
                "period",
                "via",
                "through",
                "using",
                "any",
                "some",
                "in total",
                "altogether",
                "currently",
                "right now",
                "look",
                "looking",
                "regarding",
                "pull",
                "happened",
                "happen",
                "come",
                "came",
                "which were",
                "did we",
                "were there",
                "is there",
                "are there",
                "made",
                "make",
                "did",
                "been",
                "does",
                "currently",
                "total number",
                "how many",
                "how much",
                "number of",
                "amount of",
                "i want",
                "i need",
                "show me",
                "can you",
                "could you",
                "give me",
                "tell me",
                "let me know",
                "each of",
                "done",
                "rank",
                "ranked",
                "ranking",
                "rankings",
                "sorted",
                "ordered",
                "receiving",
                "value",
                "values",
                "level",
                "recorded",
                "registered",
                "logged",
                "exist",
                "existing",
                "existed",
                "right",
                "marketing",
                "respectively",
                "break down",
                "how big",
                "big",
                "size",
                "broken down",
                "database",
                "crm",
                "platform",
                "system",
                "account",
                "company",
                "business",
                "store data",
                "in our database",
                "ones",
                "one",
                "those",
                "who",
                "whom",
                "went",
                "go",
                "along",
                "both",
                "d",
                "ll",
                "ve",
                "re",
                "pls",
                "plz",
                "hey",
                "ok",
                "okay",
                "issued",
                "created",
                "added",
                "launched",
                "launch",
                "started",
                "joined",
                "perform",
                "performs",
                "performed",
                "performing",
                "brought",
                "brought in",
                "bring",
                "brings",
                "bringing",
                "messaging",
                "open",
                "we ve",
                "whole",
                "entire",
                "actually",
                "exactly",
                "roughly",
                "approximately",
                "distributed",
                "spread",
            ],
            Stop,
            en,
        ),
        (
            &[
                "el",
                "la",
                "los",
                "las",
                "lo",
                "un",
                "una",
                "unos",
                "unas",
                "de",
                "del",
                "en",
                "con",
                "para",
                "a",
                "al",
                "y",
                "e",
                "o",
                "u",
                "como",
                "cuanto",
                "cuanta",
                "cuantos",
                "cuantas",
                "es",
                "son",
                "fue",
                "fueron",
                "era",
                "eran",
                "ser",
                "sido",
                "ha",
                "han",
                "he",
                "hemos",
                "hay",
                "habia",
                "hubo",
                "tenemos",
                "tengo",
                "tiene",
                "tienen",
                "tuvo",
                "tuvieron",
                "tuvimos",
                "teniamos",
                "tenia",
                "se",
                "me",
                "mi",
                "mis",
                "nos",
                "nuestro",
                "nuestra",
                "nuestros",
                "nuestras",
                "su",
                "sus",
                "muestrame",
                "muestra",
                "mostrar",
                "muestreme",
                "mostrame",
                "ensename",
                "dame",
                "deme",
                "dime",
                "digame",
                "quiero",
                "quisiera",
                "queremos",
                "ver",
                "saber",
                "conocer",
                "necesito",
                "podrias",
                "puedes",
                "podria",
                "por favor",
                "favor",
                "gracias",
                "total",
                "totales",
                "lista",
                "listar",
                "cantidad",
                "numero",
                "cifra",
                "cifras",
                "datos",
                "dato",
                "informe",
                "reporte",
                "resumen",
                "desglose",
                "este",
                "esta",
                "estos",
                "estas",
                "ese",
                "esa",
                "esos",
                "esas",
                "le",
                "les",
                "ya",
                "ahora",
                "solo",
                "solamente",
                "unicamente",
                "durante",
                "dentro",
                "sobre",
                "acerca",
                "genera",
                "generan",
                "genero",
                "generaron",
                "generado",
                "generados",
                "obtuvimos",
                "obtener",
                "hicimos",
                "hizo",
                "tal",
                "registramos",
                "registrado",
                "registradas",
                "visto",
                "vimos",
                "existe",
                "existen",
                "calcula",
                "calcular",
                "cuenta",
                "actualmente",
                "hasta ahora",
                "hasta la fecha",
                "mediante",
                "en total",
                "todos",
                "todas",
                "todo",
                "suma",
                "valor",
                "nivel",
                "ordenado",
                "ordenados",
                "ordenadas",
                "ranking",
                "quienes",
                "quien",
                "el numero de",
                "la cantidad de",
                "cuantos hay",
                "cuantas hay",
                "ambos",
                "ambas",
                "van",
                "llevamos",
                "va",
                "fueron los",
                "quiero ver",
                "me gustaria",
                "gustaria",
                "podrias decirme",
                "decirme",
                "mostrarme",
                "muestrenme",
                "registro",
                "registraron",
                "marketing",
                "indicame",
                "indica",
                "ni",
                "estan",
                "estaban",
                "estuvieron",
                "esten",
                "hubieron",
                "tuviste",
                "base de datos",
                "plataforma",
                "sistema",
                "cuenta",
                "empresa",
                "negocio",
                "registrados en",
                "oye",
                "hola",
                "decir",
                "puedes decir",
                "acumulado",
                "acumulada",
                "acumulados",
                "acumuladas",
                "creadas",
                "creados",
                "crearon",
                "creamos",
                "lanzada",
                "lanzadas",
                "lanzados",
                "lanzamos",
                "lanzaron",
                "emitidos",
                "emitidas",
                "agregados",
                "agregadas",
                "anadidos",
                "mensajeria",
                "a ver",
                "porfa",
                "porfis",
                "plis",
                "tenido",
                "iniciadas",
                "iniciaron",
                "exactamente",
                "aproximadamente",
                "entero",
                "completo",
                "hicieron",
                "hicimos",
                "hecho",
                "hechas",
                "hechos",
                "realizaron",
                "realizamos",
                "realizadas",
                "realizados",
                "distribuyen",
                "se distribuyen",
                "distribuidos",
                "distribuidas",
                "reparten",
                "se reparten",
                "repartidos",
            ],
            Stop,
            es,
        ),
    ]
}
