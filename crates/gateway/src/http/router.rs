//! HTTP API route selection, as AWS documents it (http-api-develop-routes.html, "Routing API
//! requests"): a full match of path and method first, then path variables (`{name}`), then a
//! greedy path variable (`{proxy+}`, at the end of a route's path, matching one segment or
//! more), then the `$default` route. At each segment a literal beats `{name}`, which beats a
//! greedy variable (AWS's example: `GET /pets/dog/1` beats `GET /pets/dog/{id}`, which beats
//! `GET /pets/{proxy+}`); at a path a method's own route beats `ANY`. A path whose routes do not
//! take the method falls back to the next less specific path (AWS: `POST /pets/dog/1` goes to
//! `ANY /{proxy+}` when only `GET /pets/dog/1` is defined).
//!
//! A trie over segments: the lookup costs one hash per literal segment, whatever the number
//! of routes. Decision: a trailing slash names the same path (`/pets/` is `/pets`), and a
//! greedy variable needs at least one segment (`/{proxy+}` does not take `/`, the `$default`
//! route does).

use std::borrow::Cow;

use hyper::Method;
use percent_encoding::percent_decode_str;

use crate::fast_map::FastMap;

#[derive(Default)]
struct Node {
    literal: FastMap<Box<str>, Node>,
    param: Option<Box<Node>>,
    /// Routes whose path ends at this node.
    here: Methods,
    /// Routes whose path ends with a greedy variable below this node.
    greedy: Methods,
}

#[derive(Default)]
struct Methods {
    by_method: Vec<(Method, usize)>,
    any: Option<usize>,
}

impl Methods {
    fn pick(&self, method: &Method) -> Option<usize> {
        self.by_method
            .iter()
            .find(|(m, _)| m == method)
            .map(|(_, r)| *r)
            .or(self.any)
    }

    fn add(&mut self, method: Option<Method>, route: usize) {
        match method {
            None => self.any = Some(route),
            Some(m) => self.by_method.push((m, route)),
        }
    }
}

/// A route's path, parsed: `/pets/{id}/{proxy+}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

/// Split a route path (`/pets/{id}`) into segments; `None` when it is not one AWS accepts
/// (a greedy variable before the end, an empty segment inside).
pub fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let trimmed = path.strip_prefix('/')?;
    if trimmed.is_empty() {
        return Some(Vec::new());
    }
    let parts: Vec<&str> = trimmed.split('/').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() {
            return None;
        }
        let seg = match p.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => match name.strip_suffix('+') {
                Some(g) if i + 1 == parts.len() => Segment::Greedy(g.to_string()),
                Some(_) => return None,
                None => Segment::Param(name.to_string()),
            },
            None => Segment::Literal(p.to_string()),
        };
        out.push(seg);
    }
    Some(out)
}

/// The routes of a deployment, ready to match requests.
#[derive(Default)]
pub struct Router {
    root: Node,
    default: Option<usize>,
}

/// What matched: the route's index and its path variables' values (decoded), in the order
/// the route names them.
#[derive(Debug, PartialEq, Eq)]
pub struct Matched {
    pub route: usize,
    pub values: Vec<String>,
}

impl Router {
    /// Add route number `route`: `method` `None` is `ANY`.
    pub fn add(&mut self, method: Option<Method>, path: &[Segment], route: usize) {
        let mut node = &mut self.root;
        for seg in path {
            match seg {
                Segment::Literal(l) => node = node.literal.entry(l.as_str().into()).or_default(),
                Segment::Param(_) => node = node.param.get_or_insert_with(Box::default),
                Segment::Greedy(_) => {
                    node.greedy.add(method, route);
                    return;
                }
            }
        }
        node.here.add(method, route);
    }

    pub fn set_default(&mut self, route: usize) {
        self.default = Some(route);
    }

    /// The route for `method` on `path` (the raw path below the stage, `/` first).
    pub fn find(&self, method: &Method, path: &str) -> Option<Matched> {
        let raw = path.strip_prefix('/').unwrap_or(path);
        // A trailing slash names the same resource.
        let raw = raw.strip_suffix('/').unwrap_or(raw);
        let mut segs: Vec<(usize, Cow<'_, str>)> = Vec::new();
        if !raw.is_empty() {
            let mut at = usize::from(path.starts_with('/'));
            for s in raw.split('/') {
                segs.push((at, percent_decode_str(s).decode_utf8_lossy()));
                at += s.len() + 1;
            }
        }
        let mut caps = Vec::new();
        if let Some((route, greedy)) = walk(&self.root, &segs, 0, method, &mut caps) {
            let mut values: Vec<String> = caps.iter().map(|&i| segs[i].1.to_string()).collect();
            if let Some(i) = greedy {
                let rest = &path[segs[i].0..];
                values.push(percent_decode_str(rest).decode_utf8_lossy().into_owned());
            }
            return Some(Matched { route, values });
        }
        self.default.map(|route| Matched {
            route,
            values: Vec::new(),
        })
    }
}

/// Depth first, most specific child first. Returns the route and, for a greedy match, the
/// index of the first segment it took.
fn walk(
    node: &Node,
    segs: &[(usize, Cow<'_, str>)],
    i: usize,
    method: &Method,
    caps: &mut Vec<usize>,
) -> Option<(usize, Option<usize>)> {
    if i == segs.len() {
        return node.here.pick(method).map(|r| (r, None));
    }
    if let Some(child) = node.literal.get(segs[i].1.as_ref()) {
        if let Some(found) = walk(child, segs, i + 1, method, caps) {
            return Some(found);
        }
    }
    if let Some(child) = &node.param {
        caps.push(i);
        if let Some(found) = walk(child, segs, i + 1, method, caps) {
            return Some(found);
        }
        caps.pop();
    }
    node.greedy.pick(method).map(|r| (r, Some(i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(keys: &[&str]) -> Router {
        let mut r = Router::default();
        for (i, k) in keys.iter().enumerate() {
            if *k == "$default" {
                r.set_default(i);
                continue;
            }
            let (m, p) = k.split_once(' ').unwrap();
            let method = (m != "ANY").then(|| m.parse().unwrap());
            r.add(method, &parse_path(p).unwrap(), i);
        }
        r
    }

    fn find<'a>(r: &Router, keys: &[&'a str], method: &str, path: &str) -> (&'a str, Vec<String>) {
        match r.find(&method.parse().unwrap(), path) {
            Some(m) => (keys[m.route], m.values),
            None => ("none", vec![]),
        }
    }

    /// AWS's own example (http-api-develop-routes.html).
    #[test]
    fn routes_are_chosen_as_aws_documents() {
        let keys = [
            "GET /pets/dog/1",
            "GET /pets/dog/{id}",
            "GET /pets/{proxy+}",
            "ANY /{proxy+}",
            "$default",
        ];
        let r = router(&keys);
        assert_eq!(find(&r, &keys, "GET", "/pets/dog/1").0, "GET /pets/dog/1");
        assert_eq!(
            find(&r, &keys, "GET", "/pets/dog/2"),
            ("GET /pets/dog/{id}", vec!["2".to_string()])
        );
        assert_eq!(
            find(&r, &keys, "GET", "/pets/cat/1"),
            ("GET /pets/{proxy+}", vec!["cat/1".to_string()])
        );
        assert_eq!(
            find(&r, &keys, "POST", "/pets/dog/1"),
            ("ANY /{proxy+}", vec!["pets/dog/1".to_string()])
        );
        assert_eq!(find(&r, &keys, "GET", "/").0, "$default");
    }

    #[test]
    fn methods_variables_and_decoding() {
        let keys = ["ANY /items/{id}", "DELETE /items/{id}", "GET /"];
        let r = router(&keys);
        assert_eq!(
            find(&r, &keys, "DELETE", "/items/7").0,
            "DELETE /items/{id}"
        );
        assert_eq!(
            find(&r, &keys, "PUT", "/items/a%20b"),
            ("ANY /items/{id}", vec!["a b".to_string()])
        );
        assert_eq!(find(&r, &keys, "GET", "/").0, "GET /");
        assert_eq!(find(&r, &keys, "GET", "/items/7/").0, "ANY /items/{id}");
        assert_eq!(find(&r, &keys, "GET", "/items").0, "none");
        assert_eq!(find(&r, &keys, "POST", "/").0, "none");
    }

    #[test]
    fn route_paths_are_checked() {
        assert_eq!(
            parse_path("/a/{b}/{c+}"),
            Some(vec![
                Segment::Literal("a".into()),
                Segment::Param("b".into()),
                Segment::Greedy("c".into())
            ])
        );
        assert_eq!(parse_path("/"), Some(vec![]));
        assert_eq!(parse_path("/{p+}/x"), None);
        assert_eq!(parse_path("/a//b"), None);
        assert_eq!(parse_path("a"), None);
    }
}
