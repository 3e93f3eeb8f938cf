//! Helpers shared by the integration tests: an owned request that is easy to
//! tamper with, a name for each error variant, and just enough JSON for
//! vectors/sdk.json (so the crate needs no serde dev-dependency).

#![allow(dead_code)]

use sdk_hmac::{verify, Error, Request, Verified};

/// An owned request, so tampered copies are easy to make.
#[derive(Clone, Debug)]
pub struct Owned {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Owned {
    pub fn with<R>(&self, f: impl FnOnce(&Request) -> R) -> R {
        let h: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        f(&Request {
            method: &self.method,
            raw_path: &self.path,
            raw_query: &self.query,
            headers: &h,
            body: &self.body,
        })
    }

    /// Verifies with `ak` → `sk` as the only known key.
    pub fn verify(&self, now: i64, ak: &str, sk: &str) -> Result<Verified, Error> {
        self.with(|r| verify(r, now, |k| (k == ak).then(|| sk.to_string())))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_mut(&mut self, name: &str) -> Option<&mut String> {
        self.headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
}

/// The variant's name, to assert *which* failure happened (every variant
/// shares APIG's one error code).
pub fn kind(e: &Error) -> &'static str {
    match e {
        Error::MissingAuthorization => "MissingAuthorization",
        Error::UnsupportedAlgorithm { .. } => "UnsupportedAlgorithm",
        Error::MalformedAuthorization { .. } => "MalformedAuthorization",
        Error::DuplicateHeader { .. } => "DuplicateHeader",
        Error::HeaderNotSigned { .. } => "HeaderNotSigned",
        Error::SignedHeaderMissing { .. } => "SignedHeaderMissing",
        Error::MissingDate => "MissingDate",
        Error::InvalidDate { .. } => "InvalidDate",
        Error::SignatureExpired { .. } => "SignatureExpired",
        Error::UnknownAccessKey { .. } => "UnknownAccessKey",
        Error::SignatureDoesNotMatch { .. } => "SignatureDoesNotMatch",
    }
}

#[derive(Debug, Clone)]
pub enum Json {
    Str(String),
    Bool(bool),
    Num(String),
    Null,
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn get(&self, k: &str) -> &Json {
        match self {
            Json::Obj(v) => {
                &v.iter()
                    .find(|(n, _)| n == k)
                    .unwrap_or_else(|| panic!("no {k}"))
                    .1
            }
            _ => panic!("not an object"),
        }
    }
    pub fn s(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("not a string: {self:?}"),
        }
    }
    pub fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            _ => panic!("not an array"),
        }
    }
}

/// Parses the JSON that Python's `json.dump(..., ensure_ascii=False)`
/// writes: raw UTF-8, with `\uXXXX` (and surrogate pairs) only for escapes.
pub fn parse_json(s: &str) -> Json {
    struct P<'a> {
        b: &'a [char],
        i: usize,
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.i < self.b.len() && self.b[self.i].is_whitespace() {
                self.i += 1;
            }
        }
        fn eat(&mut self, c: char) {
            self.ws();
            assert_eq!(self.b[self.i], c, "at {}", self.i);
            self.i += 1;
        }
        fn hex4(&mut self) -> u32 {
            let h: String = self.b[self.i..self.i + 4].iter().collect();
            self.i += 4;
            u32::from_str_radix(&h, 16).unwrap()
        }
        fn string(&mut self) -> String {
            self.eat('"');
            let mut out = String::new();
            loop {
                let c = self.b[self.i];
                self.i += 1;
                match c {
                    '"' => return out,
                    '\\' => {
                        let e = self.b[self.i];
                        self.i += 1;
                        match e {
                            'n' => out.push('\n'),
                            't' => out.push('\t'),
                            'r' => out.push('\r'),
                            'b' => out.push('\u{8}'),
                            'f' => out.push('\u{c}'),
                            'u' => {
                                let mut u = self.hex4();
                                if (0xd800..0xdc00).contains(&u) {
                                    assert_eq!(&self.b[self.i..self.i + 2], &['\\', 'u']);
                                    self.i += 2;
                                    let lo = self.hex4();
                                    u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                                }
                                out.push(char::from_u32(u).unwrap());
                            }
                            c => out.push(c),
                        }
                    }
                    c => out.push(c),
                }
            }
        }
        fn val(&mut self) -> Json {
            self.ws();
            match self.b[self.i] {
                '"' => Json::Str(self.string()),
                '[' => {
                    self.i += 1;
                    let mut v = Vec::new();
                    loop {
                        self.ws();
                        if self.b[self.i] == ']' {
                            self.i += 1;
                            return Json::Arr(v);
                        }
                        if !v.is_empty() {
                            self.eat(',');
                        }
                        v.push(self.val());
                    }
                }
                '{' => {
                    self.i += 1;
                    let mut v = Vec::new();
                    loop {
                        self.ws();
                        if self.b[self.i] == '}' {
                            self.i += 1;
                            return Json::Obj(v);
                        }
                        if !v.is_empty() {
                            self.eat(',');
                        }
                        let k = self.string();
                        self.eat(':');
                        let x = self.val();
                        v.push((k, x));
                    }
                }
                _ => {
                    let start = self.i;
                    while self.i < self.b.len()
                        && !matches!(self.b[self.i], ',' | ']' | '}')
                        && !self.b[self.i].is_whitespace()
                    {
                        self.i += 1;
                    }
                    match self.b[start..self.i].iter().collect::<String>().as_str() {
                        "true" => Json::Bool(true),
                        "false" => Json::Bool(false),
                        "null" => Json::Null,
                        n => Json::Num(n.to_string()),
                    }
                }
            }
        }
    }
    let chars: Vec<char> = s.chars().collect();
    P { b: &chars, i: 0 }.val()
}

pub fn hex_to_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
