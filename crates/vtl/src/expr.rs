//! Expression parsing for directive arguments, method arguments and indexes.
//!
//! Precedence, loosest first (Velocity 1.7): `||`/`or`, `&&`/`and`,
//! `==`/`!=`/`eq`/`ne`, `<`/`<=`/`>`/`>=`/`lt`/`le`/`gt`/`ge`, `+`/`-`, `*`/`/`/`%`,
//! then unary `!`/`not`/`-`.

use crate::ast::{BinOp, Expr, Node};
use crate::error::Error;
use crate::parser::{is_ident_start, Parser, Term};

impl Parser<'_, '_> {
    pub fn expr(&mut self) -> Result<Expr, Error> {
        self.enter()?;
        let e = self.binary(0);
        self.leave();
        e
    }

    fn binary(&mut self, level: usize) -> Result<Expr, Error> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        loop {
            let save = self.cur;
            self.skip_ws();
            let Some(op) = self.operator(LEVELS[level]) else {
                self.cur = save;
                return Ok(lhs);
            };
            let rhs = self.binary(level + 1)?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    /// Consumes one operator of the given level, if present.
    fn operator(&mut self, ops: &[(&str, BinOp)]) -> Option<BinOp> {
        for &(tok, op) in ops {
            let rest = self.rest();
            if !rest.starts_with(tok) {
                continue;
            }
            let after = rest[tok.len()..].chars().next();
            let word = tok.starts_with(|c: char| c.is_ascii_alphabetic());
            if word && after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            // `<` must not swallow `<=`, `!` is not `!=`'s business here, `=` alone is
            // assignment and never an operator.
            if (tok == "<" || tok == ">") && after == Some('=') {
                continue;
            }
            self.advance(tok.len());
            return Some(op);
        }
        None
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        self.skip_ws();
        if self.peek() == Some('!') && self.peek_at(1) != Some('=') {
            self.bump();
            return self.nested(|p| p.unary()).map(|e| Expr::Not(Box::new(e)));
        }
        if self.rest().starts_with("not")
            && !self
                .peek_at(3)
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.advance(3);
            return self.nested(|p| p.unary()).map(|e| Expr::Not(Box::new(e)));
        }
        if self.peek() == Some('-') {
            self.bump();
            return self.nested(|p| p.unary()).map(|e| match e {
                Expr::Int(n) => Expr::Int(n.wrapping_neg()),
                Expr::Float(f) => Expr::Float(-f),
                e => Expr::Neg(Box::new(e)),
            });
        }
        self.primary()
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, Error>) -> Result<T, Error> {
        self.enter()?;
        let r = f(self);
        self.leave();
        r
    }

    fn primary(&mut self) -> Result<Expr, Error> {
        self.skip_ws();
        let pos = self.pos();
        match self.peek() {
            Some('(') => {
                self.bump();
                let e = self.expr()?;
                self.skip_ws();
                if !self.eat(')') {
                    return self.err("expected )");
                }
                Ok(e)
            }
            Some('$') => match self.reference()? {
                Some(r) => Ok(Expr::Ref(Box::new(r))),
                None => self.err("expected a reference after $"),
            },
            Some(q @ ('"' | '\'')) => self.string_literal(q),
            Some('[') => self.nested(|p| p.list()),
            Some('{') => self.nested(|p| p.map()),
            Some(c) if c.is_ascii_digit() => self.number(),
            Some('.') if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => self.number(),
            Some(c) if is_ident_start(c) => {
                let word = self.ident().unwrap_or_default();
                match word {
                    "true" => Ok(Expr::Bool(true)),
                    "false" => Ok(Expr::Bool(false)),
                    "null" => Ok(Expr::Null),
                    _ => self.err_at(format!("unexpected word `{word}` in expression"), pos),
                }
            }
            Some(c) => self.err(format!("unexpected `{c}` in expression")),
            None => self.err("unexpected end of template in expression"),
        }
    }

    fn number(&mut self) -> Result<Expr, Error> {
        let rest = self.rest();
        let int_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let mut len = int_len;
        let after = &rest[int_len..];
        let is_float =
            after.starts_with('.') && after[1..].starts_with(|c: char| c.is_ascii_digit());
        if is_float {
            let frac = &after[1..];
            len += 1 + frac
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(frac.len());
        }
        let text = &rest[..len];
        self.advance(len);
        if is_float {
            text.parse::<f64>()
                .map(Expr::Float)
                .or_else(|_| self.err("bad number"))
        } else {
            // Velocity widens Integer -> Long -> BigInteger; past i64 we fall back to a
            // double, which renders differently but never fails.
            Ok(text
                .parse::<i64>()
                .map(Expr::Int)
                .unwrap_or_else(|_| Expr::Float(text.parse::<f64>().unwrap_or(f64::MAX))))
        }
    }

    /// Single quotes are literal; double quotes interpolate `$refs` and directives.
    /// A doubled quote inside stands for one quote; backslashes are not escapes.
    fn string_literal(&mut self, q: char) -> Result<Expr, Error> {
        let pos = self.pos();
        self.bump();
        let inner_pos = self.pos();
        let mut s = String::new();
        loop {
            let rest = self.rest();
            let Some(k) = rest.find(q) else {
                return self.err_at("unterminated string literal", pos);
            };
            s.push_str(&rest[..k]);
            self.advance(k + 1);
            if self.peek() == Some(q) {
                self.bump();
                s.push(q);
            } else {
                break;
            }
        }
        if q == '\'' || !s.contains(['$', '#']) {
            return Ok(Expr::Str(s.into_boxed_str()));
        }
        let depth = self.depth;
        let mut sub = Parser::new(&s, self.names, inner_pos, depth);
        let (block, term) = sub.parse_block()?;
        match term {
            // `"$.a"` and the like hold no references: keep them constant.
            Term::Eof if block.iter().all(|n| matches!(n, Node::Text(_))) => {
                let text: String = block
                    .iter()
                    .filter_map(|n| match n {
                        Node::Text(t) => Some(&**t),
                        _ => None,
                    })
                    .collect();
                Ok(Expr::Str(text.into_boxed_str()))
            }
            Term::Eof => Ok(Expr::Interpolated(block)),
            _ => self.err_at("unbalanced #end/#else inside string literal", pos),
        }
    }

    /// `[a, b]` or `[a..b]`.
    fn list(&mut self) -> Result<Expr, Error> {
        self.bump();
        self.skip_ws();
        if self.eat(']') {
            return Ok(Expr::List(Vec::new()));
        }
        let first = self.expr()?;
        self.skip_ws();
        if self.eat_str("..") {
            let last = self.expr()?;
            self.skip_ws();
            if !self.eat(']') {
                return self.err("expected ] after range");
            }
            return Ok(Expr::Range(Box::new(first), Box::new(last)));
        }
        let mut items = vec![first];
        loop {
            self.skip_ws();
            if self.eat(']') {
                return Ok(Expr::List(items));
            }
            if !self.eat(',') {
                return self.err("expected , or ] in list");
            }
            items.push(self.expr()?);
        }
    }

    fn map(&mut self) -> Result<Expr, Error> {
        self.bump();
        let mut entries = Vec::new();
        self.skip_ws();
        if self.eat('}') {
            return Ok(Expr::Map(entries));
        }
        loop {
            let k = self.expr()?;
            self.skip_ws();
            if !self.eat(':') {
                return self.err("expected : in map literal");
            }
            let v = self.expr()?;
            entries.push((k, v));
            self.skip_ws();
            if self.eat('}') {
                return Ok(Expr::Map(entries));
            }
            if !self.eat(',') {
                return self.err("expected , or } in map literal");
            }
        }
    }
}

type Level = &'static [(&'static str, BinOp)];

const LEVELS: &[Level] = &[
    &[("||", BinOp::Or), ("or", BinOp::Or)],
    &[("&&", BinOp::And), ("and", BinOp::And)],
    &[
        ("==", BinOp::Eq),
        ("!=", BinOp::Ne),
        ("eq", BinOp::Eq),
        ("ne", BinOp::Ne),
    ],
    &[
        ("<=", BinOp::Le),
        (">=", BinOp::Ge),
        ("<", BinOp::Lt),
        (">", BinOp::Gt),
        ("le", BinOp::Le),
        ("ge", BinOp::Ge),
        ("lt", BinOp::Lt),
        ("gt", BinOp::Gt),
    ],
    &[("+", BinOp::Add), ("-", BinOp::Sub)],
    &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Mod)],
];
