//! The sign-in deep link the CRM opens: `indigital-analytics://open?token=JWT[&analysis=ID | &question=TEXT]`.
//!
//! Parsed strictly and by hand, because a link is attacker-controlled input that arrives from outside the
//! app: one scheme, one action, each parameter at most once, percent-decoding applied exactly once, no
//! control characters, bounded sizes. Unknown parameters are ignored (the CRM may add tracking ones). The
//! token is only checked for shape here; [`crate::verify_token`] decides whether it is valid.

use crate::error::AuthError;
use inda_core::{Error, Secret};

/// The URL scheme the OS routes to the app (matched without regard to case).
pub const SCHEME: &str = "indigital-analytics";

/// Links longer than this are refused before parsing (a token is at most 8 KiB).
const MAX_LINK_LEN: usize = 12 * 1024;
const MAX_PARAMS: usize = 32;
const MAX_QUESTION_CHARS: usize = 500;

/// What a link asks for after signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// `&analysis=ID`: open this saved analysis (1 to 64 ASCII letters, digits, `-` or `_`; not yet checked
    /// to exist or to belong to the user).
    Analysis(String),
    /// `&question=TEXT`: ask this question (decoded, trimmed, 1 to 500 characters).
    Question(String),
}

/// A parsed deep link. The token stays inside [`Secret`].
#[derive(Debug)]
pub struct DeepLink {
    /// The JWT, checked only for shape (three dot-separated base64url parts, at most 8 KiB); not yet
    /// verified.
    pub token: Secret,
    /// What to show after signing in; `None` when the link only signs in.
    pub target: Option<LinkTarget>,
}

fn bad(why: &str) -> Error {
    AuthError::BadLink(why.to_string()).into()
}

/// Parses a deep link. The error never repeats the link (it carries a token).
pub fn parse_deep_link(link: &str) -> Result<DeepLink, Error> {
    if link.len() > MAX_LINK_LEN {
        return Err(bad(&format!("it is longer than {MAX_LINK_LEN} bytes")));
    }
    if link.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad("it contains spaces or control characters"));
    }
    let (scheme, rest) =
        link.split_once("://").ok_or_else(|| bad(&format!("it must start with {SCHEME}://")))?;
    if !scheme.eq_ignore_ascii_case(SCHEME) {
        return Err(bad(&format!("it must start with {SCHEME}://")));
    }
    if rest.contains('#') {
        return Err(bad("it has a fragment (#…)"));
    }
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    let action = location.strip_suffix('/').unwrap_or(location);
    if !action.eq_ignore_ascii_case("open") {
        return Err(bad("the only action is `open`"));
    }
    let mut token = None;
    let mut analysis = None;
    let mut question = None;
    let mut count = 0;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        count += 1;
        if count > MAX_PARAMS {
            return Err(bad("it has too many parameters"));
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(key)?;
        let slot = match key.as_str() {
            "token" => &mut token,
            "analysis" => &mut analysis,
            "question" => &mut question,
            _ => continue,
        };
        if slot.is_some() {
            return Err(bad(&format!("`{key}` appears more than once")));
        }
        *slot = Some(decode(value)?);
    }
    let token = token.ok_or_else(|| bad("it has no token"))?;
    if !is_jwt_shaped(&token) {
        return Err(bad("the token is not a JWT"));
    }
    let target = match (analysis, question) {
        (Some(_), Some(_)) => return Err(bad("it names both an analysis and a question")),
        (Some(id), None) => {
            let ok = !id.is_empty()
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                return Err(bad("the analysis id is not valid"));
            }
            Some(LinkTarget::Analysis(id))
        }
        (None, Some(q)) => {
            let q = q.trim().to_string();
            if q.is_empty() {
                return Err(bad("the question is empty"));
            }
            if q.chars().count() > MAX_QUESTION_CHARS {
                return Err(bad(&format!("the question is longer than {MAX_QUESTION_CHARS} characters")));
            }
            Some(LinkTarget::Question(q))
        }
        (None, None) => None,
    };
    Ok(DeepLink { token: Secret::new(token), target })
}

/// Decodes one component exactly once (`+` is a space, as forms encode it). Invalid escapes, invalid
/// UTF-8 and decoded control characters are refused, so `%00`, `%0A` or an overlong encoding cannot
/// smuggle anything through.
fn decode(s: &str) -> Result<String, Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(|| bad("it has a broken %-escape"))?;
                let hex = std::str::from_utf8(hex).map_err(|_| bad("it has a broken %-escape"))?;
                let byte = u8::from_str_radix(hex, 16).map_err(|_| bad("it has a broken %-escape"))?;
                out.push(byte);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    let text = String::from_utf8(out).map_err(|_| bad("a parameter is not valid UTF-8"))?;
    if text.chars().any(char::is_control) {
        return Err(bad("a parameter contains control characters"));
    }
    Ok(text)
}

fn is_jwt_shaped(token: &str) -> bool {
    token.len() <= 8 * 1024
        && token.split('.').count() == 3
        && token.split('.').take(2).all(|p| !p.is_empty())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT: &str = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln";

    #[test]
    fn a_plain_link_parses() {
        let l = parse_deep_link(&format!("indigital-analytics://open?token={JWT}")).unwrap();
        assert_eq!(l.token.expose(), JWT);
        assert_eq!(l.target, None);
        let l = parse_deep_link(&format!("INDIGITAL-ANALYTICS://open/?token={JWT}&analysis=a_1-b")).unwrap();
        assert_eq!(l.target, Some(LinkTarget::Analysis("a_1-b".into())));
        let l = parse_deep_link(&format!(
            "indigital-analytics://open?utm_source=crm&token={JWT}&question=%C2%BFcu%C3%A1ntos+mensajes%3F"
        ))
        .unwrap();
        assert_eq!(l.target, Some(LinkTarget::Question("¿cuántos mensajes?".into())));
    }

    #[test]
    fn hostile_links_are_refused() {
        let long_question = format!("indigital-analytics://open?token={JWT}&question={}", "a".repeat(600));
        let huge = format!("indigital-analytics://open?token={JWT}&x={}", "a".repeat(1 << 20));
        let many = format!("indigital-analytics://open?token={JWT}{}", "&x=1".repeat(40));
        let cases = [
            format!("javascript:alert(1)//indigital-analytics://open?token={JWT}"),
            format!("https://open?token={JWT}"),
            format!("indigital-analytics:open?token={JWT}"),
            format!("indigital-analytics://evil?token={JWT}"),
            format!("indigital-analytics://open/../x?token={JWT}"),
            format!("indigital-analytics://open?token={JWT}&token={JWT}"),
            format!("indigital-analytics://open?token={JWT}&analysis=a&question=b"),
            format!("indigital-analytics://open?token={JWT}&analysis=..%2F..%2Fetc"),
            format!("indigital-analytics://open?token={JWT}&question=a%00b"),
            format!("indigital-analytics://open?token={JWT}&question=a%0Ab"),
            format!("indigital-analytics://open?token={JWT}&question=%C0%AF"),
            format!("indigital-analytics://open?token={JWT}&question=%zz"),
            format!("indigital-analytics://open?token={JWT}&question=%"),
            format!("indigital-analytics://open?token={JWT}#frag"),
            format!("indigital-analytics://open?token={JWT} "),
            "indigital-analytics://open?token=%2565yJ.x.y".to_string(),
            "indigital-analytics://open?token=not-a-jwt".to_string(),
            "indigital-analytics://open?analysis=x".to_string(),
            "indigital-analytics://open".to_string(),
            long_question,
            huge,
            many,
        ];
        for link in cases {
            let e = parse_deep_link(&link).err().unwrap_or_else(|| panic!("accepted {link:.120}"));
            assert_eq!(e.code, inda_core::ErrorCode::Usage);
            assert!(!e.message.contains(JWT), "the error repeats the token");
        }
    }
}
