//! What serves a definition: deployments (frozen snapshots), stages and their settings, and
//! TestInvokeMethod (the current definition, run once through the data plane).

pub mod deployments;
pub mod method_settings;
pub mod stage_update;
pub mod stages;
pub mod test_invoke;
