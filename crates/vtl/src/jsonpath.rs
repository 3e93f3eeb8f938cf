//! The JSONPath subset API Gateway templates use with `$input.path/json`:
//! `$`, `.name`, `['name']`, `[n]` (negative counts from the end), `[*]`/`.*`, and
//! `..name` (recursive descent). A path without wildcards yields one value (or
//! nothing); a wildcard or descent yields a list, like Jayway JsonPath which AWS uses.

use crate::json::JRef;

pub(crate) enum Matches<'a> {
    One(Option<JRef<'a>>),
    Many(Vec<JRef<'a>>),
}

#[derive(Debug)]
enum Seg<S> {
    Key(S),
    Index(i64),
    Wild,
    Descend(Option<S>),
}

impl Seg<Box<str>> {
    fn borrowed(&self) -> Seg<&str> {
        match self {
            Seg::Key(k) => Seg::Key(k),
            Seg::Index(i) => Seg::Index(*i),
            Seg::Wild => Seg::Wild,
            Seg::Descend(n) => Seg::Descend(n.as_deref()),
        }
    }
}

/// A JSONPath parsed once, when the template is parsed (`$input.path('$.a.b')`
/// with a literal argument), so rendering does no path parsing.
#[derive(Debug)]
pub(crate) struct Path {
    segs: Vec<Seg<Box<str>>>,
    /// No wildcard or descent.
    simple: bool,
}

/// Parses `path` ahead of time; `None` when it is invalid (the render then
/// reports the error as it would for a computed path).
pub(crate) fn compile(path: &str) -> Option<Path> {
    let segs = segments(path)
        .map(|seg| {
            seg.map(|s| match s {
                Seg::Key(k) => Seg::Key(k.into()),
                Seg::Index(i) => Seg::Index(i),
                Seg::Wild => Seg::Wild,
                Seg::Descend(n) => Seg::Descend(n.map(Into::into)),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    let simple = segs
        .iter()
        .all(|s| matches!(s, Seg::Key(_) | Seg::Index(_)));
    Some(Path { segs, simple })
}

pub(crate) fn select_compiled<'a>(root: JRef<'a>, path: &Path) -> Matches<'a> {
    if path.simple {
        // Only keys and indexes: one walk down, no list.
        let mut one = Some(root);
        for seg in &path.segs {
            one = match (one, seg) {
                (Some(j), Seg::Key(k)) => j.get(k),
                (Some(j), Seg::Index(i)) => j.index(*i),
                _ => None,
            };
        }
        return Matches::One(one);
    }
    let segs = path.segs.iter().map(|s| Ok(s.borrowed()));
    match run::<std::convert::Infallible>(root, segs) {
        Ok(m) => m,
        Err(never) => match never {},
    }
}

pub(crate) fn select<'a>(root: JRef<'a>, path: &str) -> Result<Matches<'a>, String> {
    run(root, segments(path))
}

/// The segments of `path`, parsed lazily (the first bad one is an error).
fn segments(path: &str) -> impl Iterator<Item = Result<Seg<&str>, String>> {
    let path = path.trim();
    let (mut rest, mut bad) = match path.strip_prefix('$') {
        Some(r) => (r, false),
        // Jayway tolerates a missing root: `a.b` means `$.a.b`.
        None if !path.is_empty() => (path, false),
        None => ("", true),
    };
    let implicit_dot = !path.starts_with('$');
    let mut first = true;
    std::iter::from_fn(move || {
        if bad {
            bad = false;
            return Some(Err("empty JSONPath".into()));
        }
        if rest.is_empty() && !(first && implicit_dot) {
            return None;
        }
        let r = next_segment(rest, first && implicit_dot);
        first = false;
        match r {
            Ok((seg, tail)) => {
                rest = tail;
                Some(Ok(seg))
            }
            Err(e) => {
                rest = "";
                Some(Err(e))
            }
        }
    })
}

fn run<'a, 'p, E>(
    root: JRef<'a>,
    segs: impl Iterator<Item = Result<Seg<&'p str>, E>>,
) -> Result<Matches<'a>, E> {
    let mut one = Some(root);
    let mut many: Option<Vec<JRef<'a>>> = None;
    for seg in segs {
        match (&mut many, seg?) {
            (None, Seg::Key(k)) => one = one.and_then(|j| j.get(k)),
            (None, Seg::Index(i)) => one = one.and_then(|j| j.index(i)),
            (None, seg) => {
                let mut out = Vec::new();
                if let Some(j) = one {
                    apply(j, &seg, &mut out);
                }
                many = Some(out);
            }
            (Some(v), seg) => {
                let mut out = Vec::new();
                for j in v.iter() {
                    apply(*j, &seg, &mut out);
                }
                *v = out;
            }
        }
    }
    Ok(match many {
        Some(v) => Matches::Many(v),
        None => Matches::One(one),
    })
}

fn apply<'a>(j: JRef<'a>, seg: &Seg<&str>, out: &mut Vec<JRef<'a>>) {
    match seg {
        Seg::Key(k) => out.extend(j.get(k)),
        Seg::Index(i) => out.extend(j.index(*i)),
        Seg::Wild => out.extend(j.children()),
        Seg::Descend(name) => descend(j, *name, out, 0),
    }
}

fn descend<'a>(j: JRef<'a>, name: Option<&str>, out: &mut Vec<JRef<'a>>, depth: u32) {
    // Documents nest at most 128 deep (both JSON parsers refuse more).
    if depth > 256 {
        return;
    }
    match name {
        Some(n) => out.extend(j.get(n)),
        None => out.extend(j.children()),
    }
    for c in j.children() {
        descend(c, name, out, depth + 1);
    }
}

fn next_segment(s: &str, implicit_dot: bool) -> Result<(Seg<&str>, &str), String> {
    if let Some(r) = s.strip_prefix("..") {
        if let Some(r) = r.strip_prefix('*') {
            return Ok((Seg::Descend(None), r));
        }
        let (name, tail) = split_name(r);
        if name.is_empty() {
            return Err(format!("bad JSONPath segment at `{s}`"));
        }
        return Ok((Seg::Descend(Some(name)), tail));
    }
    if let Some(r) = s
        .strip_prefix('.')
        .or(if implicit_dot { Some(s) } else { None })
    {
        if let Some(r) = r.strip_prefix('*') {
            return Ok((Seg::Wild, r));
        }
        let (name, tail) = split_name(r);
        if name.is_empty() {
            return Err(format!("bad JSONPath segment at `{s}`"));
        }
        return Ok((Seg::Key(name), tail));
    }
    if let Some(r) = s.strip_prefix('[') {
        let r = r.trim_start();
        if let Some(r) = r.strip_prefix('*') {
            let r = r.trim_start();
            return r
                .strip_prefix(']')
                .map(|t| (Seg::Wild, t))
                .ok_or_else(|| format!("expected ] in JSONPath at `{s}`"));
        }
        if let Some(q) = r.chars().next().filter(|c| *c == '\'' || *c == '"') {
            let body = &r[1..];
            let end = body
                .find(q)
                .ok_or_else(|| format!("unterminated quote in JSONPath at `{s}`"))?;
            let tail = body[end + 1..].trim_start();
            let tail = tail
                .strip_prefix(']')
                .ok_or_else(|| format!("expected ] in JSONPath at `{s}`"))?;
            return Ok((Seg::Key(&body[..end]), tail));
        }
        let end = r
            .find(']')
            .ok_or_else(|| format!("expected ] in JSONPath at `{s}`"))?;
        let n: i64 = r[..end]
            .trim()
            .parse()
            .map_err(|_| format!("unsupported JSONPath index `{}`", &r[..end]))?;
        return Ok((Seg::Index(n), &r[end + 1..]));
    }
    Err(format!("bad JSONPath segment at `{s}`"))
}

fn split_name(s: &str) -> (&str, &str) {
    let end = s.find(['.', '[']).unwrap_or(s.len());
    (s[..end].trim(), &s[end..])
}
