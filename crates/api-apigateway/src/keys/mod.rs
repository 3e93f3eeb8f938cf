//! API keys and usage plans: keys (and their CSV import), plans, the keys bound to a plan, and
//! usage (GetUsage, UpdateUsage).

pub mod api_key_import;
pub mod api_keys;
pub mod usage;
pub mod usage_plan_keys;
pub mod usage_plan_update;
pub mod usage_plans;
