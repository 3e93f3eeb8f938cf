//! The hash map of the request path: keyed by names the management API chose (API ids, stage
//! names, path segments, backend authorities), looked up on every request.
//!
//! std's SipHash costs ~200 instructions a lookup on these short keys, about 1k per proxied
//! request across the five lookups; foldhash (already built as hashbrown's default hasher) costs
//! a tenth of that. Its per-process random seed keeps collisions out of a client's control, and
//! no client request can add a key to these maps.

pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
