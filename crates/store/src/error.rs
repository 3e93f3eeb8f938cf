//! The store's own failures. No wire error lives below the API layer: an API maps a
//! `StoreError` onto its own format (AWS's 500 `InternalFailure`, Huawei's `APIG.9999`) through
//! `From<StoreError> for ApiError`.

use portico_core::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The backend failed (SQL error, I/O, a lost connection). Retrying may help.
    Backend(String),
    /// A stored document could not be encoded or decoded.
    Document(String),
    /// A caller broke the interface's rules (a document lent twice in one transaction).
    Misuse(String),
    /// The transaction's closure failed and nothing was written; [`crate::read`] and
    /// [`crate::write`] hand the closure's own error back instead of this.
    Aborted,
}

impl StoreError {
    pub fn backend(message: impl Into<String>) -> Self {
        StoreError::Backend(message.into())
    }
    pub fn document(message: impl Into<String>) -> Self {
        StoreError::Document(message.into())
    }
    pub fn misuse(message: impl Into<String>) -> Self {
        StoreError::Misuse(message.into())
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Backend(m) => write!(f, "store backend failed: {m}"),
            StoreError::Document(m) => write!(f, "stored document unusable: {m}"),
            StoreError::Misuse(m) => write!(f, "store misused: {m}"),
            StoreError::Aborted => f.write_str("transaction aborted by its caller"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(format!("store failure: {e}"))
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The plain Display of a database error is just "db error": say what the server said.
        let message = match (e.as_db_error(), std::error::Error::source(&e)) {
            (Some(db), _) => format!("{} ({})", db.message(), db.code().code()),
            (None, Some(source)) => format!("{e}: {source}"),
            (None, None) => e.to_string(),
        };
        StoreError::Backend(message)
    }
}
