//! Certificates: client certificates (what API Gateway presents to `https://` backends).
//! Custom domains' certificates join them here when they are built.

pub(crate) mod client_certificates;
