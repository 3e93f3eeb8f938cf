//! The body parser: one pass over the bytes into the token tape. The cursor is a
//! local (kept in a register), the hot paths (blanks, plain strings, keys) are
//! inline, and escaped strings, numbers and errors take out-of-line paths.

use super::{Doc, Tok, TokKind, MAX_DEPTH};

pub(crate) fn parse(src: &str) -> Result<Doc<'_>, String> {
    if src.len() >= u32::MAX as usize {
        return Err("invalid JSON in body: too large".into());
    }
    // Dense JSON averages a token per 4-8 bytes; over-reserving beats regrowing.
    let mut toks = Vec::with_capacity(src.len() / 4 + 4);
    let mut decoded = Vec::new();
    document(src, &mut toks, &mut decoded)?;
    Ok(Doc { src, toks, decoded })
}

fn error(what: &str, at: usize) -> String {
    format!("invalid JSON in body: {what} at byte {at}")
}

/// Bytes that end the plain part of a string: `"`, `\` and control characters.
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Index of the first `STOP` byte, eight bytes at a time (SWAR): a byte is
/// flagged when it equals `"` or `\` or is below 0x20. The lowest flag of each
/// test is exact (false positives only appear above a true one), so the lowest
/// flag overall is the answer.
#[inline]
fn plain_len(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut chunks = b.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        let m = (w.wrapping_sub(ONES * 0x20) & !w & HIGH)
            | zero(w ^ (ONES * b'"' as u64))
            | zero(w ^ (ONES * b'\\' as u64));
        if m != 0 {
            return Some(base + (m.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| STOP[c as usize])
        .map(|k| base + k)
}

#[inline(always)]
fn ws(b: &[u8], mut i: usize) -> usize {
    // No blank, or the single space after `,` / `:`: the usual cases.
    match b.get(i) {
        Some(&c) if c > b' ' => return i,
        Some(b' ') if b.get(i + 1).is_some_and(|&c| c > b' ') => return i + 1,
        _ => {}
    }
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

#[inline(always)]
fn push(toks: &mut Vec<Tok>, kind: TokKind, a: u32, b: u32) {
    let next = toks.len() as u32 + 1;
    toks.push(Tok { kind, a, b, next });
}

/// A string starting at the quote at `i`; returns the index after its closing quote.
#[inline(always)]
fn string(s: &str, i: usize, toks: &mut Vec<Tok>, dec: &mut Vec<String>) -> Result<usize, String> {
    let b = s.as_bytes();
    let start = i + 1;
    match plain_len(&b[start..]).map(|k| (start + k, b[start + k])) {
        Some((end, b'"')) => {
            push(toks, TokKind::Str, start as u32, end as u32);
            Ok(end + 1)
        }
        Some((at, b'\\')) => escaped(s, start, at, toks, dec),
        Some((at, _)) => Err(error("control character in string", at)),
        None => Err(error("unterminated string", b.len())),
    }
}

/// The rest of a string from its first backslash at `i`.
#[cold]
#[inline(never)]
fn escaped(
    s: &str,
    start: usize,
    mut i: usize,
    toks: &mut Vec<Tok>,
    dec: &mut Vec<String>,
) -> Result<usize, String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(i - start + 64);
    out.push_str(&s[start..i]);
    loop {
        let Some(&c) = b.get(i) else {
            return Err(error("unterminated string", i));
        };
        match c {
            b'"' => {
                i += 1;
                let idx = dec.len() as u32;
                dec.push(out);
                push(toks, TokKind::EscStr, idx, 0);
                return Ok(i);
            }
            b'\\' => {
                i += 1;
                let e = *b.get(i).ok_or_else(|| error("bad escape", i))?;
                i += 1;
                match e {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let hi = hex4(s, &mut i)?;
                        let c = if (0xD800..0xDC00).contains(&hi) && s[i..].starts_with("\\u") {
                            let save = i;
                            i += 2;
                            let lo = hex4(s, &mut i)?;
                            if (0xDC00..0xE000).contains(&lo) {
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                i = save;
                                None
                            }
                        } else {
                            char::from_u32(hi)
                        };
                        out.push(c.unwrap_or('\u{FFFD}'));
                    }
                    _ => return Err(error("bad escape", i)),
                }
            }
            c if c < 0x20 => return Err(error("control character in string", i)),
            _ => {
                // Copy the run up to the next quote, escape or control character
                // (all ASCII, so the run ends on a char boundary).
                let n = plain_len(&b[i..]).unwrap_or(b.len() - i);
                out.push_str(&s[i..i + n]);
                i += n;
            }
        }
    }
}

fn hex4(s: &str, i: &mut usize) -> Result<u32, String> {
    let h = s
        .get(*i..*i + 4)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or_else(|| error("bad \\u escape", *i))?;
    *i += 4;
    Ok(h)
}

/// A key at `i` (blanks already skipped) and its colon; returns the index after
/// the colon.
#[inline(always)]
fn key(s: &str, i: usize, toks: &mut Vec<Tok>, dec: &mut Vec<String>) -> Result<usize, String> {
    let b = s.as_bytes();
    if b.get(i) != Some(&b'"') {
        return Err(error("expected a key", i));
    }
    let i = ws(b, string(s, i, toks, dec)?);
    if b.get(i) != Some(&b':') {
        return Err(error("expected :", i));
    }
    Ok(i + 1)
}

#[cold]
#[inline(never)]
fn number(b: &[u8], mut i: usize, toks: &mut Vec<Tok>) -> Result<usize, String> {
    let start = i;
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        *i > from
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    if !digits(&mut i) {
        return Err(error("bad number", i));
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return Err(error("bad number", i));
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return Err(error("bad number", i));
        }
    }
    push(toks, TokKind::Num, start as u32, i as u32);
    Ok(i)
}

fn literal(
    b: &[u8],
    i: usize,
    word: &str,
    kind: TokKind,
    toks: &mut Vec<Tok>,
) -> Result<usize, String> {
    if b[i..].starts_with(word.as_bytes()) {
        push(toks, kind, 0, 0);
        Ok(i + word.len())
    } else {
        Err(error("unexpected token", i))
    }
}

/// An open container: its token, elements so far, and whether it is an object.
#[derive(Clone, Copy, Default)]
struct Open {
    idx: u32,
    count: u32,
    obj: bool,
}

/// Ends the container `open[depth]`: records its element count and subtree end,
/// and counts it in its parent.
#[inline(always)]
fn close(toks: &mut [Tok], open: &mut [Open], depth: usize) {
    let end = toks.len() as u32;
    let o = open[depth];
    let t = &mut toks[o.idx as usize];
    t.next = end;
    t.a = o.count;
    if depth > 0 {
        open[depth - 1].count += 1;
    }
}

/// Iterative so that nesting costs no stack; `open` holds the open containers,
/// whose counts stay here (not in the tape) until they close.
fn document(s: &str, toks: &mut Vec<Tok>, dec: &mut Vec<String>) -> Result<(), String> {
    let b = s.as_bytes();
    let mut open = [Open::default(); MAX_DEPTH];
    let mut depth = 0usize;
    let mut i = 0usize;
    let mut expect_value = true;
    loop {
        if expect_value {
            i = ws(b, i);
            match b.get(i) {
                Some(&c @ (b'{' | b'[')) => {
                    if depth == MAX_DEPTH {
                        return Err(error("nesting too deep", i));
                    }
                    let obj = c == b'{';
                    let kind = if obj { TokKind::Object } else { TokKind::Array };
                    open[depth] = Open {
                        idx: toks.len() as u32,
                        count: 0,
                        obj,
                    };
                    depth += 1;
                    push(toks, kind, 0, 0);
                    i = ws(b, i + 1);
                    if b.get(i) == Some(if obj { &b'}' } else { &b']' }) {
                        i += 1;
                        depth -= 1;
                        close(toks, &mut open, depth);
                        expect_value = false;
                    } else if obj {
                        i = key(s, i, toks, dec)?;
                    }
                    continue;
                }
                Some(b'"') => i = string(s, i, toks, dec)?,
                Some(b't') => i = literal(b, i, "true", TokKind::True, toks)?,
                Some(b'f') => i = literal(b, i, "false", TokKind::False, toks)?,
                Some(b'n') => i = literal(b, i, "null", TokKind::Null, toks)?,
                Some(b'0'..=b'9') => {
                    // Plain integers inline; anything else takes the full path.
                    let start = i;
                    let mut j = i;
                    while b.get(j).is_some_and(|c| c.is_ascii_digit()) {
                        j += 1;
                    }
                    if matches!(b.get(j), Some(b'.' | b'e' | b'E')) {
                        i = number(b, start, toks)?;
                    } else {
                        push(toks, TokKind::Num, start as u32, j as u32);
                        i = j;
                    }
                }
                Some(b'-') => i = number(b, i, toks)?,
                _ => return Err(error("unexpected token", i)),
            }
            if depth > 0 {
                open[depth - 1].count += 1;
            }
            expect_value = false;
        } else {
            i = ws(b, i);
            if depth == 0 {
                return if i == b.len() {
                    Ok(())
                } else {
                    Err(error("trailing characters", i))
                };
            }
            let is_obj = open[depth - 1].obj;
            match b.get(i) {
                Some(b',') => {
                    i += 1;
                    if is_obj {
                        i = key(s, ws(b, i), toks, dec)?;
                    }
                    expect_value = true;
                }
                Some(b'}') if is_obj => {
                    i += 1;
                    depth -= 1;
                    close(toks, &mut open, depth);
                }
                Some(b']') if !is_obj => {
                    i += 1;
                    depth -= 1;
                    close(toks, &mut open, depth);
                }
                _ => return Err(error("expected , or a closing bracket", i)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_string_ends_like_a_byte_scan() {
        let bytes: Vec<u8> = (0u8..=255).collect();
        for len in 0..24 {
            for &stop in &bytes {
                for at in 0..len {
                    let mut v = vec![b'a'; len];
                    // Noise above the stop must not matter; 0xC3 starts a multi-byte char.
                    v[at] = stop;
                    if at + 1 < len {
                        v[at + 1] = 0xC3;
                    }
                    let want = v.iter().position(|&c| STOP[c as usize]);
                    assert_eq!(plain_len(&v), want, "{v:?}");
                }
            }
        }
    }

    #[test]
    fn rejects_malformed_input() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01x",
            "\"\\x\"",
            "tru",
            "1 2",
            "\"\u{1}\"",
            "-",
            "1.",
            "1e",
            "[1.5e+]",
            "\"abc",
            "\"a\\",
            "\"\\u12\"",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
        let ok = "[".repeat(128) + &"]".repeat(128);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn error_positions() {
        let e = |s: &str| parse(s).unwrap_err();
        assert_eq!(e("{\"a\" 1}"), "invalid JSON in body: expected : at byte 5");
        assert_eq!(
            e("[1,]"),
            "invalid JSON in body: unexpected token at byte 3"
        );
        assert_eq!(
            e("01x"),
            "invalid JSON in body: trailing characters at byte 2"
        );
        assert_eq!(
            e("\"abc"),
            "invalid JSON in body: unterminated string at byte 4"
        );
        assert_eq!(
            e("[1 2]"),
            "invalid JSON in body: expected , or a closing bracket at byte 3"
        );
        assert_eq!(e("{1:2}"), "invalid JSON in body: expected a key at byte 1");
        assert_eq!(e("1.x"), "invalid JSON in body: bad number at byte 2");
        assert_eq!(e("\"a\\q\""), "invalid JSON in body: bad escape at byte 4");
    }

    #[test]
    fn numbers_keep_their_text() {
        let d = parse("[0, 12, -3, 4.5, 6e2, 7E-1]").unwrap();
        let nums: Vec<&str> = (1..7).map(|i| d.str_at(i)).collect();
        assert_eq!(nums, ["0", "12", "-3", "4.5", "6e2", "7E-1"]);
    }
}
