//! Paging styles of the management APIs: `position`/`limit` tokens, AWS style (here), and
//! `offset`/`limit` windows ([`offset`], Huawei style; each API sets its own defaults, bounds
//! and errors on top).
//!
//! A position is the opaque form of the sequence number of the last item returned; the next page
//! resumes strictly after it, so pages are stable under concurrent inserts and a token is never
//! handed out twice.

use serde_json::{json, Value};

use super::call::Call;
use portico_core::ApiError;
use portico_store::{SharedDoc, Txn};

pub const DEFAULT_LIMIT: usize = 25;
pub const MAX_LIMIT: usize = 500;

pub fn limit(call: &Call) -> Result<usize, ApiError> {
    match call.query("limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT as i64).contains(&n) => Ok(n as usize),
            Ok(n) if n > MAX_LIMIT as i64 => Ok(MAX_LIMIT),
            _ => Err(ApiError::bad_request(format!(
                "1 validation error detected: Value '{text}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {MAX_LIMIT}"
            ))),
        },
    }
}

fn encode(seq: i64) -> String {
    format!("{seq:x}").chars().rev().collect::<String>() + "p"
}

fn decode(position: &str) -> Result<i64, ApiError> {
    position
        .strip_suffix('p')
        .map(|s| s.chars().rev().collect::<String>())
        .and_then(|s| i64::from_str_radix(&s, 16).ok())
        .ok_or_else(|| ApiError::bad_request("Invalid position parameter"))
}

/// One page of `kind` documents inside `scope`, filtered and rendered by `view`, as AWS's
/// `{"item": [...], "position": "..."}`.
pub fn page(
    txn: &mut dyn Txn,
    call: &Call,
    kind: &str,
    scope: &str,
    view: impl FnMut(&SharedDoc) -> Option<Value>,
) -> Result<Value, ApiError> {
    let (items, position) = select(txn, call, kind, scope, view)?;
    let mut out = json!({ "item": items });
    if let Some(p) = position {
        out["position"] = Value::String(p);
    }
    Ok(out)
}

/// The items of one page as `pick` chooses and renders them, and the position of the next page
/// when there is one.
pub fn select<T>(
    txn: &mut dyn Txn,
    call: &Call,
    kind: &str,
    scope: &str,
    pick: impl FnMut(&SharedDoc) -> Option<T>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    select_limited(txn, call, kind, scope, limit(call)?, pick)
}

/// A page of the newest documents first, for the operations AWS answers that way (GetApiKeys,
/// GetUsagePlanKeys: the key created last comes first in every recording, and LocalStack's
/// AWS-validated provider reverses them too); an out-of-range `limit` reads as the default one
/// rather than being refused (AWS answers GetApiKeys `limit=-1` with a page). The position is
/// the sequence number of the last item returned; the next page holds older documents only.
pub fn page_newest_first(
    txn: &mut dyn Txn,
    call: &Call,
    kind: &str,
    scope: &str,
    mut view: impl FnMut(&SharedDoc) -> Option<Value>,
) -> Result<Value, ApiError> {
    let limit = limit(call).unwrap_or(DEFAULT_LIMIT);
    let before = match call.query("position") {
        Some(p) if !p.is_empty() => decode(p)?,
        _ => i64::MAX,
    };
    // Every matching document older than the position, oldest first; then the newest `limit`.
    let mut all: Vec<(i64, Value)> = Vec::new();
    let mut after = 0;
    loop {
        let batch = txn.list_shared(kind, scope, after, 256)?;
        if batch.is_empty() {
            break;
        }
        for doc in &batch {
            after = doc.seq;
            if doc.seq < before {
                if let Some(v) = view(doc) {
                    all.push((doc.seq, v));
                }
            }
        }
    }
    let more = all.len() > limit;
    let page: Vec<(i64, Value)> = all.into_iter().rev().take(limit).collect();
    let position = if more {
        page.last().map(|(seq, _)| encode(*seq))
    } else {
        None
    };
    let mut out = json!({ "item": page.into_iter().map(|(_, v)| v).collect::<Vec<_>>() });
    if let Some(p) = position {
        out["position"] = Value::String(p);
    }
    Ok(out)
}

fn select_limited<T>(
    txn: &mut dyn Txn,
    call: &Call,
    kind: &str,
    scope: &str,
    limit: usize,
    mut pick: impl FnMut(&SharedDoc) -> Option<T>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let mut after = match call.query("position") {
        Some(p) if !p.is_empty() => decode(p)?,
        _ => 0,
    };
    let mut items = Vec::new();
    let mut last_seq = None;
    let mut more = false;
    'fill: loop {
        let batch = txn.list_shared(kind, scope, after, 256)?;
        if batch.is_empty() {
            break;
        }
        for doc in &batch {
            after = doc.seq;
            if let Some(v) = pick(doc) {
                if items.len() == limit {
                    more = true;
                    break 'fill;
                }
                items.push(v);
                last_seq = Some(doc.seq);
            }
        }
    }
    let position = if more { last_seq.map(encode) } else { None };
    Ok((items, position))
}

/// `offset`/`limit` windows over a filtered list: the caller answers one window of all
/// matching records and says how many matched.
pub mod offset {
    use portico_core::ApiError;

    use crate::call::Call;

    /// Which records of a filtered list one call answers.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Window {
        pub offset: usize,
        pub limit: usize,
    }

    impl Window {
        /// The records of `all` inside the window, in order.
        pub fn apply<T>(&self, all: Vec<T>) -> Vec<T> {
            all.into_iter().skip(self.offset).take(self.limit).collect()
        }
    }

    /// An integer query parameter; absent or empty is `None`, anything else that is not an integer
    /// is `bad(name)`.
    pub fn int_query(
        call: &Call,
        name: &str,
        bad: impl Fn(&str) -> ApiError,
    ) -> Result<Option<i64>, ApiError> {
        match call.query(name) {
            None | Some("") => Ok(None),
            Some(text) => text.trim().parse::<i64>().map(Some).map_err(|_| bad(name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_reject_garbage() {
        for seq in [1, 17, 123456789] {
            assert_eq!(decode(&encode(seq)).unwrap(), seq);
        }
        assert!(decode("abc").is_err());
        assert!(decode("zzp").is_err());
    }
}
