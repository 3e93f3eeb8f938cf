//! The routing trie over a deployment's resource tree.
//!
//! Precedence is API Gateway's: at each level a literal segment beats `{param}`, which beats
//! `{proxy+}` (greedy, one or more segments). Matching backtracks, so `/a/{id}` does not hide
//! `/{proxy+}` for `/a/b/c`. Segments are matched percent-decoded; empty segments (`//`, a
//! trailing `/`) are ignored as AWS does.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::fast_map::FastMap;

#[derive(Debug, Default)]
pub struct Router {
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    literals: FastMap<Box<str>, usize>,
    param: Option<(Box<str>, usize)>,
    /// `{name+}`: the resource index it leads to.
    greedy: Option<(Box<str>, usize)>,
    resource: Option<usize>,
}

/// A routed request: which resource, and the path parameters (decoded) in path order.
#[derive(Debug, PartialEq, Eq)]
pub struct Match {
    pub resource: usize,
    pub params: Vec<(String, String)>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum RouteError {
    /// A resource path that is not `/`-separated segments of literals, `{p}` or a last `{p+}`.
    BadPath(String),
}

impl Router {
    pub fn new() -> Router {
        Router {
            nodes: vec![Node::default()],
        }
    }

    /// Add the resource with index `resource` at `path` (e.g. `/pets/{id}`).
    pub fn insert(&mut self, path: &str, resource: usize) -> Result<(), RouteError> {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut node = 0;
        for (i, seg) in segs.iter().enumerate() {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                if let Some(name) = name.strip_suffix('+') {
                    if i != segs.len() - 1 || name.is_empty() {
                        return Err(RouteError::BadPath(path.into()));
                    }
                    self.nodes[node].greedy = Some((name.into(), resource));
                    return Ok(());
                }
                if name.is_empty() {
                    return Err(RouteError::BadPath(path.into()));
                }
                node = match &self.nodes[node].param {
                    Some((_, child)) => *child,
                    None => {
                        let child = self.push();
                        self.nodes[node].param = Some((name.into(), child));
                        child
                    }
                };
            } else {
                node = match self.nodes[node].literals.get(*seg) {
                    Some(child) => *child,
                    None => {
                        let child = self.push();
                        self.nodes[node].literals.insert((*seg).into(), child);
                        child
                    }
                };
            }
        }
        self.nodes[node].resource = Some(resource);
        Ok(())
    }

    fn push(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    /// Route a raw (percent-encoded) path.
    pub fn find(&self, raw_path: &str) -> Option<Match> {
        self.find_with(raw_path, &|_| true)
    }

    /// Route a raw path to a resource `accept` takes (one with the request's method): a
    /// resource that matches the path but lacks the method does not hide a sibling parameter or
    /// greedy resource that has it, as AWS routes (recorded against AWS: LocalStack's
    /// test_proxy_routing_with_hardcoded_resource_sibling, replayed in tests/aws_recorded).
    pub fn find_with(&self, raw_path: &str, accept: &dyn Fn(usize) -> bool) -> Option<Match> {
        let mut params = Vec::new();
        let resource = self.walk(0, raw_path, &mut params, accept)?;
        Some(Match { resource, params })
    }

    /// Match what is left of the path (`rest`, raw) from `node`: segments are split off and
    /// decoded as the walk reaches them, so routing builds no list of them.
    fn walk(
        &self,
        node: usize,
        rest: &str,
        params: &mut Vec<(String, String)>,
        accept: &dyn Fn(usize) -> bool,
    ) -> Option<usize> {
        let n = &self.nodes[node];
        let rest = rest.trim_start_matches('/');
        if rest.is_empty() {
            return n.resource.filter(|r| accept(*r));
        }
        let (raw, after) = crate::split_at_byte(rest, b'/');
        let seg = percent_decode_str(raw).decode_utf8_lossy();
        if let Some(child) = n.literals.get(seg.as_ref()) {
            if let Some(r) = self.walk(*child, after, params, accept) {
                return Some(r);
            }
        }
        if let Some((name, child)) = &n.param {
            params.push((name.to_string(), seg.into_owned()));
            if let Some(r) = self.walk(*child, after, params, accept) {
                return Some(r);
            }
            params.pop();
        }
        if let Some((name, resource)) = n.greedy.as_ref().filter(|(_, r)| accept(*r)) {
            let value: Vec<Cow<str>> = rest
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| percent_decode_str(s).decode_utf8_lossy())
                .collect();
            params.push((name.to_string(), value.join("/")));
            return Some(*resource);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a router over `paths` (resource index = position) and assert that `path` routes to
    /// `want` (a resource path, or None) with `params`.
    fn check(paths: &[&str], path: &str, want: Option<&str>, params: &[(&str, &str)]) {
        let mut r = Router::new();
        for (i, p) in paths.iter().enumerate() {
            r.insert(p, i).unwrap();
        }
        let got = r.find(path);
        match want {
            None => assert_eq!(got, None, "{path} should not route"),
            Some(w) => {
                let m = got.unwrap_or_else(|| panic!("{path} did not route"));
                assert_eq!(paths[m.resource], w, "{path}");
                let p: Vec<(&str, &str)> = m
                    .params
                    .iter()
                    .map(|(a, b)| (a.as_str(), b.as_str()))
                    .collect();
                assert_eq!(p, params, "{path}");
            }
        }
    }

    const TREE: &[&str] = &[
        "/",
        "/pets",
        "/pets/{id}",
        "/pets/mine",
        "/pets/{id}/toys",
        "/{proxy+}",
        "/files/{key+}",
    ];

    #[test]
    fn root_and_literals() {
        check(TREE, "/", Some("/"), &[]);
        check(TREE, "/pets", Some("/pets"), &[]);
        check(TREE, "/pets/", Some("/pets"), &[]);
        check(TREE, "//pets", Some("/pets"), &[]);
    }

    #[test]
    fn literal_beats_param_beats_greedy() {
        check(TREE, "/pets/mine", Some("/pets/mine"), &[]);
        check(TREE, "/pets/7", Some("/pets/{id}"), &[("id", "7")]);
        check(
            TREE,
            "/pets/7/toys",
            Some("/pets/{id}/toys"),
            &[("id", "7")],
        );
        check(TREE, "/other/x", Some("/{proxy+}"), &[("proxy", "other/x")]);
    }

    #[test]
    fn a_resource_without_the_method_yields_to_a_sibling_that_has_it() {
        let mut r = Router::new();
        for (i, p) in ["/", "/test", "/{proxy+}", "/test/any"].iter().enumerate() {
            r.insert(p, i).unwrap();
        }
        // `/test` has POST only; the greedy sibling has OPTIONS.
        let options = |i: usize| i == 2 || i == 3;
        let m = r.find_with("/test", &options).unwrap();
        assert_eq!(
            (m.resource, m.params),
            (2, vec![("proxy".into(), "test".into())])
        );
        assert_eq!(r.find_with("/test/any", &options).unwrap().resource, 3);
        assert_eq!(r.find_with("/test", &|i| i == 1).unwrap().resource, 1);
        assert!(r.find_with("/test", &|_| false).is_none());
    }

    #[test]
    fn backtracks_to_greedy() {
        check(
            TREE,
            "/pets/7/food",
            Some("/{proxy+}"),
            &[("proxy", "pets/7/food")],
        );
        check(
            TREE,
            "/files/a/b.txt",
            Some("/files/{key+}"),
            &[("key", "a/b.txt")],
        );
    }

    #[test]
    fn params_are_decoded() {
        check(TREE, "/pets/a%20b", Some("/pets/{id}"), &[("id", "a b")]);
    }

    #[test]
    fn greedy_needs_a_segment_and_no_match_is_none() {
        check(&["/", "/a/{p+}"], "/a", None, &[]);
        check(&["/a"], "/b", None, &[]);
        check(&["/a"], "/", None, &[]);
    }

    #[test]
    fn bad_paths_are_rejected() {
        let mut r = Router::new();
        assert!(r.insert("/{p+}/x", 0).is_err());
        assert!(r.insert("/{}", 0).is_err());
    }
}
