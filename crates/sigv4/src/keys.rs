//! Signing keys: the HMAC chain, and a cache of its results.

use ring::hmac;

/// Signing keys already derived, by (secret, date, region, service). A few entries cover a
/// server's traffic (one per credential and region, renewed daily); the oldest is dropped
/// beyond [`KeyCache::CAPACITY`].
#[derive(Default)]
pub struct KeyCache {
    entries: std::sync::Mutex<Vec<CachedKey>>,
}

struct CachedKey {
    secret: String,
    date: String,
    region: String,
    service: String,
    key: hmac::Key,
}

impl KeyCache {
    pub const CAPACITY: usize = 32;

    pub fn new() -> KeyCache {
        KeyCache::default()
    }

    pub(crate) fn key(&self, secret: &str, date: &str, region: &str, service: &str) -> hmac::Key {
        // A panic elsewhere while holding the lock leaves the list intact: keep using it.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = entries.iter().find(|e| {
            e.date == date && e.region == region && e.service == service && e.secret == secret
        }) {
            return e.key.clone();
        }
        let key = signing_key(secret, date, region, service);
        if entries.len() >= Self::CAPACITY {
            entries.remove(0);
        }
        entries.push(CachedKey {
            secret: secret.to_string(),
            date: date.to_string(),
            region: region.to_string(),
            service: service.to_string(),
            key: key.clone(),
        });
        key
    }
}

pub(crate) fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> hmac::Key {
    let mut k = Vec::with_capacity(4 + secret.len());
    k.extend_from_slice(b"AWS4");
    k.extend_from_slice(secret.as_bytes());
    let mut tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &k), date.as_bytes());
    for part in [region, service, "aws4_request"] {
        tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, tag.as_ref()),
            part.as_bytes(),
        );
    }
    hmac::Key::new(hmac::HMAC_SHA256, tag.as_ref())
}
