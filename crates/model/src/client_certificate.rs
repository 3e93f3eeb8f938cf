//! Client certificates: the self-signed certificate (and its private key) API Gateway presents
//! to `https://` backends of the stages that name it (`Stage::client_certificate_id`). The
//! management API generates them (GenerateClientCertificate…); the data plane's registry
//! turns the one a stage names into a TLS client configuration (`gateway::integrations::tls`).
//!
//! A client certificate is stored as kind `clientcertificate`, scope `""`, id = its
//! `clientCertificateId`, in AWS's ClientCertificate JSON plus `privateKeyPem`, Portico's own
//! member: the certificate's key, which no answer ever shows (AWS never returns it either).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::Entity;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCertificate {
    pub client_certificate_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    pub pem_encoded_certificate: String,
    /// Epoch seconds, as AWS's v1 timestamps.
    pub created_date: i64,
    /// Epoch seconds: a year after `created_date`.
    pub expiration_date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<IndexMap<String, String>>,
    /// The certificate's private key, PKCS#8 PEM (Portico's; never on the wire).
    pub private_key_pem: String,
}

impl Entity for ClientCertificate {
    const NAME: &'static str = "client certificate";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        let c: ClientCertificate = round_trips(json!({"clientCertificateId": "abc123",
            "description": "d", "pemEncodedCertificate": "-----BEGIN CERTIFICATE-----",
            "createdDate": 1, "expirationDate": 2, "tags": {"k": "v"},
            "privateKeyPem": "-----BEGIN PRIVATE KEY-----"}));
        assert_eq!(c.expiration_date, 2);
    }
}
