//! The two languages analysts work in: of questions, summaries, the UI and the exports.

use serde::{Deserialize, Serialize};

/// English or Spanish; English when nothing says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English (`en`), the default.
    #[default]
    En,
    /// Spanish (`es`).
    Es,
}

impl Lang {
    /// The ISO 639-1 code: `en` or `es`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// Picks the English or the Spanish text.
    pub fn pick<'a>(self, en: &'a str, es: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Es => es,
        }
    }

    /// The language a front end asked for (`?lang=es`, an IPC argument): Spanish for `es`, else English.
    pub fn or_default(code: Option<&str>) -> Lang {
        code.and_then(|c| c.parse().ok()).unwrap_or_default()
    }
}

impl std::str::FromStr for Lang {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "es" => Ok(Lang::Es),
            other => Err(crate::Error::usage(format!("unknown language '{other}': choose en or es"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn parses_codes_and_falls_back_to_english() {
        assert_eq!("ES".parse::<Lang>().unwrap(), Lang::Es);
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(Lang::or_default(Some("es")), Lang::Es);
        assert_eq!(Lang::or_default(Some("xx")), Lang::En);
        assert_eq!(Lang::or_default(None), Lang::En);
        assert_eq!(serde_json::to_string(&Lang::Es).unwrap(), "\"es\"");
    }
}
