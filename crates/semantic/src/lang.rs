//! The two languages the analysts write in, and telling them apart from a question.

use crate::lexicon::Lexicon;
use crate::model::SemanticModel;

pub use inda_core::Lang;

/// The language of a question: Spanish when its words (or its `¿¡ñ` and accents) say so, else English.
/// The words of `model` (with a partner's override, its synonyms too) count as evidence.
pub fn detect_lang(model: &SemanticModel, question: &str) -> Lang {
    let (en, es) = scores(model.lexicon(), question);
    if es > en { Lang::Es } else { Lang::En }
}

/// Evidence for each language, from the question's characters, function words and the phrases of
/// `lexicon` that only one language uses; `(0, 0)` means the question gives none (e.g. "top 3").
pub(crate) fn scores(lexicon: &Lexicon, question: &str) -> (u32, u32) {
    let mut es = 0u32;
    for ch in question.chars() {
        if matches!(ch, '¿' | '¡' | 'ñ' | 'Ñ' | 'á' | 'é' | 'í' | 'ó' | 'ú' | 'Á' | 'É' | 'Í' | 'Ó' | 'Ú')
        {
            es += 2;
        }
    }
    let mut en = 0u32;
    for token in crate::normalize::tokens(question) {
        if EN_WORDS.contains(&token.as_str()) {
            en += 1;
        } else if ES_WORDS.contains(&token.as_str()) {
            es += 1;
        }
    }
    let (e, s) = lexicon.lang_votes(question);
    en += e;
    es += s;
    (en, es)
}

/// Function words that only one of the two languages uses; cheap and reliable evidence.
const EN_WORDS: &[&str] = &[
    "the", "of", "by", "how", "many", "much", "what", "which", "in", "and", "last", "this", "per", "show",
    "me", "were", "was", "did", "do", "we", "have", "is", "are", "there", "for", "with", "from", "about",
    "only",
];
const ES_WORDS: &[&str] = &[
    "el",
    "la",
    "los",
    "las",
    "de",
    "del",
    "por",
    "cuantos",
    "cuantas",
    "cuanto",
    "que",
    "cual",
    "en",
    "y",
    "este",
    "esta",
    "mes",
    "ano",
    "pasado",
    "tenemos",
    "hay",
    "con",
    "para",
    "muestrame",
    "dame",
    "solo",
    "ultimos",
    "un",
    "una",
    "fue",
    "son",
    "es",
];
