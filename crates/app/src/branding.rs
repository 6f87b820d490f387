//! White-label branding (`[branding]` in config.toml, with `[branding.partners.<partner_id>]` overrides): the
//! partner's name, logo and colours, handed to the UI as CSS variables before its first paint.
//!
//! Values end up inside a style sheet, so they are checked here: a colour is a colour, a variable name is a
//! custom property name, and nothing can close the declaration or open another rule.

use crate::App;
use inda_core::{Error, Session};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[branding]` in config.toml: the default brand, and overrides per partner.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BrandingConfig {
    /// The brand of every partner without an override (the keys of `[branding]` itself).
    #[serde(flatten)]
    pub base: Brand,
    /// Per-partner overrides, keyed by the token's `partner_id`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partners: BTreeMap<String, Brand>,
}

/// One brand as configured. A partner's unset key falls back to the default brand's, then to the built-in
/// look; colours are checked when the branding is built, and a bad one is a usage error.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Brand {
    /// Product name shown in the UI; `inDigital Analytics` when unset everywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A PNG, SVG or JPEG file, relative to the data dir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_file: Option<String>,
    /// Main colour (`--brand-primary`): `#rgb`, `#rrggbb`, `#rrggbbaa`, or `rgb()`, `rgba()`, `hsl()`,
    /// `hsla()` with numbers only; `#0f62fe` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    /// Accent colour (`--brand-accent`), same syntax; `#08bdba` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    /// Page background (`--brand-background`), same syntax; `#f6f7f9` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// Background of cards and inputs (`--brand-surface`), same syntax; `#ffffff` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<String>,
    /// Text colour (`--brand-text`), same syntax; `#161616` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Further CSS custom properties, e.g. `"--radius" = "6px"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub css: BTreeMap<String, String>,
}

/// The branding the UI applies.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Branding {
    /// The product name to show: the partner's, else `inDigital Analytics`.
    pub name: String,
    /// Where the UI fetches the logo (`/api/branding/logo`), when one is configured.
    pub logo_url: Option<String>,
    /// The five colours, resolved and checked.
    pub colors: Colors,
    /// Every CSS custom property to set on `:root`.
    pub css: BTreeMap<String, String>,
}

/// A brand's colours after the fallbacks, each checked to be a plain CSS colour (safe inside a style sheet).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Colors {
    /// Main colour (`--brand-primary`).
    pub primary: String,
    /// Accent colour (`--brand-accent`).
    pub accent: String,
    /// Page background (`--brand-background`).
    pub background: String,
    /// Background of cards and inputs (`--brand-surface`).
    pub surface: String,
    /// Text colour (`--brand-text`).
    pub text: String,
}

impl Brand {
    fn over(&self, base: &Brand) -> Brand {
        let mut css = base.css.clone();
        css.extend(self.css.clone());
        Brand {
            name: self.name.clone().or_else(|| base.name.clone()),
            logo_file: self.logo_file.clone().or_else(|| base.logo_file.clone()),
            primary: self.primary.clone().or_else(|| base.primary.clone()),
            accent: self.accent.clone().or_else(|| base.accent.clone()),
            background: self.background.clone().or_else(|| base.background.clone()),
            surface: self.surface.clone().or_else(|| base.surface.clone()),
            text: self.text.clone().or_else(|| base.text.clone()),
            css,
        }
    }
}

/// A colour: `#rgb`, `#rrggbb`, `#rrggbbaa`, or `rgb(…)`/`rgba(…)`/`hsl(…)` with numbers only.
pub fn is_color(v: &str) -> bool {
    let v = v.trim();
    if let Some(hex) = v.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    for f in ["rgb(", "rgba(", "hsl(", "hsla("] {
        if let Some(inner) = v.strip_prefix(f).and_then(|r| r.strip_suffix(')')) {
            return inner.bytes().all(|b| b.is_ascii_digit() || b" .,%/deg".contains(&b));
        }
    }
    false
}

fn is_css_name(n: &str) -> bool {
    n.len() <= 64
        && n.strip_prefix("--").is_some_and(|r| {
            !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// A value that cannot leave its declaration: no `;`, braces, angle brackets, quotes, backslashes or
/// `url(` (no remote fetches under the CSP either).
fn is_css_value(v: &str) -> bool {
    v.len() <= 200
        && !v.to_ascii_lowercase().contains("url(")
        && !v.to_ascii_lowercase().contains("expression")
        && v.chars().all(|c| !c.is_control() && !";{}<>\"'\\".contains(c))
}

impl App {
    /// The branding for the session's partner.
    pub fn branding(&self, session: &Session) -> Result<Branding, Error> {
        let cfg = &self.config.branding;
        let brand = match cfg.partners.get(&session.partner_id) {
            Some(p) => p.over(&cfg.base),
            None => cfg.base.clone(),
        };
        let color = |v: &Option<String>, key: &str, default: &str| -> Result<String, Error> {
            match v {
                Some(c) if is_color(c) => Ok(c.trim().to_string()),
                Some(_) => Err(Error::usage(format!("[branding] {key} is not a colour (use #rrggbb)"))),
                None => Ok(default.to_string()),
            }
        };
        let colors = Colors {
            primary: color(&brand.primary, "primary", "#0f62fe")?,
            accent: color(&brand.accent, "accent", "#08bdba")?,
            background: color(&brand.background, "background", "#f6f7f9")?,
            surface: color(&brand.surface, "surface", "#ffffff")?,
            text: color(&brand.text, "text", "#161616")?,
        };
        let mut css = BTreeMap::new();
        css.insert("--brand-primary".to_string(), colors.primary.clone());
        css.insert("--brand-accent".to_string(), colors.accent.clone());
        css.insert("--brand-background".to_string(), colors.background.clone());
        css.insert("--brand-surface".to_string(), colors.surface.clone());
        css.insert("--brand-text".to_string(), colors.text.clone());
        for (k, v) in &brand.css {
            if !is_css_name(k) || !is_css_value(v) {
                return Err(Error::usage(format!(
                    "[branding] css entry `{k}` is not a safe CSS custom property"
                )));
            }
            css.insert(k.clone(), v.clone());
        }
        Ok(Branding {
            name: brand.name.clone().unwrap_or_else(|| "inDigital Analytics".to_string()),
            logo_url: brand.logo_file.as_ref().map(|_| "/api/branding/logo".to_string()),
            colors,
            css,
        })
    }

    /// The logo file of the session's partner: its bytes and content type.
    pub fn branding_logo(&self, session: &Session) -> Result<(Vec<u8>, &'static str), Error> {
        let cfg = &self.config.branding;
        let file = cfg
            .partners
            .get(&session.partner_id)
            .and_then(|p| p.logo_file.clone())
            .or_else(|| cfg.base.logo_file.clone())
            .ok_or_else(|| Error::not_found("no logo is configured"))?;
        let rel = std::path::Path::new(&file);
        // The logo must live inside the data dir: a config value may not point the server at other files.
        if rel.is_absolute() || rel.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(Error::usage("[branding] logo_file must be a path inside the data dir"));
        }
        let kind = match rel.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("png") => "image/png",
            Some("svg") => "image/svg+xml",
            Some("jpg" | "jpeg") => "image/jpeg",
            _ => return Err(Error::usage("[branding] logo_file must be a .png, .svg or .jpg file")),
        };
        let bytes = std::fs::read(self.dir.root().join(rel))
            .map_err(|e| Error::not_found(format!("the logo file cannot be read: {e}")))?;
        Ok((bytes, kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_css_are_checked() {
        for ok in ["#fff", "#0F62FE", "#0f62fe80", "rgb(1, 2, 3)", "hsl(120deg 50% 40%)"] {
            assert!(is_color(ok), "{ok}");
        }
        for bad in ["red;}body{x:y", "#ggg", "url(http://x)", "rgb(1,2,3);", "", "expression(alert(1))"] {
            assert!(!is_color(bad), "{bad}");
        }
        assert!(is_css_name("--radius") && !is_css_name("color") && !is_css_name("--a;b"));
        assert!(is_css_value("6px") && is_css_value("Inter, system-ui"));
        for bad in ["1px;}", "url(https://evil)", "</style>", "a\\62", "\"x\""] {
            assert!(!is_css_value(bad), "{bad}");
        }
    }
}
