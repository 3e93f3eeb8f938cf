//! SigV4 verifier (placeholder, being written).
