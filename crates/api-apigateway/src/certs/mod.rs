//! Certificates: client certificates (what API Gateway presents to `https://` backends) and
//! the certificates uploaded with custom domain names (`uploaded`: checked before they are
//! stored; the TLS listener serves them).

pub(crate) mod client_certificates;
pub(crate) mod uploaded;
