//! `$util.*` string functions, byte-compatible with the Java libraries AWS uses.

use std::fmt::Write;

use base64::Engine;

/// Commons-lang 2 `StringEscapeUtils.escapeJavaScript`: escapes quotes (single
/// ones too, which is why AWS output needs `.replaceAll("\\'", "'")` for JSON),
/// backslash and `/`; other non-printable or non-ASCII chars become `\uXXXX`
/// (upper-case hex, UTF-16 units).
pub(crate) fn escape_javascript(s: &str, out: &mut String) {
    // Runs of printable ASCII that need no escape are copied whole.
    let b = s.as_bytes();
    let (mut run, mut i) = (0, 0);
    while i < b.len() {
        let c = b[i];
        if (0x20..=0x7e).contains(&c) && !matches!(c, b'"' | b'\'' | b'\\' | b'/') {
            i += 1;
            continue;
        }
        out.push_str(&s[run..i]);
        // `i` is on a char boundary: only ASCII bytes were skipped.
        let ch = s[i..].chars().next().unwrap_or('\u{FFFD}');
        escape_js_char(ch, out);
        i += ch.len_utf8();
        run = i;
    }
    out.push_str(&s[run..]);
}

fn escape_js_char(c: char, out: &mut String) {
    match c {
        '"' => out.push_str("\\\""),
        '\'' => out.push_str("\\'"),
        '\\' => out.push_str("\\\\"),
        '/' => out.push_str("\\/"),
        '\u{8}' => out.push_str("\\b"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(out, "\\u{:04X}", unit);
            }
        }
        c => out.push(c),
    }
}

/// `java.net.URLEncoder.encode(s, "UTF-8")`: form encoding, space becomes `+`.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// `java.net.URLDecoder.decode(s, "UTF-8")`; malformed escapes are an error there.
pub(crate) fn url_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        format!("URLDecoder: illegal hex characters in escape (%) pattern in `{s}`")
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

pub(crate) fn base64_encode(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

pub(crate) fn base64_decode(s: &str) -> Result<String, String> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim().as_bytes())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("base64Decode: {e}"))
}
