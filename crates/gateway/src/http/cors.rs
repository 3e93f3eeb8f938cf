//! CORS answered by the gateway from an HTTP API's `corsConfiguration` (http-api-cors.html):
//! a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered before
//! any route is looked at, even without an `OPTIONS` route; any other request with an `Origin`
//! gets the configured headers added to the integration's response, and the integration's own
//! CORS headers are dropped.
//!
//! Decision: an origin outside `allowOrigins` gets no CORS headers (the browser then refuses the
//! call); its preflight is still answered 204, as AWS answers it. `*` in `allowOrigins` answers
//! `Access-Control-Allow-Origin: *`; a listed origin is echoed. Lists are joined with `,`, as
//! configured.

use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method};
use portico_model::v2::Cors;

const ALLOW_ORIGIN: HeaderName = HeaderName::from_static("access-control-allow-origin");
const ALLOW_CREDENTIALS: HeaderName = HeaderName::from_static("access-control-allow-credentials");
const EXPOSE_HEADERS: HeaderName = HeaderName::from_static("access-control-expose-headers");
const MAX_AGE: HeaderName = HeaderName::from_static("access-control-max-age");
const ALLOW_METHODS: HeaderName = HeaderName::from_static("access-control-allow-methods");
const ALLOW_HEADERS: HeaderName = HeaderName::from_static("access-control-allow-headers");
const REQUEST_METHOD: HeaderName = HeaderName::from_static("access-control-request-method");

/// A CORS configuration, its header values built once.
#[derive(Debug, Default)]
pub struct CorsRules {
    any_origin: bool,
    origins: Vec<String>,
    credentials: bool,
    expose: Option<HeaderValue>,
    max_age: Option<HeaderValue>,
    methods: Option<HeaderValue>,
    headers: Option<HeaderValue>,
}

fn joined(list: &Option<Vec<String>>) -> Option<HeaderValue> {
    let l = list.as_ref().filter(|l| !l.is_empty())?;
    HeaderValue::from_str(&l.join(",")).ok()
}

impl CorsRules {
    pub fn new(c: &Cors) -> CorsRules {
        let origins = c.allow_origins.clone().unwrap_or_default();
        CorsRules {
            any_origin: origins.iter().any(|o| o == "*"),
            origins,
            credentials: c.allow_credentials == Some(true),
            expose: joined(&c.expose_headers),
            max_age: c
                .max_age
                .and_then(|a| HeaderValue::from_str(&a.to_string()).ok()),
            methods: joined(&c.allow_methods),
            headers: joined(&c.allow_headers),
        }
    }

    /// Is this request a preflight?
    pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
        method == Method::OPTIONS
            && headers.contains_key(hyper::header::ORIGIN)
            && headers.contains_key(REQUEST_METHOD)
    }

    /// The `Access-Control-Allow-Origin` value for `origin`, if it is allowed.
    fn allowed(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        if self.any_origin {
            return Some(HeaderValue::from_static("*"));
        }
        let o = origin.to_str().ok()?;
        self.origins
            .iter()
            .any(|a| a.eq_ignore_ascii_case(o))
            .then(|| origin.clone())
    }

    /// The headers of the answer to a preflight.
    pub fn preflight(&self, request: &HeaderMap) -> HeaderMap {
        let mut h = HeaderMap::new();
        let Some(origin) = request
            .get(hyper::header::ORIGIN)
            .and_then(|o| self.allowed(o))
        else {
            return h;
        };
        h.insert(ALLOW_ORIGIN, origin);
        if self.credentials {
            h.insert(ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        }
        for (name, v) in [
            (ALLOW_METHODS, &self.methods),
            (ALLOW_HEADERS, &self.headers),
            (EXPOSE_HEADERS, &self.expose),
            (MAX_AGE, &self.max_age),
        ] {
            if let Some(v) = v {
                h.insert(name, v.clone());
            }
        }
        h
    }

    /// Replace the integration's CORS headers with the configured ones (requests with an
    /// `Origin` only).
    pub fn apply(&self, request: &HeaderMap, response: &mut HeaderMap) {
        for name in [
            ALLOW_ORIGIN,
            ALLOW_CREDENTIALS,
            EXPOSE_HEADERS,
            MAX_AGE,
            ALLOW_METHODS,
            ALLOW_HEADERS,
        ] {
            response.remove(name);
        }
        let Some(origin) = request
            .get(hyper::header::ORIGIN)
            .and_then(|o| self.allowed(o))
        else {
            return;
        };
        response.insert(ALLOW_ORIGIN, origin);
        if self.credentials {
            response.insert(ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        }
        if let Some(v) = &self.expose {
            response.insert(EXPOSE_HEADERS, v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> CorsRules {
        CorsRules::new(&Cors {
            allow_origins: Some(vec!["https://a.example".into()]),
            allow_methods: Some(vec!["GET".into(), "POST".into()]),
            allow_headers: Some(vec!["authorization".into()]),
            expose_headers: Some(vec!["x-id".into()]),
            max_age: Some(300),
            allow_credentials: Some(true),
        })
    }

    fn req(origin: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(hyper::header::ORIGIN, origin.parse().unwrap());
        h.insert(REQUEST_METHOD, "POST".parse().unwrap());
        h
    }

    #[test]
    fn preflights_and_responses_carry_the_configured_headers() {
        let r = rules();
        assert!(CorsRules::is_preflight(&Method::OPTIONS, &req("x")));
        assert!(!CorsRules::is_preflight(&Method::GET, &req("x")));
        let p = r.preflight(&req("https://a.example"));
        assert_eq!(p[ALLOW_ORIGIN], "https://a.example");
        assert_eq!(p[ALLOW_METHODS], "GET,POST");
        assert_eq!(p[ALLOW_HEADERS], "authorization");
        assert_eq!(p[MAX_AGE], "300");
        assert_eq!(p[ALLOW_CREDENTIALS], "true");
        assert!(r.preflight(&req("https://b.example")).is_empty());
        let mut resp = HeaderMap::new();
        resp.insert(ALLOW_ORIGIN, "*".parse().unwrap());
        r.apply(&req("https://b.example"), &mut resp);
        assert!(resp.is_empty(), "the backend's CORS headers are dropped");
        r.apply(&req("https://a.example"), &mut resp);
        assert_eq!(resp[EXPOSE_HEADERS], "x-id");
    }
}
