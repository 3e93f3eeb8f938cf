//! Route tables of the management APIs: each API writes its operations as text (one line per
//! operation, checked against its SDK model) and gets a matcher on raw paths, with labels by
//! name.

/// One compiled route.
#[derive(Debug)]
pub struct Route {
    pub operation: &'static str,
    pub method: &'static str,
    pub uri: &'static str,
    pub status: u16,
    /// Path template split on `/`.
    segments: Vec<Segment>,
    /// A fixed query (`mode=import`) that must be present for this route to match.
    fixed_query: Option<(&'static str, &'static str)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    /// A `{label}`, by name (`{proxy+}`-style greedy labels are not in any management model).
    Label(&'static str),
}

pub struct RouteTable {
    routes: Vec<Route>,
}

impl RouteTable {
    /// A table from its text form: `OperationName METHOD URI STATUS`, one per line, as
    /// `oplist.py --status` prints an SDK model (a test per API diffs the two).
    pub fn parse(text: &'static str) -> RouteTable {
        let mut routes: Vec<Route> = text.lines().filter_map(parse_line).collect();
        // The more specific route first: one with a fixed query, then literal segments before
        // labels, position by position (`/services/public` before `/services/{id}`).
        routes.sort_by_cached_key(|r| {
            let labels: Vec<bool> = r
                .segments
                .iter()
                .map(|s| matches!(s, Segment::Label(_)))
                .collect();
            (r.fixed_query.is_none(), labels)
        });
        RouteTable { routes }
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter()
    }

    /// Match on the raw path split at `/` *before* percent-decoding (labels may contain `%2F`).
    /// Returns the route and its raw (still encoded) label values, by label name.
    pub fn find<'p>(
        &self,
        method: &str,
        raw_path: &'p str,
        query: &[(String, String)],
    ) -> Option<(&Route, Vec<(&'static str, &'p str)>)> {
        let parts: Vec<&str> = raw_path.trim_start_matches('/').split('/').collect();
        'routes: for route in &self.routes {
            if route.method != method || route.segments.len() != parts.len() {
                continue;
            }
            if let Some((k, v)) = route.fixed_query {
                if !query.iter().any(|(qk, qv)| qk == k && qv == v) {
                    continue;
                }
            }
            let mut labels = Vec::new();
            for (seg, part) in route.segments.iter().zip(&parts) {
                match *seg {
                    Segment::Literal(lit) if lit == *part => {}
                    Segment::Literal(_) => continue 'routes,
                    Segment::Label(_) if part.is_empty() => continue 'routes,
                    Segment::Label(name) => labels.push((name, *part)),
                }
            }
            return Some((route, labels));
        }
        None
    }

    /// Is there any route at this path (for 405-like answers to a wrong method)?
    pub fn path_exists(&self, raw_path: &str) -> bool {
        ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .iter()
            .any(|m| self.find(m, raw_path, &[]).is_some())
    }
}

fn parse_line(line: &'static str) -> Option<Route> {
    let mut it = line.split_whitespace();
    let operation = it.next()?;
    let method = it.next()?;
    let uri = it.next()?;
    let status = it.next()?.parse().ok()?;
    let (path, fixed_query) = match uri.split_once('?') {
        Some((p, q)) => (p, q.split_once('=')),
        None => (uri, None),
    };
    let segments = path
        .trim_start_matches('/')
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|l| l.strip_suffix('}')) {
                Some(name) => Segment::Label(name),
                None => Segment::Literal(s),
            },
        )
        .collect();
    Some(Route {
        operation,
        method,
        uri,
        status,
        segments,
        fixed_query,
    })
}
