//! Percent-decoding of path labels and query strings, shared by the management APIs and the
//! data plane (both split raw paths before decoding).

use percent_encoding::percent_decode_str;

pub fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Query pairs, decoded, in wire order (repeated keys kept).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    // Most requests have no query; `split` sets up a searcher even for an empty string.
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}
