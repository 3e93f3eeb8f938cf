//! Identifiers shaped like AWS's: lowercase alphanumerics of a fixed length.

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A random id of `len` characters from `[a-z0-9]` (REST API ids have 10, resource and
/// deployment ids 6, like AWS's).
pub fn new_id(len: usize) -> String {
    (0..len)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Seconds since the epoch as AWS's v1 timestamps carry them (a JSON number).
pub fn now_epoch() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
