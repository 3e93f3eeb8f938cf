//! Huawei's `offset`/`limit` paging policies, over the shared machinery of
//! `portico_mgmt::paging::offset` (AWS's lists hand out position tokens instead): a Huawei list
//! answers one window of all matching records, and says how many matched.
//!
//! Two services, two policies:
//! - APIG clamps (documented on every list's query parameters): `offset < 0` → 0,
//!   `limit <= 0` → 20, `limit > 500` → 500. The answer is `{"size": page length, "total": all
//!   matching, <items>}`. Only a value that is not an integer fails (400 APIG.2012).
//! - VPC Endpoint refuses instead: `limit` is 0–1000 (default 10), `offset` at least 0; anything
//!   else is 400 EndPoint.0006 / EndPoint.0010. The answer carries `total_count`.

use portico_core::ApiError;
use portico_mgmt::Call;

use crate::errors;

pub use portico_mgmt::paging::offset::{int_query, Window};

pub const APIG_DEFAULT_LIMIT: i64 = 20;
pub const APIG_MAX_LIMIT: i64 = 500;

/// APIG's clamping of already parsed values.
pub fn clamp(offset: Option<i64>, limit: Option<i64>) -> Window {
    let offset = offset.unwrap_or(0).max(0);
    let limit = match limit.unwrap_or(APIG_DEFAULT_LIMIT) {
        l if l <= 0 => APIG_DEFAULT_LIMIT,
        l => l.min(APIG_MAX_LIMIT),
    };
    Window {
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
        limit: usize::try_from(limit).unwrap_or(0),
    }
}

/// An APIG list's window from the call's `offset` and `limit`.
pub fn apig(call: &Call) -> Result<Window, ApiError> {
    Ok(clamp(
        int_query(call, "offset", errors::invalid_query)?,
        int_query(call, "limit", errors::invalid_query)?,
    ))
}

pub const VPCEP_DEFAULT_LIMIT: i64 = 10;
pub const VPCEP_MAX_LIMIT: i64 = 1000;

/// VPC Endpoint's checks of already parsed values. Decision: `limit=0` (inside Huawei's
/// documented 0–1000) means "the default", as an absent limit does, rather than an empty page.
pub fn strict(offset: Option<i64>, limit: Option<i64>) -> Result<Window, ApiError> {
    let offset = match offset.unwrap_or(0) {
        o if o < 0 => return Err(errors::vpcep_offset()),
        o => o,
    };
    let limit = match limit.unwrap_or(VPCEP_DEFAULT_LIMIT) {
        0 => VPCEP_DEFAULT_LIMIT,
        l if (1..=VPCEP_MAX_LIMIT).contains(&l) => l,
        _ => return Err(errors::vpcep_limit()),
    };
    Ok(Window {
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
        limit: usize::try_from(limit).unwrap_or(0),
    })
}

/// A VPC Endpoint list's window from the call's `offset` and `limit`.
pub fn vpcep(call: &Call) -> Result<Window, ApiError> {
    strict(
        int_query(call, "offset", |_| errors::vpcep_offset())?,
        int_query(call, "limit", |_| errors::vpcep_limit())?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(offset: Option<i64>, limit: Option<i64>, want: (usize, usize)) {
        let w = clamp(offset, limit);
        assert_eq!(
            (w.offset, w.limit),
            want,
            "offset {offset:?} limit {limit:?}"
        );
    }

    #[test]
    fn apig_clamps_as_documented() {
        check(None, None, (0, 20));
        check(Some(-5), Some(1000), (0, 500));
        check(Some(3), Some(0), (3, 20));
        check(Some(3), Some(-7), (3, 20));
        check(Some(0), Some(500), (0, 500));
        check(Some(0), Some(501), (0, 500));
        check(Some(21), Some(1), (21, 1));
        check(Some(i64::MIN), Some(i64::MAX), (0, 500));
    }

    #[test]
    fn vpcep_refuses_out_of_range() {
        assert_eq!(
            strict(None, None).ok(),
            Some(Window {
                offset: 0,
                limit: 10
            })
        );
        assert_eq!(strict(Some(5), Some(0)).map(|w| w.limit).ok(), Some(10));
        assert_eq!(
            strict(Some(5), Some(1000)).map(|w| w.limit).ok(),
            Some(1000)
        );
        assert_eq!(
            strict(None, Some(1001)).err().map(|e| e.code),
            Some("EndPoint.0006")
        );
        assert_eq!(
            strict(None, Some(-1)).err().map(|e| e.code),
            Some("EndPoint.0006")
        );
        assert_eq!(
            strict(Some(-1), None).err().map(|e| e.code),
            Some("EndPoint.0010")
        );
    }

    #[test]
    fn windows_cut_lists() {
        let w = clamp(Some(2), Some(2));
        assert_eq!(w.apply(vec![1, 2, 3, 4, 5]), [3, 4]);
        let far = clamp(Some(i64::MAX), None);
        assert!(far.apply(vec![1, 2, 3]).is_empty());
    }
}
