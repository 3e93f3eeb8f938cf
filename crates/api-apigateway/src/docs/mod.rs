//! An API's documentation: documentation parts (`parts`, their `location` rules, the
//! OpenAPI `import`) and documentation versions (`versions`: snapshots of the parts that a
//! stage can name).

pub mod import;
pub mod location;
pub mod parts;
pub mod versions;

use crate::Handler;

/// The handlers of the documentation operations.
pub(crate) fn handler(operation: &str) -> Option<Handler> {
    parts::handler(operation).or_else(|| versions::handler(operation))
}
