//! Identifiers and timestamps in Huawei's shapes.
//!
//! - Gateway ids are 32 lowercase hex characters, job ids `JOB-` and 32 of them
//!   (CreateInstanceV2's example).
//! - VPC endpoint, endpoint service and whitelist record ids are hyphenated lowercase UUIDs
//!   (VPCEP's examples).
//! - A connection's packet id (`marker_id`) is a 9- or 10-digit integer (167960098,
//!   201515772 in the examples).
//! - Times are UTC `YYYY-MM-DDTHH:MM:SSZ` on the wire (EndpointConnection, VPCEP's
//!   endpoints), and epoch milliseconds for a gateway's `create_time`.

use time::OffsetDateTime;

const HEX: &[u8] = b"0123456789abcdef";

fn hex(len: usize) -> String {
    (0..len)
        .map(|_| HEX[rand::random_range(0..HEX.len())] as char)
        .collect()
}

/// A gateway id: 32 lowercase hex characters.
pub fn instance_id() -> String {
    hex(32)
}

/// A provisioning job id, `JOB-` and 32 hex characters.
pub fn job_id() -> String {
    format!("JOB-{}", hex(32))
}

/// A version-4 UUID, lowercase and hyphenated.
pub fn uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A packet id. Decision: drawn from 100000000..2^31, so it is always a positive 32-bit JSON
/// integer like Huawei's; callers keep it unique per endpoint service.
pub fn marker_id() -> i64 {
    rand::random_range(100_000_000..i64::from(i32::MAX))
}

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    let now = OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

/// `YYYY-MM-DDTHH:MM:SSZ` of an epoch-milliseconds instant.
pub fn utc_seconds(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let id = instance_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|c| HEX.contains(&c)));
        assert!(job_id().starts_with("JOB-"));
        let u = uuid();
        let parts: Vec<usize> = u.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert_eq!(&u[14..15], "4");
        let m = marker_id();
        assert!((100_000_000..i64::from(i32::MAX)).contains(&m));
    }

    #[test]
    fn utc_seconds_format() {
        assert_eq!(utc_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_seconds(1_619_662_364_999), "2021-04-29T02:12:44Z");
        // Out-of-range instants do not panic.
        assert_eq!(utc_seconds(i64::MAX), "1970-01-01T00:00:00Z");
    }
}
