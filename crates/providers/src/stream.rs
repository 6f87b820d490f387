//! Reading streamed answers: server-sent events off the wire, and the explanation out of a JSON answer that
//! arrives a few characters at a time.

/// One server-sent event: its `event:` name (if any) and its `data:` lines joined by newlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `None` when the event had none.
    pub event: Option<String>,
    /// The `data:` lines joined with newlines (for the providers here, one JSON document).
    pub data: String,
}

/// Splits a byte stream into server-sent events. Network chunks end anywhere, even inside a UTF-8
/// character, so bytes are buffered until a whole line is there.
#[derive(Debug, Default)]
pub struct SseDecoder {
    buffer: Vec<u8>,
    event: Option<String>,
    data: Vec<String>,
}

impl SseDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Events completed by `chunk`.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.buffer.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some(newline) = self.buffer.iter().position(|&b| b == b'\n') {
            let mut line: Vec<u8> = self.buffer.drain(..=newline).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            if let Some(event) = self.line(&line) {
                events.push(event);
            }
        }
        events
    }

    /// The last event when the stream ended without the blank line that closes it.
    pub fn finish(&mut self) -> Option<SseEvent> {
        if !self.buffer.is_empty() {
            let line = String::from_utf8_lossy(&std::mem::take(&mut self.buffer)).into_owned();
            if let Some(event) = self.line(line.trim_end_matches('\r')) {
                return Some(event);
            }
        }
        self.dispatch()
    }

    fn line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => self.data.push(value.to_string()),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        if self.data.is_empty() {
            self.event = None;
            return None;
        }
        let data = std::mem::take(&mut self.data).join("\n");
        Some(SseEvent { event: self.event.take(), data })
    }
}

/// Follows a JSON answer as it streams in and yields the decoded text of its `"explanation"` string as soon
/// as each piece arrives, so the UI can show it before the SQL is complete.
#[derive(Debug, Default)]
pub struct ExplanationStreamer {
    text: String,
    /// Byte offset in `text` of the next undecoded character of the explanation, once its key was seen.
    cursor: Option<usize>,
    done: bool,
}

const KEY: &str = "\"explanation\"";

impl ExplanationStreamer {
    /// A streamer before the first fragment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next fragment of the answer; returns the explanation text it completes (maybe empty).
    pub fn push(&mut self, fragment: &str) -> String {
        self.text.push_str(fragment);
        if self.done {
            return String::new();
        }
        if self.cursor.is_none() {
            self.cursor = self.value_start();
        }
        let Some(start) = self.cursor else { return String::new() };
        let (decoded, consumed, closed) = decode_partial(&self.text[start..]);
        self.cursor = Some(start + consumed);
        self.done = closed;
        decoded
    }

    /// Where the explanation's string value starts, once `"explanation"`, `:` and `"` have all arrived.
    fn value_start(&self) -> Option<usize> {
        let mut from = 0;
        while let Some(found) = self.text[from..].find(KEY) {
            let after = from + found + KEY.len();
            let rest = &self.text[after..];
            let colon = rest.trim_start();
            let skipped = rest.len() - colon.len();
            if colon.is_empty() {
                return None;
            }
            if let Some(value) = colon.strip_prefix(':') {
                let quote = value.trim_start();
                if quote.is_empty() {
                    return None;
                }
                if quote.starts_with('"') {
                    return Some(after + skipped + 1 + (value.len() - quote.len()) + 1);
                }
            }
            from = after;
        }
        None
    }
}

/// Decodes a JSON string body up to its closing quote or to the last complete escape. Returns the text,
/// the bytes consumed and whether the closing quote was reached.
fn decode_partial(s: &str) -> (String, usize, bool) {
    let mut out = String::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        match bytes[i] {
            b'"' => return (out, i + 1, true),
            b'\\' => {
                let Some(&esc) = bytes.get(i + 1) else { break };
                let simple = match esc {
                    b'n' => Some('\n'),
                    b't' => Some('\t'),
                    b'r' => Some('\r'),
                    b'b' => Some('\u{8}'),
                    b'f' => Some('\u{c}'),
                    b'"' => Some('"'),
                    b'\\' => Some('\\'),
                    b'/' => Some('/'),
                    _ => None,
                };
                if let Some(c) = simple {
                    out.push(c);
                    i += 2;
                    continue;
                }
                if esc != b'u' {
                    // Not valid JSON; show the character rather than stall the stream.
                    i += 1;
                    continue;
                }
                let Some(unit) = hex4(s, i + 2) else { break };
                if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate needs its low half, which may not have arrived yet.
                    if s.len() < i + 12 {
                        break;
                    }
                    let low = if &s[i + 6..i + 8] == "\\u" { hex4(s, i + 8) } else { None };
                    match low {
                        Some(low) if (0xDC00..0xE000).contains(&low) => {
                            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                            i += 12;
                        }
                        _ => {
                            out.push('\u{FFFD}');
                            i += 6;
                        }
                    }
                } else {
                    out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                    i += 6;
                }
            }
            _ => {
                let c = s[i..].chars().next().unwrap_or('\u{FFFD}');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    (out, i, false)
}

fn hex4(s: &str, at: usize) -> Option<u32> {
    s.get(at..at + 4).and_then(|h| u32::from_str_radix(h, 16).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_events_survive_any_chunking() {
        let wire =
            "event: ping\ndata: {\"type\": \"ping\"}\n\n: comment\r\nevent: x\r\ndata: a\r\ndata: ñ\r\n\r\n";
        let bytes = wire.as_bytes();
        for split in 1..bytes.len() {
            let mut d = SseDecoder::new();
            let mut events = d.push(&bytes[..split]);
            events.extend(d.push(&bytes[split..]));
            assert_eq!(events.len(), 2, "split at {split}");
            assert_eq!(events[0].event.as_deref(), Some("ping"));
            assert_eq!(events[1].data, "a\nñ");
        }
    }

    #[test]
    fn unterminated_last_event_is_flushed() {
        let mut d = SseDecoder::new();
        assert!(d.push(b"data: [DONE]").is_empty());
        assert_eq!(d.finish().map(|e| e.data).as_deref(), Some("[DONE]"));
    }

    #[test]
    fn explanation_streams_character_by_character() {
        let json = r#"{"sql": "SELECT \"explanation\" FROM t", "chart": "bar", "explanation" : "Ventas \"netas\" por canal \u00e9 \ud83d\ude00\n."}"#;
        let mut s = ExplanationStreamer::new();
        let mut out = String::new();
        for c in json.chars() {
            out.push_str(&s.push(&c.to_string()));
        }
        assert_eq!(out, "Ventas \"netas\" por canal é 😀\n.");
    }
}
