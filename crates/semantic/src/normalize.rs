//! Text normalization: case, accents, punctuation, and small typos, so that "¿Cuántos MESAJES?" and
//! "cuantos mensajes" reach the lexicon as the same words.

/// Lower-cases, folds accents (á→a, ñ→n) and turns everything that is not a letter or digit into a word
/// break; `%` becomes the word "percent". Digits glued to letters ("30days") are split; "q1" stays whole;
/// one letter with a slash ("p/") stays a word, for the lexicon's shorthand.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_digit = false;
    for ch in text.chars() {
        for c in ch.to_lowercase() {
            let c = fold_char(c);
            if c.is_ascii_alphanumeric() {
                // "30days" → "30 days"; letters before digits stay glued ("q1", "h2").
                if prev_digit && c.is_ascii_alphabetic() && !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                prev_digit = c.is_ascii_digit();
                current.push(c);
            } else {
                // "p/ mes", "c/ opt-in": one letter and a slash is shorthand for a word, kept whole; "15/11/2026",
                // "11/2026": digits and slashes are one date.
                if c == '/' && (prev_digit || current.len() == 1) {
                    current.push(c);
                    if prev_digit {
                        continue;
                    }
                }
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                prev_digit = false;
                if c == '%' {
                    out.push("percent".to_string());
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    // A date's slash with nothing after it ("11/") is no date.
    for t in out.iter_mut().filter(|t| t.ends_with('/') && t.starts_with(|c: char| c.is_ascii_digit())) {
        t.pop();
    }
    out
}

/// Folds a lower-case letter to its unaccented ASCII form; other characters pass through.
fn fold_char(c: char) -> char {
    match c {
        'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        other => other,
    }
}

/// A phrase from the model in the engine's normal form ("Tasa de Entrega" → "tasa de entrega").
pub(crate) fn phrase(text: &str) -> Vec<String> {
    tokens(text)
}

/// ASCII snake_case of a label, for output column names ("tasa de entrega" → "tasa_de_entrega").
pub(crate) fn snake(text: &str) -> String {
    let words = tokens(text);
    let joined = words.join("_");
    if joined.is_empty() { "value".to_string() } else { joined }
}

/// How far a word may be from a known word and still count as a typo of it: never for short words or
/// numbers (too many real words are one letter apart), 1 edit from 5 letters, 2 edits from 8.
pub(crate) fn typo_budget(word: &str) -> usize {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return 0;
    }
    match word.chars().count() {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// The one known word within the typo budget of `word`, if exactly one is closest; of equally close words,
/// the one of the question's language (`in_lang`) when it is the only one.
pub(crate) fn correct<'a>(
    word: &str,
    vocabulary: &'a [String],
    in_lang: &dyn Fn(&str) -> bool,
) -> Option<&'a str> {
    let budget = typo_budget(word);
    if budget == 0 {
        return None;
    }
    let len = word.chars().count();
    let mut found: Vec<(usize, &'a str)> = Vec::new();
    for known in vocabulary {
        let klen = known.chars().count();
        if klen.abs_diff(len) > budget || typo_budget(known) == 0 {
            continue;
        }
        let d = strsim::damerau_levenshtein(word, known);
        if d == 0 || d > budget {
            continue;
        }
        found.push((d, known.as_str()));
    }
    let best = found.iter().map(|(d, _)| *d).min()?;
    // Equally far candidates: the one that keeps the word's shape best ("contry" is "country", a letter
    // dropped, rather than "contra"); still a tie, no guess.
    let mut ranked: Vec<(f64, &'a str)> = found
        .into_iter()
        .filter(|(d, _)| *d == best)
        .map(|(_, w)| (strsim::jaro_winkler(word, w), w))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    match ranked.as_slice() {
        [(_, w)] => Some(w),
        [(s1, w), (s2, _), ..] if s1 - s2 > 0.02 => Some(w),
        _ => match ranked.iter().filter(|(_, w)| in_lang(w)).collect::<Vec<_>>().as_slice() {
            [(_, w)] => Some(w),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(
            tokens("¿Cuántos contactos tenemos en México?"),
            ["cuantos", "contactos", "tenemos", "en", "mexico"]
        );
        assert_eq!(tokens("opted-in, 30days; 95%"), ["opted", "in", "30", "days", "95", "percent"]);
        assert_eq!(tokens("Q1 2026 año"), ["q1", "2026", "ano"]);
        assert_eq!(tokens("p/ mes, 24/7 y/o"), ["p/", "mes", "24/7", "y/", "o"]);
        assert_eq!(
            tokens("del 15/11/2026 al 30/11/2026, 11/ 2026"),
            ["del", "15/11/2026", "al", "30/11/2026", "11", "2026"]
        );
        assert!(tokens("   ").is_empty());
    }

    #[test]
    fn corrects_only_long_words_within_budget() {
        let vocab: Vec<String> =
            ["mensajes", "messages", "revenue", "delivery", "sms", "email"].map(String::from).to_vec();
        assert_eq!(correct("mesajes", &vocab, &|_| true), Some("mensajes"));
        assert_eq!(correct("reveneu", &vocab, &|_| true), Some("revenue"));
        assert_eq!(correct("delivry", &vocab, &|_| true), Some("delivery"));
        assert_eq!(correct("sma", &vocab, &|_| true), None);
        assert_eq!(correct("emial", &vocab, &|_| true), Some("email"));
        assert_eq!(correct("globex", &vocab, &|_| true), None);
        assert_eq!(correct("12345", &vocab, &|_| true), None);
        let vocab: Vec<String> = ["country", "contra"].map(String::from).to_vec();
        assert_eq!(correct("contry", &vocab, &|_| true), Some("country"));
        // A tie between two languages' words goes to the question's language.
        let vocab: Vec<String> = ["rates", "ratos"].map(String::from).to_vec();
        assert_eq!(correct("ratxs", &vocab, &|_| true), None);
        assert_eq!(correct("ratxs", &vocab, &|w| w == "ratos"), Some("ratos"));
    }

    #[test]
    fn snake_case_labels() {
        assert_eq!(snake("Tasa de entrega"), "tasa_de_entrega");
        assert_eq!(snake("campañas"), "campanas");
    }
}
