//! Velocity engine (placeholder, being written).
