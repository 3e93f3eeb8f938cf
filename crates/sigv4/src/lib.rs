//! TEMPORARY STAND-IN, replaced by the real verifier from branch `sigv4`.
//! Parses the credential only; verifies nothing.

pub struct Request<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

#[derive(Debug, Clone)]
pub struct Verified {
    pub access_key: String,
    pub region: String,
    pub service: String,
    pub date: String,
}

#[derive(Debug)]
pub enum Error {
    MissingAuthenticationToken,
    UnrecognizedClient,
}

impl Error {
    pub fn aws_code(&self) -> &'static str {
        match self {
            Error::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Error::UnrecognizedClient => "UnrecognizedClientException",
        }
    }
    pub fn message(&self) -> String {
        match self {
            Error::MissingAuthenticationToken => "Missing Authentication Token".into(),
            Error::UnrecognizedClient => {
                "The security token included in the request is invalid.".into()
            }
        }
    }
    pub fn status(&self) -> u16 {
        403
    }
}

pub fn verify(
    req: &Request,
    _expected_service: Option<&str>,
    _now_unix_secs: i64,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<Verified, Error> {
    let auth = req
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| *v)
        .ok_or(Error::MissingAuthenticationToken)?;
    let cred = auth
        .split("Credential=")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .ok_or(Error::UnrecognizedClient)?;
    let parts: Vec<&str> = cred.split('/').collect();
    if parts.len() != 5 || secret_for(parts[0]).is_none() {
        return Err(Error::UnrecognizedClient);
    }
    Ok(Verified {
        access_key: parts[0].into(),
        region: parts[2].into(),
        service: parts[3].into(),
        date: parts[1].into(),
    })
}
